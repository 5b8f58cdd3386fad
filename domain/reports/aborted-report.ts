/**
 * The report of a run an operator aborted at a paused step, for every runbook alike: who aborted
 * it, where and why, what the run undid before it ended (its compensations, each with how it
 * went), and the plan and votes it had got so far. The pause itself is in the hand section every
 * report has. Pure.
 */
import type { ApprovalPlan, ApprovalVote } from '../approvals/gate-types.ts';
import type { HandDecisionView } from '../approvals/hand-decision.ts';
import { runbookTitleZh } from '../runbooks/catalog.ts';
import { code, inline } from './markdown.ts';
import { reportTime, runbookReportMarkdown, type ReportRun } from './runbook-report.ts';

export interface AbortedRun {
  runbook: string;
  decision: HandDecisionView;
  compensations: { name: string; ok: boolean; error?: string; at: string }[];
  plan?: ApprovalPlan;
  planDigest?: string;
  votes: ApprovalVote[];
}

export function abortedReport(run: ReportRun, a: AbortedRun): string {
  const title = runbookTitleZh(a.runbook);
  const d = a.decision;
  return runbookReportMarkdown(run, {
    title: `${title}：已中止`,
    outcome: '已中止',
    outcomeCode: 'aborted',
    sections: [
      {
        heading: '中止',
        lines: [
          inline('暂停的步骤：', code(d.step)),
          `中止人：${d.user}（${d.via === 'inbox' ? '审批页面' : '命令行'}，${reportTime(d.at, run.timeZone)}）`,
          `理由：${d.reason ?? ''}`,
        ],
      },
      {
        heading: '补偿操作',
        table: {
          head: ['补偿', '结果', '时间'],
          rows: a.compensations.map((c) => [
            code(c.name),
            c.ok ? '已完成' : `失败：${c.error ?? ''}`,
            reportTime(c.at, run.timeZone),
          ]),
        },
        empty: '中止时没有需要撤销的变更。',
      },
    ],
    ...(a.plan && { plan: a.plan }),
    ...(a.planDigest && { planDigest: a.planDigest }),
    votes: a.votes,
  });
}
