/** 预算一体化数据交换恢复 — exchange recovery's catalog entry (see shared/runbook-definition.ts). */
import { exchangeRecoveryInputSchema } from '../domain/runbooks/exchange-recovery.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
import { exchangeRecovery } from './exchange-recovery.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';

export { exchangeRecovery };

export const exchangeRecoveryRunbook = defineRunbook({
  id: 'exchange-recovery',
  workflow: exchangeRecovery,
  input: exchangeRecoveryInputSchema,
  example: { requestedBy: 'zhang.san', reason: '下行凭证因基础资料缺失失败，基础资料已同步', dryRun: true },
  fields: {
    subsystem: '交换子系统（默认唯一的预算一体化交换）',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: bankRunLabels.dryRun,
    replay: '重放原因已消除的失败数据',
    maxItems: '本次最多处理的失败数据笔数',
    drainSeconds: '恢复后观察积压消化（秒）',
  },
  workflowId: (input, day) => `exchange-recovery/${input.subsystem ?? 'budget-exchange'}/${day.today}`,
  siteProblems: (input, site) => {
    const s = subsystemOfKind(site.subsystems, 'budget-exchange', input.subsystem);
    return typeof s === 'string' ? [s] : [];
  },
  changes: true,
  approval: { policy: { roles: ['comm-approver', 'finance-approver'] }, steps: { execute: {} } },
  zones: ['comm', 'db'],
});
