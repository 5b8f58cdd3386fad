/**
 * The procurement push retry's report (政采云推送重试报告): whether the cloud answered, each failed
 * confirmation with why it failed and what was done about it, what was escalated, the retry and
 * the delivery watched, then the plan and the votes (domain/reports/runbook-report.ts). Pure.
 */
import { formatFen, formatInstant } from '../display.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import type {
  FailedConfirmation,
  ProcurementPushRetryOutcome,
  ProcurementPushRetryResult,
} from './procurement-push-retry.types.ts';

export const procurementPushRetryOutcomeLabel: Record<ProcurementPushRetryOutcome, string> = {
  recovered: '已重推并验证',
  'nothing-to-retry': '无可重推的确认书',
  escalated: '已升级（须人工处理）',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'not-verified': '已执行，但验证未通过',
};

/** What the report shows: the run's result as far as it is known when the report is written. */
export type ProcurementPushRetryFacts = Omit<ProcurementPushRetryResult, 'runbook' | 'workflowId' | 'report'>;

const failureLabel = { unreached: '未送达', refused: '被拒收' } as const;

export function procurementPushRetryReport(run: ReportRun, r: ProcurementPushRetryFacts): string {
  const d = r.diagnosis;
  const v = r.verification;
  const heldNos = new Set(r.held.map((c) => c.confirmationNo));
  const row = (c: FailedConfirmation) => [
    c.confirmationNo,
    c.contractNo,
    c.voucherNo,
    formatFen(c.amountFen),
    `${failureLabel[c.failure]}（${c.attempts} 次）`,
    c.lastError ?? '',
    formatInstant(c.updatedAt, run.timeZone),
    heldNos.has(c.confirmationNo) ? `暂不重推：${c.blocked ?? ''}` : '重推',
  ];
  const sections: ReportSection[] = [
    {
      heading: '诊断',
      lines: [
        `${r.target.name}（${r.target.subsystem}），政采云 ${d.cloud.answering ? '应答正常' : '未应答'}：${d.cloud.detail}`,
        `判断：${r.why}`,
      ],
    },
    {
      heading: '推送失败的确认书',
      table: {
        head: ['确认书', '合同', '支付凭证', '金额', '失败', '政采云应答', '最后推送', '处理'],
        rows: d.failed.map(row),
        align: ['left', 'left', 'left', 'right', 'left', 'left', 'left', 'left'],
      },
      empty: '无',
      ...(d.moreFailed > 0 && { lines: [`另有 ${d.moreFailed} 份失败确认书超出本次处理上限`] }),
    },
    ...(r.escalated.length > 0 ? [{ heading: '须人工处理', lines: r.escalated }] : []),
    ...(r.retried > 0
      ? [{ heading: '执行', lines: [`重推：${r.retried} 份置为待推送（已不处于失败状态的未计入）`] }]
      : []),
    ...(v ? [{ heading: '验证', lines: [`${v.detail}（检查 ${v.checks} 次）`] }] : []),
  ];
  return runbookReportMarkdown(run, {
    title: `政采云推送重试报告 — ${r.target.name}`,
    outcome: procurementPushRetryOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections,
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
  });
}
