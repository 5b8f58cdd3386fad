/**
 * The data fix's report (错误数据处理报告): the fix and its id (what an undo takes), why it was
 * refused before approval or stopped because rows had moved, what its one transaction did and
 * the verification — then the plan with every row before and after, the votes and the change
 * (domain/reports/runbook-report.ts). The undo's report (data-fix-undo.report.ts) shares the
 * sections. Pure.
 */
import { code, inline } from '../reports/markdown.ts';
import { differingTable, previewTable } from '../reports/row-tables.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import type { DataFixOutcome, DataFixResult, FixFacts } from './data-fix.types.ts';

export const dataFixOutcomeLabel: Record<DataFixOutcome, string> = {
  fixed: '已修复并验证',
  refused: '不能按所请修复，未做任何修改',
  moved: '审批后数据已变动，已停止，未做任何修改',
  unverified: '已修改，但验证未通过（需人工核对）',
  planned: '仅生成预览（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
};

export type DataFixReportFacts = Omit<DataFixResult, 'runbook' | 'workflowId' | 'report'>;

/** The sections a fix's and an undo's report share: refusals, moved rows, the preview, the change and its verification. */
export function fixSections(r: FixFacts, refusal: string): ReportSection[] {
  return [
    { heading: refusal, lines: r.problems, empty: '无' },
    ...(r.moved.length > 0
      ? [
          {
            heading: '已变动的行（未做任何修改）',
            table: differingTable('主键', r.moved),
          },
        ]
      : []),
    ...(r.plan
      ? []
      : [
          {
            heading: '逐行预览',
            table: previewTable('主键', r.rows),
            empty: '没有需要修改的行',
          },
        ]),
    ...(r.applied
      ? [
          {
            heading: '执行',
            lines: [
              `在一个事务中修改 ${r.applied.rows} 行${r.applied.outcome === 'already' ? '（重试时发现已执行，未重复修改）' : ''}`,
              inline('修改前数据（加密留存）的摘要：', code(r.applied.imageDigest)),
            ],
          },
        ]
      : []),
    ...(r.verification
      ? [
          {
            heading: '验证',
            lines: [
              r.verification.ok ? '每一行均与预期一致' : `${r.verification.differ.length} 行与预期不一致`,
            ],
            ...(r.verification.differ.length > 0 && {
              table: differingTable('主键', r.verification.differ),
            }),
          },
        ]
      : []),
  ];
}

/** The plan, its votes and the one change, as the frame shows them. */
export function approvedChange(r: FixFacts) {
  return {
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
    ...(r.applied && {
      actions: [
        {
          command: r.plan?.actions[0]?.command ?? r.fixId,
          target: 'treasury',
          detail: `${r.applied.rows} 行`,
          at: r.applied.at,
        },
      ],
    }),
  };
}

export function dataFixReport(run: ReportRun, r: DataFixReportFacts): string {
  return runbookReportMarkdown(run, {
    title: `错误数据处理报告 — ${r.title} ${r.fixId}`,
    outcome: dataFixOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections: [
      {
        heading: '修复项',
        lines: [
          inline('编号：', code(r.fixId), '（撤销时使用：data-fix-undo）'),
          `修复：${r.title}（${r.fix}），表 ${r.table}`,
          `修改 ${r.rows.length} 行；查询到而不修改 ${r.untouched} 行`,
        ],
      },
      ...fixSections(r, '不能修复的原因'),
    ],
    ...approvedChange(r),
  });
}
