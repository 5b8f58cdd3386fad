/**
 * The application systems' access in the treasury database, on SQLite and on Oracle alike: one
 * system's users with their roles and its roles with their permissions, read whole (locked on
 * Oracle when read inside the change's transaction: SELECT … FOR UPDATE); a change written as the
 * statements domain/access/access-changes.ts plans, through the query builder; and the journal.
 */
import type { Kysely } from 'kysely';
import type {
  AccessRequest,
  AccessState,
  AccessSystem,
  UserStatus,
} from '../../domain/access/access-changes.ts';
import { isSqlite } from './portable.ts';
import type { AccessChangeJournalTable } from './schema-access.ts';
import type { TreasuryDatabase } from './schema.ts';

type Db = Kysely<TreasuryDatabase>;

/** The system's users, roles and permissions; `lock`: its users and roles held until the transaction ends (Oracle). */
export async function readAccess(db: Db, system: AccessSystem, lock = false): Promise<AccessState> {
  const locking = lock && !isSqlite(db);
  const [users, roles, permissions, userRoles, rolePermissions] = [
    await db
      .selectFrom('app_users')
      .select(['user_id', 'user_name', 'status'])
      .where('system', '=', system)
      .orderBy('user_id')
      .$if(locking, (q) => q.forUpdate())
      .execute(),
    await db
      .selectFrom('app_roles')
      .select(['role', 'title'])
      .where('system', '=', system)
      .orderBy('role')
      .$if(locking, (q) => q.forUpdate())
      .execute(),
    await db
      .selectFrom('app_permissions')
      .select('permission')
      .where('system', '=', system)
      .orderBy('permission')
      .execute(),
    await db.selectFrom('app_user_roles').select(['user_id', 'role']).where('system', '=', system).execute(),
    await db
      .selectFrom('app_role_permissions')
      .select(['role', 'permission'])
      .where('system', '=', system)
      .execute(),
  ];
  return {
    system,
    users: users.map((u) => ({
      user: u.user_id,
      name: u.user_name,
      status: u.status as UserStatus,
      roles: userRoles
        .filter((x) => x.user_id === u.user_id)
        .map((x) => x.role)
        .sort(),
    })),
    roles: roles.map((r) => ({
      role: r.role,
      title: r.title,
      permissions: rolePermissions
        .filter((x) => x.role === r.role)
        .map((x) => x.permission)
        .sort(),
    })),
    permissions: permissions.map((p) => p.permission),
  };
}

/** Writes the request, in the order accessStatements lists it; how many statements ran. */
export async function writeAccess(
  db: Db,
  system: AccessSystem,
  request: AccessRequest,
  at: string,
): Promise<number> {
  let statements = 0;
  for (const c of request.users) {
    for (const role of c.revoke ?? [])
      statements += await run(
        db
          .deleteFrom('app_user_roles')
          .where('system', '=', system)
          .where('user_id', '=', c.user)
          .where('role', '=', role),
      );
    for (const role of c.grant ?? [])
      statements += await run(db.insertInto('app_user_roles').values({ system, user_id: c.user, role }));
    if (c.status !== undefined)
      statements += await run(
        db
          .updateTable('app_users')
          .set({ status: c.status, updated_at: at })
          .where('system', '=', system)
          .where('user_id', '=', c.user),
      );
  }
  for (const c of request.roles) {
    for (const permission of c.revoke ?? [])
      statements += await run(
        db
          .deleteFrom('app_role_permissions')
          .where('system', '=', system)
          .where('role', '=', c.role)
          .where('permission', '=', permission),
      );
    for (const permission of c.grant ?? [])
      statements += await run(
        db.insertInto('app_role_permissions').values({ system, role: c.role, permission }),
      );
  }
  return statements;
}

/** Runs one statement; counts it. */
async function run(statement: { execute(): Promise<unknown> }): Promise<number> {
  await statement.execute();
  return 1;
}

export async function findAccessJournal(
  db: Db,
  changeId: string,
): Promise<AccessChangeJournalTable | undefined> {
  return db
    .selectFrom('access_change_journal')
    .selectAll()
    .where('change_id', '=', changeId)
    .executeTakeFirst();
}

export async function insertAccessJournal(db: Db, row: AccessChangeJournalTable): Promise<void> {
  await db.insertInto('access_change_journal').values(row).execute();
}
