/** 系统迁移 — the system migration's catalog entry (see shared/runbook-definition.ts). */
import { localHostName } from '../domain/host-config.ts';
import { systemMigrationInputSchema } from '../domain/runbooks/system-migration.types.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';
import { systemMigration } from './system-migration.ts';

export { systemMigration };

export const systemMigrationRunbook = defineRunbook({
  id: 'system-migration',
  workflow: systemMigration,
  input: systemMigrationInputSchema,
  example: {
    subsystem: 'accounting',
    target: 'acct-app-02',
    requestedBy: 'zhang.san',
    reason: '会计核算系统迁往新服务器（机房改造）',
    dryRun: true,
  },
  fields: {
    subsystem: '迁移的子系统',
    target: '迁往的主机（站点配置中该子系统的迁移目标）',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: bankRunLabels.dryRun,
    trafficWaitSeconds: '切换后等待新环境应答（秒）',
  },
  // One migration of a subsystem to a host: a second start while it runs is refused.
  workflowId: (input) => `system-migration/${input.subsystem}/${input.target}`,
  siteProblems: (input, site) => {
    const hosts = [...new Set([localHostName, ...site.hosts.map((h) => h.name)])];
    const s = site.subsystems.find((x) => x.id === input.subsystem);
    if (!s)
      return [
        `input.subsystem: no subsystem ${input.subsystem} in the site file; declared: ${site.subsystems.map((x) => x.id).join(', ')}`,
      ];
    if (!hosts.includes(input.target))
      return [`input.target: no host named ${input.target} in the site; declared: ${hosts.join(', ')}`];
    const declared = s.migrationTargets.map((t) => t.host);
    return declared.includes(input.target)
      ? []
      : [
          `input.target: ${s.id} declares no migration target on ${input.target}; declared: ${declared.join(', ') || 'none'}`,
        ];
  },
  changes: true,
  approval: { policy: { roles: ['finance-approver'] }, steps: { execute: {}, decommission: {} } },
  zones: ['comm', 'db'],
});
