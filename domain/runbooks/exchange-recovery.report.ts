/**
 * Exchange recovery's report (数据交换恢复报告): the client as found with its last log lines and its
 * queues, the items held and why, what was escalated, the restart and the replay, the drain watched,
 * then the plan and the votes (domain/reports/runbook-report.ts). Pure.
 */
import {
  reportTime,
  runbookReportMarkdown,
  type ReportRun,
  type ReportSection,
} from '../reports/runbook-report.ts';
import { itemText } from './exchange-recovery.plan.ts';
import type { ExchangeRecoveryOutcome, ExchangeRecoveryResult } from './exchange-recovery.types.ts';

export const exchangeRecoveryOutcomeLabel: Record<ExchangeRecoveryOutcome, string> = {
  recovered: '已恢复并验证',
  healthy: '交换客户端正常，无需处理',
  escalated: '已升级（须人工或省厅处理）',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'not-verified': '已执行，但验证未通过',
};

/** What the report shows: the run's result as far as it is known when the report is written. */
export type ExchangeRecoveryFacts = Omit<ExchangeRecoveryResult, 'runbook' | 'workflowId' | 'report'>;

export function exchangeRecoveryReport(run: ReportRun, r: ExchangeRecoveryFacts): string {
  const d = r.diagnosis;
  const s = d.status;
  const v = r.verification;
  const sections: ReportSection[] = [
    {
      heading: '诊断',
      lines: [
        `交换客户端 ${d.program.name}（${d.program.host}）：${d.program.running ? '运行中' : '未运行'}，${d.program.detail}`,
        s
          ? `管理端口：第 ${s.cycles} 轮，最后一轮 ${s.lastCycleAt ? reportTime(s.lastCycleAt, run.timeZone) : '无'}，${d.moving ? '处理中' : '无进展'}；最后错误 ${s.lastError ? `${s.lastError.code ?? ''} ${s.lastError.message}` : '无'}`
          : `管理端口无应答：${d.statusError ?? ''}`,
        ...(s?.certificate
          ? [`证书序列号 ${s.certificate.serialNumber}，${s.certificate.daysLeft} 天后到期`]
          : []),
        `判断：${r.why}`,
      ],
      ...(s && {
        table: {
          head: [
            '凭证类型',
            '上行待发',
            '上行重放',
            '上行已送达',
            '上行失败',
            '下行已签收',
            '下行失败',
            '下行重放',
          ],
          rows: Object.entries(s.queues).map(([type, q]) => [
            type,
            ...[
              q.up.pending,
              q.up.replay,
              q.up.delivered,
              q.up.failed,
              q.down.confirmed,
              q.down.failed,
              q.down.replay,
            ].map((n) => String(n ?? 0)),
          ]),
          align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
        },
      }),
    },
    ...(d.program.logTail.length > 0 ? [{ heading: '客户端最后日志', lines: d.program.logTail }] : []),
    {
      heading: '暂不重放的失败数据',
      table: {
        head: ['方向', '数据', '失败原因', '暂不重放原因'],
        rows: r.held.map((i) => [
          i.direction === 'up' ? '上行' : '下行',
          itemText(i),
          i.lastError ?? '',
          i.blocked ?? '',
        ]),
      },
      empty: d.moreFailed > 0 ? `另有 ${d.moreFailed} 笔失败数据超出本次处理上限` : '无',
    },
    ...(r.escalated.length > 0 ? [{ heading: '须人工或省厅处理', lines: r.escalated }] : []),
    ...(r.restarted || r.replayed > 0
      ? [
          {
            heading: '执行',
            lines: [
              ...(r.restarted
                ? r.restarted.map((p) => `${p.name}：${p.running ? '运行中' : '未运行'}（${p.detail}）`)
                : []),
              `重放：${r.replayed} 笔置为重放（已不处于失败状态的未计入）`,
            ],
          },
        ]
      : []),
    ...(v ? [{ heading: '验证', lines: [`${v.detail}（检查 ${v.checks} 次）`] }] : []),
  ];
  return runbookReportMarkdown(run, {
    title: `数据交换恢复报告 — ${r.target.name}`,
    outcome: exchangeRecoveryOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections,
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
  });
}
