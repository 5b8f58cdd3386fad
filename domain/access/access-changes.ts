/**
 * Users, roles and permissions of one application system (the payment system, the user-account
 * management system), and a bulk change to them: each user's roles granted or revoked and the user
 * enabled or disabled, each role's permissions granted or revoked. Worked out here, as pure code,
 * over the system's access as read: what the input names that does not exist (bad input), each
 * user and role before and after (their digests for compare-and-set; a user's name masked), the
 * people whose access changes (none may approve it — the plan's `concerns`), and why the change
 * cannot go on: a grant already held, a revoke of what is not held, or no active administrator
 * left. The statements that carry it out are written here too, so the plan and the change declare
 * the same text.
 */
import { planDigest } from '../approvals/decision.ts';
import { maskName } from '../display.ts';
import type { RowNow } from '../row-changes.ts';

/** The permission that makes a role an administrator's: the system's own administration. */
export const adminPermission = 'system.admin';

export const accessSystems = ['payment', 'user-accounts'] as const;
export type AccessSystem = (typeof accessSystems)[number];

export type UserStatus = 'active' | 'disabled';

export interface AppUser {
  user: string;
  name: string;
  status: UserStatus;
  roles: string[];
}

export interface AppRole {
  role: string;
  title: string;
  permissions: string[];
}

/** A system's access as read: every user with their roles, every role with its permissions, every permission. */
export interface AccessState {
  system: AccessSystem;
  users: AppUser[];
  roles: AppRole[];
  permissions: string[];
}

export interface UserChange {
  user: string;
  grant?: string[] | undefined;
  revoke?: string[] | undefined;
  status?: UserStatus | undefined;
}

export interface RoleChange {
  role: string;
  grant?: string[] | undefined;
  revoke?: string[] | undefined;
}

export interface AccessRequest {
  users: UserChange[];
  roles: RoleChange[];
}

type Shown = Record<string, string | number | null>;

/** One user or role as the change finds it and leaves it. */
export interface AccessEntity {
  kind: 'user' | 'role';
  /** `user:<id>` or `role:<id>`. */
  key: string;
  /** As it is (a user's name masked). */
  before: Shown;
  /** What the change sets. */
  after: Shown;
  beforeDigest: string;
  afterDigest: string;
}

export interface AccessPreview {
  system: AccessSystem;
  entities: AccessEntity[];
  /** Why the change cannot go on as asked (none: it can). */
  problems: string[];
  /** Everyone whose access changes: the users changed and every user holding a role changed. */
  concerns: string[];
  /** The active administrators before and after. */
  admins: { before: string[]; after: string[] };
  /** The statements that carry the change out, in order. */
  statements: string[];
}

const sorted = (items: Iterable<string>) => [...new Set(items)].sort();
const listed = (items: readonly string[]) => (items.length > 0 ? items.join('、') : '（无）');
const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

export const userKey = (user: string) => `user:${user}`;
export const roleKey = (role: string) => `role:${role}`;

function userDigest(u: Pick<AppUser, 'user' | 'status' | 'roles'>): string {
  return planDigest(['user', u.user, u.status, sorted(u.roles)]);
}

function roleDigest(r: Pick<AppRole, 'role' | 'permissions'>): string {
  return planDigest(['role', r.role, sorted(r.permissions)]);
}

