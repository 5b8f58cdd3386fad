/** DDL for the data-fix journal (schema-data-fix.ts). Called from `createTreasurySchema`. */
import { columnTypes, once, type DdlDb } from './migrations-bank-requests.ts';

export async function createDataFixTables(db: DdlDb): Promise<void> {
  const { text } = columnTypes(db);
  await once(
    db,
    db.schema
      .createTable('data_fix_journal')
      .addColumn('fix_id', text(40), (c) => c.primaryKey())
      .addColumn('fix', text(40), (c) => c.notNull())
      .addColumn('table_name', text(40), (c) => c.notNull())
      .addColumn('workflow_id', text(255), (c) => c.notNull())
      .addColumn('row_changes', text(400_000), (c) => c.notNull())
      .addColumn('before_image', text(400_000), (c) => c.notNull())
      .addColumn('image_digest', text(64), (c) => c.notNull())
      .addColumn('applied_at', text(32), (c) => c.notNull())
      .addColumn('undone_at', text(32))
      .addColumn('undone_by', text(255)),
  );
}
