/**
 * The users, roles and permissions the sandbox's payment system and user-account management system
 * start with: one administrator each (so removing the last one has something to refuse), clerks,
 * reviewers and read-only staff. Fixed, not drawn from the seed: tests name these people.
 */
import type { AccessTables } from '../../connectors/treasury/schema-access.ts';

interface SystemSeed {
  permissions: [string, string][];
  roles: [string, string, string[]][];
  users: [string, string, string[]][];
}

const systems: Record<string, SystemSeed> = {
  payment: {
    permissions: [
      ['system.admin', '系统管理'],
      ['user.manage', '用户管理'],
      ['voucher.create', '录入凭证'],
      ['voucher.submit', '提交凭证'],
      ['voucher.approve', '审核凭证'],
      ['voucher.view', '查看凭证'],
      ['report.view', '查看报表'],
      ['report.export', '导出报表'],
    ],
    roles: [
      ['sys-admin', '系统管理员', ['system.admin', 'user.manage']],
      ['cashier', '出纳', ['voucher.create', 'voucher.submit', 'voucher.view']],
      ['reviewer', '审核', ['voucher.approve', 'voucher.view']],
      ['auditor', '查询', ['voucher.view', 'report.view']],
    ],
    users: [
      ['sys.admin', '周建国', ['sys-admin']],
      ['li.chuna', '李娜', ['cashier']],
      ['zhao.shenhe', '赵敏', ['reviewer']],
      ['qian.chaxun', '钱伟', ['auditor']],
      ['sun.kuaiji', '孙丽', ['cashier', 'auditor']],
    ],
  },
  'user-accounts': {
    permissions: [
      ['system.admin', '系统管理'],
      ['account.manage', '账户管理'],
      ['account.open', '开户登记'],
      ['account.view', '查看账户'],
    ],
    roles: [
      ['uam-admin', '用户账户管理员', ['system.admin', 'account.manage']],
      ['operator', '经办', ['account.open', 'account.view']],
      ['viewer', '查询', ['account.view']],
    ],
    users: [
      ['uam.admin', '吴强', ['uam-admin']],
      ['zheng.jingban', '郑洁', ['operator']],
      ['feng.chaxun', '冯涛', ['viewer']],
    ],
  },
};

/** Every table's rows, as the seed inserts them. */
export function accessSeed(at: string): { [T in keyof AccessTables]: AccessTables[T][] } {
  const each = <R>(fn: (system: string, s: SystemSeed) => R[]) =>
    Object.entries(systems).flatMap(([system, s]) => fn(system, s));
  return {
    app_permissions: each((system, s) =>
      s.permissions.map(([permission, title]) => ({ system, permission, title })),
    ),
    app_roles: each((system, s) => s.roles.map(([role, title]) => ({ system, role, title }))),
    app_role_permissions: each((system, s) =>
      s.roles.flatMap(([role, , permissions]) =>
        permissions.map((permission) => ({ system, role, permission })),
      ),
    ),
    app_users: each((system, s) =>
      s.users.map(([user_id, user_name]) => ({
        system,
        user_id,
        user_name,
        status: 'active' as const,
        updated_at: at,
      })),
    ),
    app_user_roles: each((system, s) =>
      s.users.flatMap(([user_id, , roles]) => roles.map((role) => ({ system, user_id, role }))),
    ),
    access_change_journal: [],
  };
}
