/**
 * What approvers read before an access change: the system and why, every user and role before and
 * after (names masked), whose access changes — none of whom may approve it (`concerns`) — the
 * administrators left, and every statement, bound to the users and roles previewed by their digest:
 * the change declares the same text, so the approval covers exactly this. Pure.
 */
import type { ApprovalPlan } from '../approvals/gate-types.ts';
import { accessCommand, type AccessPreview, type AccessRequest } from '../access/access-changes.ts';
import { subsystemKindTitles } from '../subsystem-config.ts';

const listed = (items: readonly string[]) => (items.length > 0 ? items.join('、') : '（无）');

export function accessChangePlan(a: {
  preview: AccessPreview;
  request: AccessRequest;
  reason: string;
}): ApprovalPlan {
  const { preview, request } = a;
  const system = subsystemKindTitles[preview.system];
  const users = preview.entities.filter((e) => e.kind === 'user').length;
  const roles = preview.entities.length - users;
  return {
    runbook: 'access-change',
    title: {
      zh: `用户权限变更：${system}（${users} 个用户，${roles} 个角色）`,
      en: `Access change: ${preview.system} (${users} user(s), ${roles} role(s))`,
    },
    findings: [
      { zh: `原因：${a.reason}`, en: `Reason: ${a.reason}` },
      {
        zh: `权限受影响的人员（不能审批本次变更）：${listed(preview.concerns)}`,
        en: `Whose access changes (they may not approve it): ${listed(preview.concerns)}`,
      },
      {
        zh: `变更后在用的系统管理员：${listed(preview.admins.after)}（变更前：${listed(preview.admins.before)}）`,
        en: `Active administrators after: ${listed(preview.admins.after)} (before: ${listed(preview.admins.before)})`,
      },
      {
        zh: '在一个事务中执行：执行前再次核对每个用户和角色与本预览一致、且仍有在用的系统管理员，否则不做任何修改。',
        en: 'In one transaction that first checks every user and role against this preview, and that an administrator remains; otherwise nothing is changed.',
      },
    ],
    actions: [
      {
        kind: 'sql',
        target: 'treasury',
        command: accessCommand(preview.system, request, preview.entities),
        description: {
          zh: `${system}：逐条执行权限变更`,
          en: `${preview.system}: each statement of the change`,
        },
      },
    ],
    rows: preview.entities.map((e) => ({
      table: e.kind === 'user' ? 'app_users' : 'app_roles',
      key: e.key,
      before: e.before,
      after: e.after,
    })),
    concerns: preview.concerns,
  };
}