/** Input naming a user, role or permission the system does not have: bad input, each named by its field. */
export function missingInAccess(state: AccessState, request: AccessRequest): string[] {
  const users = new Set(state.users.map((u) => u.user));
  const roles = new Set(state.roles.map((r) => r.role));
  const permissions = new Set(state.permissions);
  const unknown = (field: string, items: readonly string[] | undefined, known: Set<string>, what: string) =>
    (items ?? []).flatMap((item, i) =>
      known.has(item) ? [] : [`${field}[${i}]: no ${what} ${item} in the ${state.system} system`],
    );
  return [
    ...request.users.flatMap((c, i) => [
      ...(users.has(c.user)
        ? []
        : [`input.users[${i}].user: no user ${c.user} in the ${state.system} system`]),
      ...unknown(`input.users[${i}].grant`, c.grant, roles, 'role'),
      ...unknown(`input.users[${i}].revoke`, c.revoke, roles, 'role'),
    ]),
    ...request.roles.flatMap((c, i) => [
      ...(roles.has(c.role)
        ? []
        : [`input.roles[${i}].role: no role ${c.role} in the ${state.system} system`]),
      ...unknown(`input.roles[${i}].grant`, c.grant, permissions, 'permission'),
      ...unknown(`input.roles[${i}].revoke`, c.revoke, permissions, 'permission'),
    ]),
  ];
}

/** The system's access once the request is applied. */
export function accessAfter(state: AccessState, request: AccessRequest): AccessState {
  const userChanges = new Map(request.users.map((c) => [c.user, c]));
  const roleChanges = new Map(request.roles.map((c) => [c.role, c]));
  const moved = (items: string[], c?: { grant?: string[] | undefined; revoke?: string[] | undefined }) =>
    sorted([...items, ...(c?.grant ?? [])].filter((x) => !(c?.revoke ?? []).includes(x)));
  return {
    ...state,
    users: state.users.map((u) => {
      const c = userChanges.get(u.user);
      return c ? { ...u, status: c.status ?? u.status, roles: moved(u.roles, c) } : u;
    }),
    roles: state.roles.map((r) => {
      const c = roleChanges.get(r.role);
      return c ? { ...r, permissions: moved(r.permissions, c) } : r;
    }),
  };
}

/** The active users who hold a role with the administrator's permission. */
export function administrators(state: AccessState): string[] {
  const adminRoles = new Set(
    state.roles.filter((r) => r.permissions.includes(adminPermission)).map((r) => r.role),
  );
  return state.users
    .filter((u) => u.status === 'active' && u.roles.some((r) => adminRoles.has(r)))
    .map((u) => u.user)
    .sort();
}

/** What is asked that is already so: a grant held, a revoke not held, a status the user has. */
function redundant(state: AccessState, request: AccessRequest): string[] {
  const users = new Map(state.users.map((u) => [u.user, u]));
  const roles = new Map(state.roles.map((r) => [r.role, r]));
  return [
    ...request.users.flatMap((c) => {
      const u = users.get(c.user);
      if (!u) return [];
      return [
        ...(c.grant ?? []).filter((r) => u.roles.includes(r)).map((r) => `用户 ${c.user} 已有角色 ${r}`),
        ...(c.revoke ?? []).filter((r) => !u.roles.includes(r)).map((r) => `用户 ${c.user} 没有角色 ${r}`),
        ...(c.status === u.status ? [`用户 ${c.user} 已是 ${u.status}`] : []),
      ];
    }),
    ...request.roles.flatMap((c) => {
      const r = roles.get(c.role);
      if (!r) return [];
      return [
        ...(c.grant ?? [])
          .filter((p) => r.permissions.includes(p))
          .map((p) => `角色 ${c.role} 已有权限 ${p}`),
        ...(c.revoke ?? [])
          .filter((p) => !r.permissions.includes(p))
          .map((p) => `角色 ${c.role} 没有权限 ${p}`),
      ];
    }),
  ];
}

/** Each user's and role's digest now, by key. */
export function accessNow(state: AccessState): RowNow[] {
  return [
    ...state.users.map((u) => ({ key: userKey(u.user), digest: userDigest(u), row: shownUser(u) })),
    ...state.roles.map((r) => ({ key: roleKey(r.role), digest: roleDigest(r), row: shownRole(r) })),
  ];
}

const shownUser = (u: AppUser): Shown => ({
  user_name: maskName(u.name),
  status: u.status,
  roles: listed(sorted(u.roles)),
});
const shownRole = (r: AppRole): Shown => ({ title: r.title, permissions: listed(sorted(r.permissions)) });

