/**
 * Program restart's report (程序重启报告): each program as first found with why it stopped and its
 * last log lines, the judgement, each program as the restart left it, the verification, then the
 * plan and the votes (domain/reports/runbook-report.ts). Pure.
 */
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import { whyStopped } from './program-restart.plan.ts';
import type { ProgramLook, ProgramRestartOutcome, ProgramRestartResult } from './program-restart.types.ts';

export const programRestartOutcomeLabel: Record<ProgramRestartOutcome, string> = {
  restarted: '已重启并验证',
  'already-running': '程序均在运行，无需处理',
  escalated: '已升级（须人工启动）',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'not-verified': '已执行，但验证未通过',
};

/** What the report shows: the run's result as far as it is known when the report is written. */
export type ProgramRestartFacts = Omit<ProgramRestartResult, 'runbook' | 'workflowId' | 'report'>;

const programTable = (looks: readonly ProgramLook[]) => ({
  head: ['程序', '主机', '运行', 'pid', '状态'],
  rows: looks.map((l) => [
    l.name,
    l.host,
    l.running ? '是' : '否',
    l.pid === undefined ? '' : String(l.pid),
    l.detail,
  ]),
});

export function programRestartReport(run: ReportRun, r: ProgramRestartFacts): string {
  const down = r.diagnosis.filter((l) => !l.running);
  const v = r.verification;
  const sections: ReportSection[] = [
    { heading: '诊断', lines: [`判断：${r.why}`], table: programTable(r.diagnosis) },
    ...down.map((l) => ({
      heading: `${l.name} 停止原因`,
      lines: [whyStopped(l), `最后 ${l.logTail.length} 行日志：`, ...l.logTail],
    })),
    ...(r.restarted.length > 0 ? [{ heading: '重启后', table: programTable(r.restarted) }] : []),
    ...(v
      ? [
          {
            heading: '验证',
            lines: [
              v.detail,
              ...(v.testMessage ? [`测试报文查询号：${v.testMessage.queryId}`] : []),
              ...(v.health ? [`健康检查：${v.health.detail}`] : []),
            ],
          },
        ]
      : []),
  ];
  return runbookReportMarkdown(run, {
    title: `程序重启报告 — ${r.target.name}`,
    outcome: programRestartOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections,
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
  });
}
