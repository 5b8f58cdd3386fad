/**
 * DDL for the base-data pushes a runbook asks of the send/receive program (see
 * BaseDataPushTable), and for the payee-field normalisations a runbook made (PayeeFixTable).
 * Called from `createTreasurySchema`.
 */
import {
  answeredRequestColumns,
  columnTypes,
  createBankStatusIndex,
  once,
  type DdlDb,
} from './migrations-bank-requests.ts';

export async function createBaseDataPushTable(db: DdlDb): Promise<void> {
  const types = columnTypes(db);
  const { text } = types;
  await once(
    db,
    db.schema
      .createTable('base_data_pushes')
      .addColumn('push_id', text(120), (c) => c.primaryKey())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('kind', text(20), (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .$call(answeredRequestColumns(types)),
  );
  await createBankStatusIndex(db, 'base_data_pushes');
}

export async function createPayeeFixTable(db: DdlDb): Promise<void> {
  const { text } = columnTypes(db);
  await once(
    db,
    db.schema
      .createTable('payee_fixes')
      .addColumn('fix_key', text(200), (c) => c.primaryKey())
      .addColumn('payee_id', text(32), (c) => c.notNull())
      .addColumn('field', text(20), (c) => c.notNull())
      .addColumn('applied_at', text(32), (c) => c.notNull()),
  );
}
