/** 退款跟踪 — refund tracking's catalog entry (see shared/runbook-definition.ts). */
import { refundTrackingInputSchema } from '../domain/runbooks/refund-tracking.types.ts';
import { refundTracking } from './refund-tracking.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankCheckLabels, bankDayProblems, bankDayWorkflowId } from './shared/start-checks.ts';

export { refundTracking };

export const refundTrackingRunbook = defineRunbook({
  id: 'refund-tracking',
  workflow: refundTracking,
  input: refundTrackingInputSchema,
  example: { bank: 'ICBC', requestedBy: 'zhang.san', overdueHours: 24 },
  fields: { ...bankCheckLabels, overdueHours: '退款未结超时（小时）', verifySeconds: '重发请求后等待（秒）' },
  workflowId: bankDayWorkflowId('refund-tracking'),
  siteProblems: bankDayProblems,
  changes: true,
  approval: { policy: {}, steps: { apply: {} } },
  zones: ['db'],
});
