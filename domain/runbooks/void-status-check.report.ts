/**
 * The void status check's report (作废状态检查报告): open and overdue void requests, each one's
 * judgement from the bank's answer, then the verification, the plan, the votes and the changes
 * (domain/bank-checks/settle-report.ts). Pure.
 */
import { voucherText } from '../bank-checks/finance-plan.ts';
import {
  decisionsSection,
  requestOutcomeLabel,
  settleCheckReport,
  type ReportedDecision,
  type SettleEnd,
} from '../bank-checks/settle-report.ts';
import type { SettleCheckOutcome } from '../bank-checks/settle-result.ts';
import type { ReportRun } from '../reports/runbook-report.ts';
import type { OpenVoid, VoidReportReason } from './void-status-check.types.ts';

export const voidStatusCheckOutcomeLabel = requestOutcomeLabel('无超时未确认的作废申请');

const reasonLabel: Record<VoidReportReason, string> = {
  'bank-no-answer': '银行未应答',
  'unknown-to-bank': '银行无此凭证',
  conflict: '与财政端记录矛盾',
  'not-sent': '作废申请未发出',
};

/** The last round's look: open void requests, the overdue ones worked, each one's decision. */
export interface VoidRound {
  open: unknown[];
  items: number;
  decisions: ReportedDecision<OpenVoid, VoidReportReason>[];
}

export function voidStatusCheckReport(
  run: ReportRun,
  about: { bankName: string; date: string; overdueMinutes: number },
  end: SettleEnd<SettleCheckOutcome>,
  round: VoidRound,
): string {
  return settleCheckReport(
    run,
    {
      title: `作废状态检查报告 — ${about.bankName}（截至 ${about.date}）`,
      outcome: voidStatusCheckOutcomeLabel[end.outcome],
      counted: `在途作废申请 ${round.open.length} 笔，超过 ${about.overdueMinutes} 分钟未确认 ${round.items} 笔`,
      items: [
        decisionsSection(
          round.decisions,
          (v) => voucherText(v.voucherNo, v.voucher?.amountFen ?? 0),
          reasonLabel,
        ),
      ],
    },
    end,
  );
}
