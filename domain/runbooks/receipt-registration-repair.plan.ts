/**
 * Receipt registration repair's judgement, as pure functions: whether an unregistered receipt
 * matches its voucher cleanly (number, amount, date, a voucher that can take it), what the bank
 * says about that voucher, and the reason in words when it does not.
 *
 * A clean match: a voucher of this bank with the receipt's number, the same amount, a receipt
 * dated on or after the voucher's business day and at most `maxPayDays` after it, the voucher
 * sent, accepted or paid, and no other receipt registered against it — and the bank confirms
 * it paid that voucher, for that amount. Anything else is reported, never registered.
 */
import type { FinanceMutation, VoucherSnapshot } from '../bank-checks/types.ts';
import type { BankAnswer } from '../bank-questions.ts';
import { formatFen } from '../display.ts';
import type {
  MismatchReason,
  ReceiptMatch,
  UnregisteredReceipt,
} from './receipt-registration-repair.types.ts';

export const mismatchLabel: Record<MismatchReason, string> = {
  'no-voucher': '无对应凭证',
  'number-differs': '凭证号不符',
  'several-candidates': '多张候选凭证',
  'amount-differs': '金额不符',
  'date-differs': '日期不符',
  'voucher-status': '凭证状态不允许登记',
  'already-registered': '凭证已登记其他回单',
  'bank-not-paid': '银行未确认支付',
  'bank-amount-differs': '银行支付金额不符',
  'bank-no-answer': '银行未应答',
};

const registrable = ['sent', 'accepted', 'paid'];

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

const unmatched = (receipt: UnregisteredReceipt, reason: MismatchReason, detail: string): ReceiptMatch => ({
  kind: 'unmatched',
  receipt,
  reason,
  detail,
});

export function matchReceipt(r: UnregisteredReceipt, maxPayDays: number): ReceiptMatch {
  const v = r.voucher;
  if (!v) {
    const list = r.candidates.map((c) => c.voucherNo);
    if (list.length === 0)
      return unmatched(
        r,
        'no-voucher',
        `财政端无凭证 ${r.voucherNo}，也无金额 ${formatFen(r.amountFen)}、日期相符的未付凭证`,
      );
    if (list.length === 1)
      return unmatched(
        r,
        'number-differs',
        `财政端无凭证 ${r.voucherNo}；金额、日期相符的未付凭证只有 ${list[0]}，凭证号不同，需人工确认`,
      );
    return unmatched(
      r,
      'several-candidates',
      `财政端无凭证 ${r.voucherNo}；金额、日期相符的未付凭证有 ${list.length} 张（${list.slice(0, 5).join('、')}），无法确定`,
    );
  }
  if (v.registeredReceipt && v.registeredReceipt !== r.receiptNo)
    return unmatched(r, 'already-registered', `凭证 ${v.voucherNo} 已登记回单 ${v.registeredReceipt}`);
  if (!registrable.includes(v.status))
    return unmatched(r, 'voucher-status', `凭证 ${v.voucherNo} 状态为 ${v.status}，不能登记回单`);
  if (v.amountFen !== r.amountFen)
    return unmatched(
      r,
      'amount-differs',
      `回单金额 ${formatFen(r.amountFen)} 与凭证金额 ${formatFen(v.amountFen)} 不符`,
    );
  const days = daysBetween(v.businessDate, r.paidDate);
  if (days < 0)
    return unmatched(r, 'date-differs', `回单日期 ${r.paidDate} 早于凭证业务日期 ${v.businessDate}`);
  if (days > maxPayDays)
    return unmatched(
      r,
      'date-differs',
      `回单日期 ${r.paidDate} 晚于凭证业务日期 ${v.businessDate} ${days} 天（上限 ${maxPayDays} 天）`,
    );
  return { kind: 'clean', receipt: r, voucher: v };
}

/** A clean match stays clean only when the bank confirms it paid that voucher, for that amount. */
export function confirmWithBank(match: ReceiptMatch, answer: BankAnswer | undefined): ReceiptMatch {
  if (match.kind !== 'clean') return match;
  const r = match.receipt;
  if (!answer) return unmatched(r, 'bank-no-answer', `银行未在等待时间内应答凭证 ${r.voucherNo} 的状态查询`);
  if (!answer.known) return unmatched(r, 'bank-not-paid', `银行无凭证 ${r.voucherNo} 的记录`);
  if (answer.status !== 'paid')
    return unmatched(
      r,
      'bank-not-paid',
      `银行称凭证 ${r.voucherNo} 状态为 ${answer.status ?? '未知'}，未支付`,
    );
  if (answer.amountFen !== undefined && answer.amountFen !== r.amountFen)
    return unmatched(
      r,
      'bank-amount-differs',
      `银行支付金额 ${formatFen(answer.amountFen)} 与回单金额 ${formatFen(r.amountFen)} 不符`,
    );
  return match;
}

/** The registration of a clean, bank-confirmed match. */
export function registration(
  match: ReceiptMatch & { kind: 'clean' },
  answer: BankAnswer,
): FinanceMutation & { kind: 'register-receipt' } {
  return {
    kind: 'register-receipt',
    receiptNo: match.receipt.receiptNo,
    voucherNo: match.voucher.voucherNo,
    paidAt: answer.paidAt ?? `${match.receipt.paidDate}T00:00:00.000Z`,
    markPaid: match.voucher.status !== 'paid',
  };
}

/** Whether the records behind an approved registration still stand as they did in the plan. */
export function sameRegistration(planned: VoucherSnapshot, now: UnregisteredReceipt | undefined): boolean {
  const v = now?.voucher;
  return (
    !!v &&
    v.voucherNo === planned.voucherNo &&
    v.status === planned.status &&
    v.amountFen === planned.amountFen &&
    v.registeredReceipt === planned.registeredReceipt
  );
}
