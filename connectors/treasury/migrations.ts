/**
 * DDL for the canonical treasury schema, written with Kysely's schema builder so the same
 * definitions create the sandbox's SQLite file and a test schema on Oracle. A bureau's live
 * Oracle schema already exists; there this file documents what the engine expects.
 */
import type { Kysely } from 'kysely';
import { createBankCheckTables } from './migrations-bank-checks.ts';
import { createBaseDataPushTable } from './migrations-base-data.ts';
import type { TreasuryDatabase } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- DDL runs before the typed tables exist
export async function createTreasurySchema(db: Kysely<TreasuryDatabase> | Kysely<any>): Promise<void> {
  const text = (n: number) => `varchar(${n})` as const;
  await db.schema
    .createTable('agent_banks')
    .ifNotExists()
    .addColumn('code', text(12), (c) => c.primaryKey())
    .addColumn('name', text(100), (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', text(32), (c) => c.notNull())
    .execute();
  for (const table of ['budget_units', 'budget_subjects'] as const) {
    await db.schema
      .createTable(table)
      .ifNotExists()
      .addColumn('code', text(32), (c) => c.primaryKey())
      .addColumn('name', text(200), (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
  }
  await db.schema
    .createTable('payee_accounts')
    .ifNotExists()
    .addColumn('id', text(32), (c) => c.primaryKey())
    .addColumn('account_no', text(40), (c) => c.notNull())
    .addColumn('account_name', text(200), (c) => c.notNull())
    .addColumn('bank_name', text(200), (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('base_data_versions')
    .ifNotExists()
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('kind', text(20), (c) => c.notNull())
    .addColumn('version_current', 'integer', (c) => c.notNull())
    .addColumn('version_sent', 'integer', (c) => c.notNull())
    .addColumn('version_acked', 'integer', (c) => c.notNull())
    .addColumn('updated_at', text(32), (c) => c.notNull())
    .addPrimaryKeyConstraint('base_data_versions_pk', ['bank_code', 'kind'])
    .execute();
  await db.schema
    .createTable('vouchers')
    .ifNotExists()
    .addColumn('voucher_no', text(32), (c) => c.primaryKey())
    .addColumn('fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('pay_type', text(12), (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('payee_account_id', text(32), (c) => c.notNull())
    .addColumn('budget_unit_code', text(32), (c) => c.notNull())
    .addColumn('subject_code', text(32), (c) => c.notNull())
    .addColumn('status', text(16), (c) => c.notNull())
    .addColumn('business_date', text(10), (c) => c.notNull())
    .addColumn('submitted_at', text(32))
    .addColumn('sent_at', text(32))
    .addColumn('accepted_at', text(32))
    .addColumn('paid_at', text(32))
    .addColumn('serial_no', 'integer')
    .addColumn('failure_code', text(32))
    .addColumn('failure_reason', text(400))
    .addColumn('updated_at', text(32), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('vouchers_bank_date')
    .ifNotExists()
    .on('vouchers')
    .columns(['bank_code', 'business_date', 'status'])
    .execute();
  await db.schema
    .createTable('quotas')
    .ifNotExists()
    .addColumn('quota_id', text(32), (c) => c.primaryKey())
    .addColumn('fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('budget_unit_code', text(32), (c) => c.notNull())
    .addColumn('subject_code', text(32), (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('used_fen', 'bigint', (c) => c.notNull())
    .addColumn('status', text(12), (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('quota_notices')
    .ifNotExists()
    .addColumn('notice_no', text(32), (c) => c.primaryKey())
    .addColumn('quota_id', text(32), (c) => c.notNull())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('status', text(16), (c) => c.notNull())
    .addColumn('business_date', text(10), (c) => c.notNull())
    .addColumn('submitted_at', text(32), (c) => c.notNull())
    .addColumn('sent_at', text(32))
    .execute();
  await db.schema
    .createTable('receipts')
    .ifNotExists()
    .addColumn('receipt_no', text(32), (c) => c.primaryKey())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('voucher_no', text(32), (c) => c.notNull())
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('paid_date', text(10), (c) => c.notNull())
    .addColumn('received_at', text(32), (c) => c.notNull())
    .addColumn('registered', 'integer', (c) => c.notNull())
    .addColumn('registered_at', text(32))
    .addColumn('register_error', text(400))
    .execute();
  await db.schema
    .createTable('bank_reports')
    .ifNotExists()
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('kind', text(16), (c) => c.notNull())
    .addColumn('business_date', text(10), (c) => c.notNull())
    .addColumn('received_at', text(32), (c) => c.notNull())
    .addColumn('line_count', 'integer', (c) => c.notNull())
    .addColumn('total_fen', 'bigint', (c) => c.notNull())
    .addColumn('content_digest', text(64), (c) => c.notNull())
    .addPrimaryKeyConstraint('bank_reports_pk', ['bank_code', 'kind', 'business_date'])
    .execute();
  await db.schema
    .createTable('message_log')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('direction', text(3), (c) => c.notNull())
    .addColumn('kind', text(20), (c) => c.notNull())
    .addColumn('business_date', text(10), (c) => c.notNull())
    .addColumn('serial_no', 'integer', (c) => c.notNull())
    .addColumn('ref_no', text(32))
    .addColumn('msg_id', text(48), (c) => c.notNull())
    .addColumn('created_at', text(32), (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('message_log_bank_date')
    .ifNotExists()
    .on('message_log')
    .columns(['bank_code', 'business_date', 'direction', 'kind'])
    .execute();
  await db.schema
    .createTable('message_serials')
    .ifNotExists()
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('direction', text(3), (c) => c.notNull())
    .addColumn('last_serial', 'integer', (c) => c.notNull())
    .addColumn('updated_at', text(32), (c) => c.notNull())
    .addPrimaryKeyConstraint('message_serials_pk', ['bank_code', 'direction'])
    .execute();
  await db.schema
    .createTable('fiscal_years')
    .ifNotExists()
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('state', text(8), (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('subsystem_versions')
    .ifNotExists()
    .addColumn('name', text(64), (c) => c.primaryKey())
    .addColumn('version', text(32), (c) => c.notNull())
    .addColumn('updated_at', text(32), (c) => c.notNull())
    .execute();
  await createBankCheckTables(db);
  await createBaseDataPushTable(db);
}
