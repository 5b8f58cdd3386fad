/** 省厅版本升级 — the provincial version upgrade's catalog entry (see shared/runbook-definition.ts). */
import { localHostName } from '../domain/host-config.ts';
import { versionUpgradeInputSchema } from '../domain/runbooks/version-upgrade.types.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';
import { versionUpgrade } from './version-upgrade.ts';

export { versionUpgrade };

export const versionUpgradeRunbook = defineRunbook({
  id: 'version-upgrade',
  workflow: versionUpgrade,
  input: versionUpgradeInputSchema,
  example: {
    package: 'payment-3.5.0',
    requestedBy: 'zhang.san',
    reason: '省厅通知：支付系统 3.5.0 升级',
    dryRun: true,
  },
  fields: {
    package: '升级包（产品-版本，如 payment-3.5.0）',
    host: '安装主机（默认按站点配置）',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: bankRunLabels.dryRun,
    smokeWaitSeconds: '冒烟测试等待银行应答（秒）',
  },
  // One upgrade per package: a second start while it runs is refused; the package is checked by the run.
  workflowId: (input) => `version-upgrade/${input.package}`,
  siteProblems: (input, site) => {
    const hosts = [localHostName, ...site.hosts.map((h) => h.name)];
    return [
      ...(site.releases
        ? []
        : ['input.package: the site file has no releases section (the release repository)']),
      ...(input.host !== undefined && !hosts.includes(input.host)
        ? [`input.host: no host named ${input.host} in the site; declared: ${hosts.join(', ')}`]
        : []),
    ];
  },
  changes: true,
  approval: { policy: { roles: ['finance-approver'] }, steps: { execute: {} } },
  zones: ['comm', 'db'],
});
