/**
 * Refund tracking's report (退款跟踪报告): open and overdue refunds in both directions, each one's
 * judgement from the bank's answer with its amount in yuan, then the verification, the plan, the
 * votes and the changes (domain/bank-checks/settle-report.ts). Pure.
 */
import { requestCheckReport, type SettleAbout } from '../bank-checks/settle-report.ts';
import { formatFen } from '../display.ts';
import type { OpenRefund, RefundReportReason } from './refund-tracking.types.ts';

const reasonLabel: Record<RefundReportReason, string> = {
  'bank-no-answer': '银行未应答',
  'unknown-to-bank': '银行无此退款',
  'no-voucher': '无对应凭证',
  'voucher-status': '凭证状态不符',
  'amount-differs': '金额不符',
  'voucher-differs': '凭证号不符',
  duplicate: '同一凭证多笔退款',
  'not-sent': '退款申请未发出',
};

const direction = { finance: '财政发起', bank: '银行发起' } as const;

export const refundTrackingReport = requestCheckReport<
  OpenRefund,
  RefundReportReason,
  SettleAbout & { overdueHours: number }
>({
  name: '退款跟踪报告',
  nothing: '无超时未结的退款',
  counted: (about, round) =>
    `未结退款 ${round.open.length} 笔，超过 ${about.overdueHours} 小时 ${round.items} 笔`,
  item: (r) => `退款 ${r.refundNo}（${direction[r.initiatedBy]}，${formatFen(r.amountFen)}）`,
  reasonLabel,
});
