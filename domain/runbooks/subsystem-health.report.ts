/**
 * Subsystem health's report (子系统健康检查报告): a traffic light per subsystem and per check, the
 * findings with the runbook (or the person) that fixes each, and the exchange client's own figures.
 * The same sections are the daily inspection's subsystem part. Pure.
 */
import { formatInstant } from '../display.ts';
import { lightLabel } from '../reports/lights.ts';
import { code, inline, type Inline } from '../reports/markdown.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import { subsystemKindTitles } from '../subsystem-config.ts';
import { runbookCatalog } from './catalog.ts';
import {
  subsystemChecks,
  type SubsystemCheck,
  type SubsystemFinding,
  type SubsystemHealth,
  type SubsystemHealthResult,
} from './subsystem-health.types.ts';

export const subsystemCheckLabel: Record<SubsystemCheck, string> = {
  programs: '进程',
  ports: '端口',
  health: '健康检查',
  version: '版本',
  database: '数据库',
  work: '业务',
};

function fixCell(f: SubsystemFinding): Inline {
  return f.fixRunbook
    ? inline(`${runbookCatalog[f.fixRunbook].zh}（`, code(f.fixRunbook), '）')
    : `人工：${f.action ?? ''}`;
}

/** The subsystems' lights, their findings with what fixes each, and the exchange client's figures. */
export function subsystemSections(health: readonly SubsystemHealth[], timeZone: string): ReportSection[] {
  const findings = health.flatMap((h) => h.findings);
  return [
    {
      heading: '子系统状态',
      table: {
        head: ['子系统', '类型', '总体', ...subsystemChecks.map((c) => subsystemCheckLabel[c])],
        rows: health.map((h) => [
          `${h.name}（${h.subsystem}）`,
          subsystemKindTitles[h.kind],
          lightLabel[h.light],
          ...subsystemChecks.map((c) => {
            const light = h.checks[c];
            return light ? lightLabel[light] : '—';
          }),
        ]),
      },
      empty: '未检查任何子系统。',
    },
    {
      heading: '子系统问题及处置',
      table: {
        head: ['子系统', '检查项', '级别', '问题', '处置'],
        rows: findings.map((f) => [
          f.subsystem,
          subsystemCheckLabel[f.check],
          lightLabel[f.light],
          f.summary,
          fixCell(f),
        ]),
      },
      empty: '未发现问题。',
    },
    ...health.flatMap((h) => {
      const x = h.exchange;
      if (!x) return [];
      return [
        {
          heading: `${h.name}：交换客户端`,
          lines: [
            `最后一轮：${x.lastCycleAt ? formatInstant(x.lastCycleAt, timeZone) : '无'}`,
            `最后错误：${x.lastError ? `${x.lastError.code ?? ''} ${x.lastError.message}` : '无'}`,
            `证书：${x.certificate ? `序列号 ${x.certificate.serialNumber}，${x.certificate.daysLeft} 天后到期` : '未加载'}`,
            ...Object.entries(x.queues).map(
              ([type, q]) =>
                `凭证类型 ${type}：上行 待发 ${q.up.pending ?? 0}、重放 ${q.up.replay ?? 0}、已送达 ${q.up.delivered ?? 0}、失败 ${q.up.failed ?? 0}；下行 已接收 ${q.down.received ?? 0}、已签收 ${q.down.confirmed ?? 0}、失败 ${q.down.failed ?? 0}、重放 ${q.down.replay ?? 0}`,
            ),
          ],
        },
      ];
    }),
  ];
}

export type SubsystemHealthFacts = Omit<SubsystemHealthResult, 'runbook' | 'workflowId' | 'report'>;

export function subsystemHealthReport(run: ReportRun, r: SubsystemHealthFacts): string {
  return runbookReportMarkdown(run, {
    title: '子系统健康检查报告',
    outcome: `${lightLabel[r.light]}，发现问题 ${r.findings.length} 项`,
    outcomeCode: r.findings.length === 0 ? 'healthy' : 'findings',
    sections: subsystemSections(r.subsystems, run.timeZone),
  });
}
