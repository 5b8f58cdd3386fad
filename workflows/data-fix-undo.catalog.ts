/** 错误数据处理撤销 — the data fix undo's catalog entry (see shared/runbook-definition.ts). */
import { dataFixUndoInputSchema } from '../domain/runbooks/data-fix.types.ts';
import { treasuryDataChange } from './data-fix.catalog.ts';
import { dataFixUndo } from './data-fix-undo.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';

export { dataFixUndo };

export const dataFixUndoRunbook = defineRunbook({
  id: 'data-fix-undo',
  workflow: dataFixUndo,
  input: dataFixUndoInputSchema,
  example: {
    fixId: 'DF20261127-1a2b3c4d',
    requestedBy: 'zhang.san',
    reason: '修复有误，恢复原值',
    dryRun: true,
  },
  fields: {
    fixId: '修复编号（如 DF20261127-1a2b3c4d）',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: '只出预览，不执行',
  },
  // One undo of a fix: a second start while it runs is refused, and after it ends finds the fix undone.
  workflowId: (input) => `data-fix-undo/${input.fixId}`,
  ...treasuryDataChange,
});
