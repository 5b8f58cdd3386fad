/**
 * The void status check's report (作废状态检查报告): open and overdue void requests, each one's
 * judgement from the bank's answer, then the verification, the plan, the votes and the changes
 * (domain/bank-checks/settle-report.ts). Pure.
 */
import { voucherText } from '../bank-checks/finance-plan.ts';
import { requestCheckReport, type SettleAbout } from '../bank-checks/settle-report.ts';
import type { OpenVoid, VoidReportReason } from './void-status-check.types.ts';

const reasonLabel: Record<VoidReportReason, string> = {
  'bank-no-answer': '银行未应答',
  'unknown-to-bank': '银行无此凭证',
  conflict: '与财政端记录矛盾',
  'not-sent': '作废申请未发出',
};

export const voidStatusCheckReport = requestCheckReport<
  OpenVoid,
  VoidReportReason,
  SettleAbout & { overdueMinutes: number }
>({
  name: '作废状态检查报告',
  nothing: '无超时未确认的作废申请',
  counted: (about, round) =>
    `在途作废申请 ${round.open.length} 笔，超过 ${about.overdueMinutes} 分钟未确认 ${round.items} 笔`,
  item: (v) => voucherText(v.voucherNo, v.voucher?.amountFen ?? 0),
  reasonLabel,
});
