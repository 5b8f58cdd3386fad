/**
 * How the official-card check judges a stuck repayment by its bank's answer, and the plan it shows:
 * a receipt the bank proves (paid, the amount agreeing, the receipt named) recorded with the
 * voucher marked paid; a voucher the bank has no payable record of handed to the voucher repair,
 * which asks again and resends under its own approval; anything else left for a person with the
 * reason. Pure.
 */
import type { ApprovalPlan, Bilingual } from '../approvals/gate-types.ts';
import type { BankAnswer } from '../bank-questions.ts';
import { financePlan, type PlannedChange } from '../bank-checks/finance-plan.ts';
import { formatFen } from '../display.ts';
import type { CardVerdict, OfficialCardTarget, StuckRepayment } from './official-card-check.types.ts';

export function judgeStuck(r: StuckRepayment, answer: BankAnswer | undefined): CardVerdict {
  const said = answer
    ? {
        ...(answer.known !== undefined && { known: answer.known }),
        ...(answer.status !== undefined && { status: answer.status }),
        ...(answer.paidAt !== undefined && { paidAt: answer.paidAt }),
        ...(answer.amountFen !== undefined && { amountFen: answer.amountFen }),
        ...(answer.receiptNo !== undefined && { receiptNo: answer.receiptNo }),
      }
    : null;
  const verdict = (decision: CardVerdict['decision'], detail: string): CardVerdict => ({
    repayment: r,
    answer: said,
    decision,
    detail,
  });
  if (!answer) return verdict('hold', '银行未应答状态查询，稍后再查');
  if (!answer.known || answer.status === 'rejected')
    return verdict('resend', '发卡行无此凭证的可支付记录：交失败凭证修复与重发（重发前再次向银行查询）');
  if (answer.status === 'paid') {
    if (answer.amountFen !== r.amountFen)
      return verdict(
        'hold',
        `银行支付金额 ${formatFen(answer.amountFen ?? 0)} 与还款金额 ${formatFen(r.amountFen)} 不符，须人工核实`,
      );
    if (!answer.receiptNo || !answer.paidAt)
      return verdict('hold', '银行称已支付但未给出回单号，须向银行索取回单');
    return verdict('record-receipt', `发卡行已支付，回单 ${answer.receiptNo} 未送达财政：补登回单`);
  }
  if (answer.status === 'accepted') return verdict('hold', '发卡行已受理、尚未支付，稍后再查');
  return verdict('hold', `发卡行凭证状态为 ${answer.status ?? '未知'}，须人工核实`);
}

const countOf = (verdicts: readonly CardVerdict[], d: CardVerdict['decision']) =>
  verdicts.filter((v) => v.decision === d).length;

export function cardPlan(options: {
  target: OfficialCardTarget;
  date: string;
  verdicts: readonly CardVerdict[];
  changes: PlannedChange[];
  reason?: string;
}): ApprovalPlan {
  const { verdicts } = options;
  const resend = verdicts.filter((v) => v.decision === 'resend');
  const findings: Bilingual[] = [
    {
      zh: `${options.date} 公务卡还款已发往发卡行而无应答 ${verdicts.length} 笔，已逐笔向发卡行查询`,
      en: `${verdicts.length} official-card repayments of ${options.date} sent and unanswered; each bank was asked about each`,
    },
    {
      zh: `补登回单 ${countOf(verdicts, 'record-receipt')} 笔；交失败凭证修复与重发 ${resend.length} 笔；留待人工 ${countOf(verdicts, 'hold')} 笔`,
      en: `record ${countOf(verdicts, 'record-receipt')} receipts; hand ${resend.length} to voucher resend; leave ${countOf(verdicts, 'hold')} for a person`,
    },
    ...resend.map((v) => ({
      zh: `凭证 ${v.repayment.voucherNo}（${v.repayment.bank}）将交 voucher-resend：${v.detail}`,
      en: `voucher ${v.repayment.voucherNo} (${v.repayment.bank}) goes to voucher-resend, which asks the bank again before it resends`,
    })),
    ...(options.reason ? [{ zh: `原因：${options.reason}`, en: `Reason: ${options.reason}` }] : []),
  ];
  const banks = options.target.banks;
  return financePlan({
    runbook: 'official-card-check',
    title: {
      zh: `公务卡还款补登回单与转交重发：${options.date}`,
      en: `Official-card repayments: record receipts and hand over resends, ${options.date}`,
    },
    bank:
      banks.length === 1
        ? (banks[0] as { code: string; name: string })
        : { code: options.target.subsystem, name: options.target.name },
    findings,
    changes: options.changes,
  });
}
