/** DDL for the application systems' users, roles and permissions (schema-access.ts). Called from `createTreasurySchema`. */
import { columnTypes, once, type DdlDb } from './migrations-bank-requests.ts';

export async function createAccessTables(db: DdlDb): Promise<void> {
  const { text } = columnTypes(db);
  const system = text(40);
  const name = text(64);
  await once(
    db,
    db.schema
      .createTable('app_users')
      .addColumn('system', system, (c) => c.notNull())
      .addColumn('user_id', name, (c) => c.notNull())
      .addColumn('user_name', name, (c) => c.notNull())
      .addColumn('status', text(10), (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull())
      .addPrimaryKeyConstraint('app_users_pk', ['system', 'user_id']),
  );
  for (const [table, column] of [
    ['app_roles', 'role'],
    ['app_permissions', 'permission'],
  ] as const)
    await once(
      db,
      db.schema
        .createTable(table)
        .addColumn('system', system, (c) => c.notNull())
        .addColumn(column, name, (c) => c.notNull())
        .addColumn('title', text(100), (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['system', column]),
    );
  await once(
    db,
    db.schema
      .createTable('app_user_roles')
      .addColumn('system', system, (c) => c.notNull())
      .addColumn('user_id', name, (c) => c.notNull())
      .addColumn('role', name, (c) => c.notNull())
      .addPrimaryKeyConstraint('app_user_roles_pk', ['system', 'user_id', 'role']),
  );
  await once(
    db,
    db.schema
      .createTable('app_role_permissions')
      .addColumn('system', system, (c) => c.notNull())
      .addColumn('role', name, (c) => c.notNull())
      .addColumn('permission', name, (c) => c.notNull())
      .addPrimaryKeyConstraint('app_role_permissions_pk', ['system', 'role', 'permission']),
  );
  await once(
    db,
    db.schema
      .createTable('access_change_journal')
      .addColumn('change_id', text(300), (c) => c.primaryKey())
      .addColumn('system', system, (c) => c.notNull())
      .addColumn('entities', text(200_000), (c) => c.notNull())
      .addColumn('applied_at', text(32), (c) => c.notNull()),
  );
}
