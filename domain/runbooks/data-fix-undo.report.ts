/**
 * The report of a data fix's undo (错误数据处理撤销报告): the fix undone and the run that applied
 * it, why the undo was refused (undone already, rows that moved since — each listed as it is now),
 * what its transaction put back and the verification that every row is as before the fix. Pure.
 */
import { code, inline } from '../reports/markdown.ts';
import { runbookReportMarkdown, type ReportRun } from '../reports/runbook-report.ts';
import { approvedChange, fixSections } from './data-fix.report.ts';
import type { DataFixUndoOutcome, DataFixUndoResult } from './data-fix.types.ts';

export const dataFixUndoOutcomeLabel: Record<DataFixUndoOutcome, string> = {
  undone: '已撤销，每一行均恢复为修改前',
  'already-undone': '该修复已被撤销过，未做任何修改',
  moved: '修复后数据已变动，不能撤销，未做任何修改',
  unverified: '已撤销，但验证未通过（需人工核对）',
  planned: '仅生成预览（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
};

export type DataFixUndoReportFacts = Omit<DataFixUndoResult, 'runbook' | 'workflowId' | 'report'>;

export function dataFixUndoReport(run: ReportRun, r: DataFixUndoReportFacts): string {
  return runbookReportMarkdown(run, {
    title: `错误数据处理撤销报告 — ${r.title} ${r.fixId}`,
    outcome: dataFixUndoOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections: [
      {
        heading: '撤销的修复',
        lines: [
          inline('编号：', code(r.fixId), `（${r.title}，表 ${r.table}）`),
          inline('修复运行：', code(r.fixedBy)),
          `恢复 ${r.rows.length} 行`,
        ],
      },
      ...fixSections(r, '不能撤销的原因'),
    ],
    ...approvedChange(r),
  });
}
