/**
 * What approvers read before a data fix and before its undo: the fix and why, every row it
 * changes before and after (payee data masked), and the one statement, bound to those rows by the
 * preview's digest — the change declares the same text, so the approval covers exactly these rows.
 * Pure.
 */
import type { ApprovalPlan, PlanRow } from '../approvals/gate-types.ts';
import { dataFix } from '../data-fixes/fixes.ts';
import { fixCommand, undoCommand, type FixPreview, type PreviewRow } from '../data-fixes/preview.ts';
import type { FixTable } from '../data-fixes/fix-tables.ts';
import type { FixJournal } from './data-fix.types.ts';

const planRows = (table: FixTable, rows: readonly PreviewRow[]): PlanRow[] =>
  rows.map((r) => ({ table, key: r.key, before: r.before, after: r.after }));

export function dataFixPlan(f: {
  fixId: string;
  preview: FixPreview;
  params: unknown;
  reason: string;
}): ApprovalPlan {
  const { fixId, preview } = f;
  const fix = dataFix(preview.fix);
  const n = preview.rows.length;
  return {
    runbook: 'data-fix',
    title: { zh: `错误数据处理：${fix.title.zh}（${fixId}）`, en: `Data fix: ${fix.title.en} (${fixId})` },
    findings: [
      { zh: `原因：${f.reason}`, en: `Reason: ${f.reason}` },
      {
        zh: `修改表 ${preview.table} 的 ${n} 行${preview.untouched > 0 ? `（查询到的另 ${preview.untouched} 行不修改）` : ''}。在一个事务中执行：执行前逐行核对与本预览一致，如有任何一行已变动则停止、不做任何修改；修改前的数据加密留存，可凭编号 ${fixId} 撤销（data-fix-undo）。`,
        en: `Changes ${n} row(s) of ${preview.table}${preview.untouched > 0 ? ` (${preview.untouched} more found and left as they are)` : ''}, in one transaction: each row is first compared with this preview, and if any has moved nothing is changed; the rows before the change are kept sealed, and ${fixId} undoes it (data-fix-undo).`,
      },
    ],
    actions: [
      {
        kind: 'sql',
        target: 'treasury',
        command: fixCommand(preview.fix, f.params, fixId, preview.rows),
        description: { zh: `${fix.title.zh}：按预览逐行修改`, en: `${fix.title.en}: each row as previewed` },
      },
    ],
    rows: planRows(preview.table, preview.rows),
  };
}

/** The rows an undo changes: each as the fix left it, and the values it puts back. */
export function undoRows(journal: FixJournal, now: ReadonlyMap<string, PreviewRow['before']>): PreviewRow[] {
  return journal.rows.map((r) => ({
    key: r.key,
    before: now.get(r.key) ?? {},
    after: r.restore,
    beforeDigest: r.afterDigest,
    afterDigest: r.beforeDigest,
  }));
}

export function dataFixUndoPlan(u: {
  journal: FixJournal;
  rows: PreviewRow[];
  reason: string;
}): ApprovalPlan {
  const { journal } = u;
  const fix = dataFix(journal.fix);
  return {
    runbook: 'data-fix-undo',
    title: {
      zh: `撤销错误数据处理 ${journal.fixId}：${fix.title.zh}`,
      en: `Undo data fix ${journal.fixId}: ${fix.title.en}`,
    },
    findings: [
      { zh: `原因：${u.reason}`, en: `Reason: ${u.reason}` },
      {
        zh: `${journal.appliedAt} 由 ${journal.workflowId} 修改的 ${u.rows.length} 行均未再变动，恢复为修改前的值。在一个事务中执行：执行前再次逐行核对，如有任何一行已变动则停止、不做任何修改。`,
        en: `The ${u.rows.length} row(s) ${journal.workflowId} changed at ${journal.appliedAt} have not moved since; they are put back as they were, in one transaction that first compares each row again and changes nothing if any has moved.`,
      },
    ],
    actions: [
      {
        kind: 'sql',
        target: 'treasury',
        command: undoCommand(journal.fixId, journal.table, u.rows),
        description: { zh: '逐行恢复修改前的值', en: 'Each row put back as it was' },
      },
    ],
    rows: planRows(journal.table, u.rows),
  };
}
