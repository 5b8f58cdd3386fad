/** DDL for the upgrade tables (schema-upgrade.ts). Called from `createTreasurySchema`. */
import { columnTypes, once, type DdlDb } from './migrations-bank-requests.ts';

export async function createUpgradeTables(db: DdlDb): Promise<void> {
  const { text } = columnTypes(db);
  await once(
    db,
    db.schema
      .createTable('schema_versions')
      .addColumn('subsystem', text(40), (c) => c.primaryKey())
      .addColumn('version', text(20), (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createTable('upgrade_journal')
      .addColumn('run_key', text(40), (c) => c.notNull())
      .addColumn('statement_key', text(120), (c) => c.notNull())
      .addColumn('applied_at', text(32), (c) => c.notNull())
      .addPrimaryKeyConstraint('upgrade_journal_pk', ['run_key', 'statement_key']),
  );
}
