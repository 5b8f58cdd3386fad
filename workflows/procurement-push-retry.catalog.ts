/** 政采云推送重试 — the procurement push retry's catalog entry (see shared/runbook-definition.ts). */
import { procurementPushRetryInputSchema } from '../domain/runbooks/procurement-push-retry.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
import { procurementPushRetry } from './procurement-push-retry.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';

export { procurementPushRetry };

export const procurementPushRetryRunbook = defineRunbook({
  id: 'procurement-push-retry',
  workflow: procurementPushRetry,
  input: procurementPushRetryInputSchema,
  example: { requestedBy: 'zhang.san', reason: '政采云维护结束，确认书待重推', dryRun: true },
  fields: {
    subsystem: '政采云推送子系统（默认唯一的一个）',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: bankRunLabels.dryRun,
    maxItems: '本次最多处理的失败确认书份数',
    verifySeconds: '重推后等待政采云收到（秒）',
  },
  workflowId: (input, day) => `procurement-push-retry/${input.subsystem ?? 'procurement'}/${day.today}`,
  siteProblems: (input, site) => {
    const s = subsystemOfKind(site.subsystems, 'procurement-push', input.subsystem);
    return typeof s === 'string' ? [s] : [];
  },
  changes: true,
  approval: { policy: { roles: ['finance-approver'] }, steps: { execute: {} } },
  zones: ['comm', 'db'],
});
