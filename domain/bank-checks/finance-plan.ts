/**
 * The plan a bank check shows its approvers when it will change finance-side records: one SQL
 * action per change (the exact statements, run in one transaction), what it means in Chinese and
 * English, and the vouchers it touches with their amounts and masked payees. Pure.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ApprovalPlan, Bilingual, PlanAction, PlanVoucher } from '../approvals/gate-types.ts';
import { formatFen, formatInstant } from '../display.ts';
import { ErrorKind } from '../errors.ts';
import type { FinanceMutation, VoucherSnapshot } from './types.ts';

export function mutationText(m: FinanceMutation): Bilingual {
  switch (m.kind) {
    case 'register-receipt':
      return {
        zh: `登记回单 ${m.receiptNo} 到凭证 ${m.voucherNo}${m.markPaid ? '，凭证置为已支付（支付时间以银行应答为准）' : ''}`,
        en: `Register receipt ${m.receiptNo} against voucher ${m.voucherNo}${m.markPaid ? ' and mark the voucher paid (time as the bank answered)' : ''}`,
      };
    case 'record-receipt':
      return {
        zh: `补登回单 ${m.receiptNo}（银行查询应答证实已于 ${m.paidDate} 支付 ${formatFen(m.amountFen)}，回单未送达财政）到凭证 ${m.voucherNo}，凭证置为已支付`,
        en: `Record receipt ${m.receiptNo} (the bank's status answer proves ${m.voucherNo} paid on ${m.paidDate}, ${formatFen(m.amountFen)}; the receipt never reached finance) and mark the voucher paid`,
      };
    case 'confirm-void':
      return {
        zh: `确认作废：凭证 ${m.voucherNo} 银行已于 ${formatInstant(m.bankAt, 'Asia/Shanghai')} 作废，财政端置为已作废`,
        en: `Confirm the void: the bank voided ${m.voucherNo} at ${m.bankAt}; mark it voided`,
      };
    case 'refuse-void':
      return {
        zh: `作废未成功：凭证 ${m.voucherNo} 的作废申请置为银行拒绝（${m.bankReason}）`,
        en: `Void refused: mark the void request for ${m.voucherNo} refused (${m.bankReason})`,
      };
    case 'resend-void':
      return {
        zh: `重新发送作废申请：银行未收到凭证 ${m.voucherNo} 的作废申请，置为待发送`,
        en: `Send the void request for ${m.voucherNo} again: the bank never received it`,
      };
    case 'confirm-refund':
      return {
        zh: `确认退款：退款 ${m.refundNo} 银行已于 ${m.refundDate} 退回，凭证 ${m.voucherNo} 置为已退款`,
        en: `Confirm refund ${m.refundNo}: the bank returned it on ${m.refundDate}; mark ${m.voucherNo} refunded`,
      };
    case 'match-refund':
      return {
        zh: `匹配退款：银行退款通知 ${m.refundNo} 对应凭证 ${m.voucherNo}（以银行应答为准），凭证置为已退款`,
        en: `Match the bank's refund ${m.refundNo} to voucher ${m.voucherNo} (as the bank answered); mark it refunded`,
      };
    case 'refuse-refund':
      return {
        zh: `退款未成功：退款申请 ${m.refundNo} 置为银行拒绝（${m.bankReason}）`,
        en: `Refund refused: mark refund request ${m.refundNo} refused (${m.bankReason})`,
      };
    case 'resend-refund':
      return {
        zh: `重新发送退款申请：银行未收到退款申请 ${m.refundNo}，置为待发送`,
        en: `Send refund request ${m.refundNo} again: the bank never received it`,
      };
  }
}

export interface PlannedChange {
  mutation: FinanceMutation;
  /** The statements exactly as they will run (`:executed_at` stands for the instant). */
  sql: string[];
  voucher?: VoucherSnapshot | null;
}

/** Joins each change to its SQL as the db zone rendered it; a change without SQL stops the run. */
export function withSql(items: Omit<PlannedChange, 'sql'>[], sql: string[][]): PlannedChange[] {
  return items.map((item, i) => {
    const statements = sql[i];
    if (!statements?.length) {
      throw ApplicationFailure.create({
        type: ErrorKind.UnexpectedState,
        nonRetryable: true,
        message: `no SQL was rendered for ${item.mutation.kind} (change ${i + 1} of ${items.length})`,
      });
    }
    return { ...item, sql: statements };
  });
}

/** A change's statements as one plan action's command. */
export function sqlCommand(statements: readonly string[]): string {
  return statements.map((s) => `${s};`).join('\n');
}

export function financePlan(options: {
  runbook: string;
  title: Bilingual;
  bank: { code: string; name: string };
  findings: Bilingual[];
  changes: PlannedChange[];
}): ApprovalPlan {
  const actions: PlanAction[] = options.changes.map((c) => ({
    kind: 'sql',
    target: 'treasury',
    command: sqlCommand(c.sql),
    description: mutationText(c.mutation),
  }));
  const vouchers = new Map<string, PlanVoucher>();
  for (const c of options.changes) {
    const v = c.voucher;
    if (!v || vouchers.has(v.voucherNo)) continue;
    vouchers.set(v.voucherNo, {
      voucherNo: v.voucherNo,
      amountFen: v.amountFen,
      ...(v.payeeName && { payeeName: v.payeeName }),
      ...(v.payeeAccount && { payeeAccount: v.payeeAccount }),
    });
  }
  return {
    runbook: options.runbook,
    title: options.title,
    bank: options.bank,
    findings: options.findings,
    actions,
    vouchers: [...vouchers.values()],
  };
}

/** `凭证 X（¥1,234.56）` for report lines. */
export function voucherText(voucherNo: string, amountFen: number): string {
  return `凭证 ${voucherNo}（${formatFen(amountFen)}）`;
}
