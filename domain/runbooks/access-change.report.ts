/**
 * The access change's report (用户权限变更报告): the system, whose access changed, the
 * administrators before and after, why it was refused before approval or stopped because users or
 * roles had moved, the statements run and the verification — then the plan with every user and
 * role before and after, the votes and the change (domain/reports/runbook-report.ts). Pure.
 */
import { differingTable, previewTable } from '../reports/row-tables.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import { subsystemKindTitles } from '../subsystem-config.ts';
import type { AccessChangeOutcome, AccessChangeResult } from './access-change.types.ts';

export const accessChangeOutcomeLabel: Record<AccessChangeOutcome, string> = {
  changed: '已变更并验证',
  refused: '不能按所请变更，未做任何修改',
  moved: '审批后权限已变动，已停止，未做任何修改',
  unverified: '已变更，但验证未通过（需人工核对）',
  planned: '仅生成预览（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
};

export type AccessChangeReportFacts = Omit<AccessChangeResult, 'runbook' | 'workflowId' | 'report'>;

export function accessChangeReport(run: ReportRun, r: AccessChangeReportFacts): string {
  const sections: ReportSection[] = [
    {
      heading: '变更对象',
      lines: [
        `系统：${subsystemKindTitles[r.system]}（${r.system}）`,
        `权限受影响的人员：${r.concerns.join('、') || '（无）'}`,
        `系统管理员：变更前 ${r.admins.before.join('、') || '（无）'}；变更后 ${r.admins.after.join('、') || '（无）'}`,
      ],
    },
    { heading: '不能变更的原因', lines: r.problems, empty: '无' },
    ...(r.moved.length > 0
      ? [{ heading: '已变动的用户或角色（未做任何修改）', table: differingTable('用户或角色', r.moved) }]
      : []),
    ...(r.plan
      ? []
      : [
          {
            heading: '逐项预览',
            table: previewTable('用户或角色', r.entities),
            empty: '无',
          },
        ]),
    ...(r.differ
      ? [
          {
            heading: '验证',
            lines: [
              r.differ.length === 0 ? '每个用户和角色均与预期一致' : `${r.differ.length} 项与预期不一致`,
            ],
            ...(r.differ.length > 0 && { table: differingTable('用户或角色', r.differ) }),
          },
        ]
      : []),
  ];
  return runbookReportMarkdown(run, {
    title: `用户权限变更报告 — ${subsystemKindTitles[r.system]}`,
    outcome: accessChangeOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections,
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
    ...(r.applied && {
      actions: [
        {
          command: r.plan?.actions[0]?.command ?? r.system,
          target: 'treasury',
          detail:
            r.applied.outcome === 'already'
              ? '重试时发现已执行，未重复修改'
              : `${r.applied.statements} 条语句`,
          at: r.applied.at,
        },
      ],
    }),
  });
}
