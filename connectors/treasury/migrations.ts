/**
 * DDL for the canonical treasury schema, written with Kysely's schema builder so the same
 * definitions create the sandbox's SQLite file and a test schema on Oracle (12.1 and later:
 * names within 30 characters, no IF NOT EXISTS, types from `columnTypes`). A bureau's live
 * Oracle schema already exists; there this file documents what the engine expects.
 */
import { createAccessTables } from './migrations-access.ts';
import { createBankCheckTables } from './migrations-bank-checks.ts';
import { createDataFixTables } from './migrations-data-fix.ts';
import { columnTypes, dropIndexIfPresent, once, type DdlDb } from './migrations-bank-requests.ts';
import { createBaseDataPushTable, createPayeeFixTable } from './migrations-base-data.ts';
import { createFiscalYearTables } from './migrations-fiscal-year.ts';
import { createUpgradeTables } from './migrations-upgrade.ts';
import { createEstateTables } from './migrations-estate.ts';
import { createReconciliationTable } from './migrations-reconciliation.ts';
import { createVoucherHistoryTable, extractIndex, voucherColumns } from './migrations-vouchers.ts';
import { isSqlite } from './portable.ts';

export async function createTreasurySchema(db: DdlDb): Promise<void> {
  const { text, bigint } = columnTypes(db);
  await once(
    db,
    db.schema
      .createTable('agent_banks')
      .addColumn('code', text(12), (c) => c.primaryKey())
      .addColumn('name', text(100), (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('created_at', text(32), (c) => c.notNull()),
  );
  for (const table of ['budget_units', 'budget_subjects'] as const) {
    await once(
      db,
      db.schema
        .createTable(table)
        .addColumn('code', text(32), (c) => c.primaryKey())
        .addColumn('name', text(200), (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull()),
    );
  }
  await once(
    db,
    db.schema
      .createTable('payee_accounts')
      .addColumn('id', text(32), (c) => c.primaryKey())
      .addColumn('account_no', text(40), (c) => c.notNull())
      .addColumn('account_name', text(200), (c) => c.notNull())
      .addColumn('bank_name', text(200), (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createTable('base_data_versions')
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('kind', text(20), (c) => c.notNull())
      .addColumn('version_current', 'integer', (c) => c.notNull())
      .addColumn('version_sent', 'integer', (c) => c.notNull())
      .addColumn('version_acked', 'integer', (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull())
      .addPrimaryKeyConstraint('base_data_versions_pk', ['bank_code', 'kind']),
  );
  await once(db, db.schema.createTable('vouchers').$call(voucherColumns(columnTypes(db))));
  await once(
    db,
    db.schema
      .createIndex('vouchers_bank_date')
      .on('vouchers')
      .columns(['bank_code', 'business_date', 'status']),
  );
  await once(db, extractIndex(db.schema.createIndex('vouchers_day_extract').on('vouchers')));
  // The extract's index before it held every column the extract reads.
  await dropIndexIfPresent(db, 'vouchers_bank_day_no');
  // What waits to be sent, whatever its date: the send/receive program asks every round.
  await once(
    db,
    db.schema.createIndex('vouchers_bank_status').on('vouchers').columns(['bank_code', 'status']),
  );
  await once(
    db,
    db.schema
      .createTable('quotas')
      .addColumn('quota_id', text(32), (c) => c.primaryKey())
      .addColumn('fiscal_year', 'integer', (c) => c.notNull())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('budget_unit_code', text(32), (c) => c.notNull())
      .addColumn('subject_code', text(32), (c) => c.notNull())
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('used_fen', bigint, (c) => c.notNull())
      .addColumn('status', text(12), (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createTable('quota_notices')
      .addColumn('notice_no', text(32), (c) => c.primaryKey())
      .addColumn('quota_id', text(32), (c) => c.notNull())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('status', text(16), (c) => c.notNull())
      .addColumn('business_date', text(10), (c) => c.notNull())
      .addColumn('submitted_at', text(32), (c) => c.notNull())
      .addColumn('sent_at', text(32)),
  );
  await once(
    db,
    db.schema
      .createTable('receipts')
      .addColumn('receipt_no', text(32), (c) => c.primaryKey())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('voucher_no', text(32), (c) => c.notNull())
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('paid_date', text(10), (c) => c.notNull())
      .addColumn('received_at', text(32), (c) => c.notNull())
      .addColumn('registered', 'integer', (c) => c.notNull())
      .addColumn('registered_at', text(32))
      .addColumn('register_error', text(400)),
  );
  await once(
    db,
    db.schema
      .createTable('bank_reports')
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('kind', text(16), (c) => c.notNull())
      .addColumn('business_date', text(10), (c) => c.notNull())
      .addColumn('received_at', text(32), (c) => c.notNull())
      .addColumn('line_count', 'integer', (c) => c.notNull())
      .addColumn('total_fen', bigint, (c) => c.notNull())
      .addColumn('content_digest', text(64), (c) => c.notNull())
      .addPrimaryKeyConstraint('bank_reports_pk', ['bank_code', 'kind', 'business_date']),
  );
  await once(
    db,
    db.schema
      .createTable('message_log')
      .addColumn('id', 'integer', (c) =>
        isSqlite(db) ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
      )
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('direction', text(3), (c) => c.notNull())
      .addColumn('kind', text(20), (c) => c.notNull())
      .addColumn('business_date', text(10), (c) => c.notNull())
      .addColumn('serial_no', 'integer', (c) => c.notNull())
      .addColumn('ref_no', text(32))
      .addColumn('msg_id', text(48), (c) => c.notNull())
      .addColumn('created_at', text(32), (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createIndex('message_log_bank_date')
      .on('message_log')
      .columns(['bank_code', 'business_date', 'direction', 'kind']),
  );
  // The send/receive program looks each incoming message up by its id before applying it.
  await once(db, db.schema.createIndex('message_log_msg_id').on('message_log').columns(['msg_id']));
  await once(
    db,
    db.schema
      .createTable('message_serials')
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('direction', text(3), (c) => c.notNull())
      .addColumn('last_serial', 'integer', (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull())
      .addPrimaryKeyConstraint('message_serials_pk', ['bank_code', 'direction']),
  );
  await once(
    db,
    db.schema
      .createTable('fiscal_years')
      .addColumn('year', 'integer', (c) => c.primaryKey())
      .addColumn('state', text(8), (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createTable('subsystem_versions')
      .addColumn('name', text(64), (c) => c.primaryKey())
      .addColumn('version', text(32), (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull()),
  );
  await createBankCheckTables(db);
  await createBaseDataPushTable(db);
  await createPayeeFixTable(db);
  await createEstateTables(db);
  await createVoucherHistoryTable(db);
  await createFiscalYearTables(db);
  await createUpgradeTables(db);
  await createReconciliationTable(db);
  await createDataFixTables(db);
  await createAccessTables(db);
}
