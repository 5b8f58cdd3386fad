/**
 * The version upgrade's report (省厅版本升级报告): the package and where it went, what was wrong
 * with it or with the estate when it was refused, the pre-checks, the smoke tests, why it was
 * rolled back and what the rollback found — the old version answering, its files and every table
 * the migrations touched as they were — then the plan, the votes and every step done and undone
 * (domain/reports/runbook-report.ts). Pure.
 */
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import type { VersionUpgradeOutcome, VersionUpgradeResult } from './version-upgrade.types.ts';

export const versionUpgradeOutcomeLabel: Record<VersionUpgradeOutcome, string> = {
  upgraded: '升级成功',
  'rolled-back': '升级失败，已自动回滚并验证恢复',
  'rollback-incomplete': '升级失败，回滚后验证未通过（需人工处理）',
  refused: '升级包未通过校验，未做任何变更',
  'not-ready': '升级前检查未通过，未做任何变更',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
};

/** What the report shows: the run's result as far as it is known when the report is written. */
export type VersionUpgradeReportFacts = Omit<VersionUpgradeResult, 'runbook' | 'workflowId' | 'report'>;

const mark = (ok: boolean) => (ok ? '✓' : '✗');

export function versionUpgradeReport(run: ReportRun, r: VersionUpgradeReportFacts): string {
  const sections: ReportSection[] = [
    {
      heading: '升级包与安装位置',
      lines: [
        `升级包：${r.package}（${r.fromVersion ?? '?'} → ${r.toVersion ?? '?'}）`,
        `子系统：${r.subsystem}，主机 ${r.host}`,
      ],
    },
    { heading: '校验问题', lines: r.problems, empty: '升级包签名、清单与逐文件校验均通过' },
    {
      heading: '升级前检查',
      table: { head: ['检查', '结果', '说明'], rows: r.preChecks.map((c) => [c.name, mark(c.ok), c.detail]) },
      empty: '未进行',
    },
    ...(r.smoke.length > 0
      ? [
          {
            heading: '冒烟测试',
            table: {
              head: ['检查', '对象', '结果', '说明'],
              rows: r.smoke.map((s) => [s.check, s.target, mark(s.ok), s.detail]),
            },
          },
        ]
      : []),
    ...(r.failure !== undefined ? [{ heading: '失败原因', lines: [r.failure] }] : []),
    ...(r.verification
      ? [
          {
            heading: '回滚验证',
            lines: [
              `运行版本：${r.verification.version ?? '（无应答）'}；数据库版本：${r.verification.schemaVersion ?? '?'}`,
              `应用文件与备份一致：${r.verification.filesEqual ? '是' : '否'}`,
              `数据表与升级前一致：${r.verification.tablesEqual.join('、') || '（无）'}`,
              ...(r.verification.tablesDiffer.length > 0
                ? [`数据表与升级前不一致：${r.verification.tablesDiffer.join('、')}`]
                : []),
            ],
          },
        ]
      : []),
    ...(r.rollback.length > 0
      ? [
          {
            heading: '回滚步骤',
            table: {
              head: ['步骤', '命令', '对象'],
              rows: r.rollback.map((s) => [s.step, s.command, s.target]),
            },
          },
        ]
      : []),
  ];
  return runbookReportMarkdown(run, {
    title: `省厅版本升级报告 — ${r.subsystem} ${r.package}`,
    outcome: versionUpgradeOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections,
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
    actions: r.steps.map((s) => ({ command: s.command, target: s.target, detail: s.detail, at: s.at })),
  });
}