/** The change worked out over the system's access as read: see the module header. */
export function previewAccess(state: AccessState, request: AccessRequest): AccessPreview {
  const after = accessAfter(state, request);
  const admins = { before: administrators(state), after: administrators(after) };
  const problems = redundant(state, request);
  if (admins.after.length === 0)
    problems.push(
      `拒绝：变更后${state.system}系统将没有在用的系统管理员（现有 ${listed(admins.before)}）；不能移除最后一个管理员`,
    );
  const entities: AccessEntity[] = [
    ...request.users.flatMap((c) => {
      const was = state.users.find((u) => u.user === c.user);
      const now = after.users.find((u) => u.user === c.user);
      if (!was || !now) return [];
      return [
        {
          kind: 'user' as const,
          key: userKey(c.user),
          before: shownUser(was),
          after: {
            ...(c.status !== undefined && { status: c.status }),
            ...(c.grant?.length || c.revoke?.length ? { roles: listed(now.roles) } : {}),
          },
          beforeDigest: userDigest(was),
          afterDigest: userDigest(now),
        },
      ];
    }),
    ...request.roles.flatMap((c) => {
      const was = state.roles.find((r) => r.role === c.role);
      const now = after.roles.find((r) => r.role === c.role);
      if (!was || !now) return [];
      return [
        {
          kind: 'role' as const,
          key: roleKey(c.role),
          before: shownRole(was),
          after: { permissions: listed(now.permissions) },
          beforeDigest: roleDigest(was),
          afterDigest: roleDigest(now),
        },
      ];
    }),
  ];
  const changedRoles = new Set(request.roles.map((c) => c.role));
  const concerns = sorted([
    ...request.users.map((c) => c.user),
    ...state.users.filter((u) => u.roles.some((r) => changedRoles.has(r))).map((u) => u.user),
  ]);
  return {
    system: state.system,
    entities,
    problems,
    concerns,
    admins,
    statements: accessStatements(state.system, request),
  };
}

/** The statements that carry the request out, in the order they run. */
export function accessStatements(system: AccessSystem, request: AccessRequest): string[] {
  const s = quote(system);
  return [
    ...request.users.flatMap((c) => [
      ...(c.revoke ?? []).map(
        (r) =>
          `DELETE FROM app_user_roles WHERE system = ${s} AND user_id = ${quote(c.user)} AND role = ${quote(r)}`,
      ),
      ...(c.grant ?? []).map(
        (r) =>
          `INSERT INTO app_user_roles (system, user_id, role) VALUES (${s}, ${quote(c.user)}, ${quote(r)})`,
      ),
      ...(c.status !== undefined
        ? [
            `UPDATE app_users SET status = ${quote(c.status)}, updated_at = :now WHERE system = ${s} AND user_id = ${quote(c.user)}`,
          ]
        : []),
    ]),
    ...request.roles.flatMap((c) => [
      ...(c.revoke ?? []).map(
        (p) =>
          `DELETE FROM app_role_permissions WHERE system = ${s} AND role = ${quote(c.role)} AND permission = ${quote(p)}`,
      ),
      ...(c.grant ?? []).map(
        (p) =>
          `INSERT INTO app_role_permissions (system, role, permission) VALUES (${s}, ${quote(c.role)}, ${quote(p)})`,
      ),
    ]),
  ];
}

/** The part of each user and role the change is bound to: its key and its digests either side. */
export type BoundEntity = Pick<AccessEntity, 'key' | 'beforeDigest' | 'afterDigest'>;

/** The plan's one action: every statement, then the digest of the entities they were previewed against. */
export function accessCommand(
  system: AccessSystem,
  request: AccessRequest,
  entities: readonly BoundEntity[],
): string {
  const digest = planDigest(entities.map((e) => [e.key, e.beforeDigest, e.afterDigest]));
  return [
    ...accessStatements(system, request),
    `/* ${system}：${entities.length} 个用户或角色，预览 ${digest.slice(0, 16)} */`,
  ].join('\n');
}
