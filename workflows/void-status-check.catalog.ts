/** 作废状态检查 — the void status check's catalog entry (see shared/runbook-definition.ts). */
import { voidStatusCheckInputSchema } from '../domain/runbooks/void-status-check.types.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankCheckLabels, bankDayProblems, bankDayWorkflowId } from './shared/start-checks.ts';
import { voidStatusCheck } from './void-status-check.ts';

export { voidStatusCheck };

export const voidStatusCheckRunbook = defineRunbook({
  id: 'void-status-check',
  workflow: voidStatusCheck,
  input: voidStatusCheckInputSchema,
  example: { bank: 'CCB', requestedBy: 'zhang.san', overdueMinutes: 60 },
  fields: {
    ...bankCheckLabels,
    overdueMinutes: '作废请求超时（分钟）',
    verifySeconds: '重发请求后等待（秒）',
  },
  workflowId: bankDayWorkflowId('void-status-check'),
  siteProblems: bankDayProblems,
  changes: true,
  approval: { policy: {}, steps: { apply: {} } },
  zones: ['db'],
});
