/**
 * Channel recovery's report (通道恢复报告): the diagnosis of both ends, the judgement, the
 * verification, then the plan, the votes and the actions (domain/reports/runbook-report.ts). Pure.
 */
import type { ChannelEnd } from './daily-inspection.types.ts';
import { runbookReportMarkdown, type ReportRun } from '../reports/runbook-report.ts';
import type { ChannelRecoveryOutcome, ChannelRecoveryResult } from './channel-recovery.types.ts';

export const channelRecoveryOutcomeLabel: Record<ChannelRecoveryOutcome, string> = {
  recovered: '已恢复',
  'already-running': '通道已正常，无需处理',
  escalated: '已升级（银行侧问题）',
  'needs-sequence-resync': '需序列号重置',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'not-verified': '已执行，但验证未通过',
};

/** What the report shows: the run's result as far as it is known when the report is written. */
export type ChannelRecoveryReportFacts = Omit<ChannelRecoveryResult, 'runbook' | 'workflowId' | 'report'>;

const seq = (end: ChannelEnd) => (end.lastSeq === undefined ? '' : `，序列号 ${end.lastSeq}`);

export function channelRecoveryReport(run: ReportRun, r: ChannelRecoveryReportFacts): string {
  const d = r.diagnosis;
  return runbookReportMarkdown(run, {
    title: `通道恢复报告 — ${d.bankName} ${d.channel}`,
    outcome: channelRecoveryOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections: [
      {
        heading: '诊断',
        lines: [
          `发送通道 ${d.channel}（${d.qmgr}）：${d.sender.status}${seq(d.sender)}`,
          ...(d.bankReceiver ? [`银行端接收通道：${d.bankReceiver.status}${seq(d.bankReceiver)}`] : []),
          ...(d.bankSender
            ? [`银行端发送通道 ${d.bankSender.channel}（${d.bankSender.qmgr}）：${d.bankSender.status}`]
            : []),
          `传输队列积压：${d.xmitqDepth}`,
          ...(d.ping ? [`PING：${d.ping.detail}`] : []),
          `前置机 TCP：${d.tcp.detail}`,
          `判断：${r.why}`,
        ],
      },
      ...(r.verification
        ? [
            {
              heading: '验证',
              lines: [
                `通道状态 ${r.verification.status}，传输队列深度 ${r.verification.xmitqDepth}（检查 ${r.verification.checks} 次）`,
                ...(r.verification.bankSender ? [`银行端发送通道：${r.verification.bankSender}`] : []),
              ],
            },
          ]
        : []),
    ],
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
    actions: r.actions.map((a) => ({
      command: a.command,
      target: d.bankSender && a.command.includes(`(${d.bankSender.channel})`) ? d.bankSender.qmgr : d.qmgr,
      detail: a.alreadyDone ? `（已处于目标状态）${a.detail}` : a.detail,
      at: a.at,
    })),
  });
}
