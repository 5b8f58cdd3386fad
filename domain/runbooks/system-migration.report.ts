/**
 * The system migration's report (系统迁移报告): from where to where, what ran there (the
 * inventory), the pre-checks, both sides compared after the copy (every table's rows and checksum,
 * the files' digests), the new side's traffic, why it rolled back and what the rollback found —
 * the old side in service, its files and tables as before — the decommission, then the plans, the
 * votes and every step done and undone (domain/reports/runbook-report.ts). Pure.
 */
import { shortDigest } from '../display.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import type { SystemMigrationOutcome, SystemMigrationResult } from './system-migration.types.ts';

export const systemMigrationOutcomeLabel: Record<SystemMigrationOutcome, string> = {
  decommissioned: '迁移完成，原环境已下线',
  migrated: '迁移完成，原环境保留（未批准下线）',
  'rolled-back': '迁移失败，已自动回滚，原环境恢复服务并验证一致',
  'rollback-incomplete': '迁移失败，回滚后验证未通过（需人工处理）',
  'not-ready': '迁移前检查未通过，未做任何变更',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
};

/** What the report shows: the run's result as far as it is known when the report is written. */
export type SystemMigrationReportFacts = Omit<SystemMigrationResult, 'runbook' | 'workflowId' | 'report'>;

const mark = (ok: boolean) => (ok ? '✓' : '✗');

const stepsTable = (heading: string, steps: SystemMigrationResult['steps']): ReportSection[] =>
  steps.length > 0
    ? [
        {
          heading,
          table: { head: ['步骤', '命令', '对象'], rows: steps.map((s) => [s.step, s.command, s.target]) },
        },
      ]
    : [];

export function systemMigrationReport(run: ReportRun, r: SystemMigrationReportFacts): string {
  const inv = r.inventory;
  const sections: ReportSection[] = [
    {
      heading: '迁移对象',
      lines: [`子系统：${r.subsystem}`, `原环境：${r.source}`, `新环境：${r.target}`],
    },
    ...(inv
      ? [
          {
            heading: '盘点',
            lines: [
              `运行版本：${inv.version ?? '未知'}${inv.schemaVersion ? `，数据库版本 ${inv.schemaVersion}` : ''}`,
              `应用文件：${inv.files} 个${inv.filesDigest ? `，摘要 ${shortDigest(inv.filesDigest)}` : ''}`,
              `配置文件：${inv.configuration.join('、') || '无'}`,
              `程序：${inv.programs.map((p) => `${p.name}（${p.host}，${p.running ? '运行中' : '未运行'}）`).join('、') || '无'}`,
            ],
            table: {
              head: ['数据表', '行数', '校验和'],
              rows: inv.tables.map((t) => [t.table, String(t.rows), shortDigest(t.digest)]),
            },
          },
        ]
      : []),
    {
      heading: '迁移前检查',
      table: { head: ['检查', '结果', '说明'], rows: r.preChecks.map((c) => [c.name, mark(c.ok), c.detail]) },
      empty: '未进行',
    },
    ...(r.copy
      ? [
          {
            heading: '复制核对',
            lines: [
              `应用文件一致：${r.copy.filesEqual ? '是' : '否'}（原 ${shortDigest(r.copy.sourceDigest)}，新 ${shortDigest(r.copy.targetDigest)}）`,
              ...(r.copy.filesDiffer.length > 0 ? [`不一致的文件：${r.copy.filesDiffer.join('、')}`] : []),
            ],
            table: {
              head: ['数据表', '原环境行数', '新环境行数', '原校验和', '新校验和', '一致'],
              rows: r.copy.tables.map((t) => [
                t.table,
                String(t.sourceRows),
                String(t.targetRows),
                shortDigest(t.sourceDigest),
                shortDigest(t.targetDigest),
                mark(t.equal),
              ]),
            },
          },
        ]
      : []),
    ...(r.traffic.length > 0
      ? [
          {
            heading: '业务验证',
            table: {
              head: ['检查', '对象', '结果', '说明'],
              rows: r.traffic.map((t) => [t.check, t.target, mark(t.ok), t.detail]),
            },
          },
        ]
      : []),
    ...(r.failure !== undefined ? [{ heading: '失败原因', lines: [r.failure] }] : []),
    ...stepsTable('回滚步骤', r.rollback),
    ...(r.verification
      ? [
          {
            heading: '回滚验证',
            lines: [
              `原环境恢复服务：${r.verification.serving ? '是' : '否'}（${r.verification.servingDetail}）`,
              `应用文件与迁移前一致：${r.verification.filesEqual ? '是' : '否'}`,
              `数据表与迁移前一致：${r.verification.tablesEqual.join('、') || '（无）'}`,
              ...(r.verification.tablesDiffer.length > 0
                ? [`数据表与迁移前不一致：${r.verification.tablesDiffer.join('、')}`]
                : []),
            ],
          },
        ]
      : []),
    ...stepsTable('下线步骤', r.decommission),
  ];
  const votes = r.approvals.flatMap((a) => a.votes);
  return runbookReportMarkdown(run, {
    title: `系统迁移报告 — ${r.subsystem} ${r.source} → ${r.target}`,
    outcome: systemMigrationOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections,
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(votes.length > 0 && { votes }),
    actions: [...r.steps, ...r.rollback, ...r.decommission].map((s) => ({
      command: s.command,
      target: s.target,
      detail: s.detail,
      at: s.at,
    })),
  });
}
