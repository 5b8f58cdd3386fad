/** 用户权限变更 — the access change's catalog entry (see shared/runbook-definition.ts). */
import { accessSystems } from '../domain/access/access-changes.ts';
import { accessChangeInputSchema } from '../domain/runbooks/access-change.types.ts';
import { subsystemKindTitles } from '../domain/subsystem-config.ts';
import { accessChange } from './access-change.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankRunLabels } from './shared/start-checks.ts';

export { accessChange };

export const accessChangeRunbook = defineRunbook({
  id: 'access-change',
  workflow: accessChange,
  input: accessChangeInputSchema,
  example: {
    system: 'payment',
    users: [
      { user: 'li.chuna', grant: ['reviewer'], revoke: ['cashier'] },
      { user: 'qian.chaxun', status: 'disabled' },
    ],
    roles: [{ role: 'auditor', grant: ['report.export'] }],
    requestedBy: 'zhang.san',
    reason: '岗位调整（人事通知 2026-118 号）',
    dryRun: true,
  },
  fields: {
    system: {
      label: '系统',
      options: Object.fromEntries(accessSystems.map((s) => [s, subsystemKindTitles[s]])),
    },
    users: '用户',
    'users.user': '用户名',
    'users.grant': '授予角色',
    'users.revoke': '收回角色',
    'users.status': { label: '账号状态', options: { active: '启用', disabled: '停用' } },
    roles: '角色',
    'roles.role': '角色名',
    'roles.grant': '授予权限',
    'roles.revoke': '收回权限',
    requestedBy: bankRunLabels.requestedBy,
    reason: bankRunLabels.reason,
    dryRun: '只出预览，不执行',
  },
  // One change of a system's access at a time: a second start the same day while one runs is refused.
  workflowId: (input, day) => `access-change/${input.system}/${day.today}`,
  siteProblems: (input, site) =>
    site.subsystems.some((s) => s.kind === input.system)
      ? []
      : [`input.system: the site declares no ${input.system} subsystem`],
  changes: true,
  approval: {
    policy: { roles: ['finance-approver'], deputyRoles: ['finance-director'] },
    steps: { execute: {} },
  },
  zones: ['db'],
});
