/**
 * The voucher columns, shared by the current table (`vouchers`) and the history table
 * (`vouchers_history`) a treasury system moves settled vouchers into: a bank-day's finance side is
 * the two together, and a voucher in both is itself a difference. Called from `createTreasurySchema`.
 */
import type { CreateIndexBuilder, CreateTableBuilder } from 'kysely';
import {
  columnTypes,
  dropIndexIfPresent,
  once,
  type ColumnTypes,
  type DdlDb,
} from './migrations-bank-requests.ts';

export function voucherColumns({ text, bigint }: ColumnTypes) {
  return <TB extends string, C extends string>(table: CreateTableBuilder<TB, C>) =>
    table
      .addColumn('voucher_no', text(32), (c) => c.primaryKey())
      .addColumn('fiscal_year', 'integer', (c) => c.notNull())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('pay_type', text(12), (c) => c.notNull())
      .addColumn('amount_fen', bigint, (c) => c.notNull())
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
      .addColumn('updated_at', text(32), (c) => c.notNull());
}

export async function createVoucherHistoryTable(db: DdlDb): Promise<void> {
  await once(db, db.schema.createTable('vouchers_history').$call(voucherColumns(columnTypes(db))));
  await once(db, extractIndex(db.schema.createIndex('vouchers_history_day_extract').on('vouchers_history')));
  // The extract's index before it held every column the extract reads.
  await dropIndexIfPresent(db, 'vouchers_history_bank_day_no');
}

/**
 * A bank-day's vouchers in voucher-number order with every column the reconciliation's finance
 * extract reads (connectors/statements/finance-extract.ts): it reads them so without a sort, and
 * without looking a row up in the table.
 */
export function extractIndex(index: CreateIndexBuilder): CreateIndexBuilder {
  return index.columns([
    'bank_code',
    'business_date',
    'voucher_no',
    'status',
    'budget_unit_code',
    'subject_code',
    'amount_fen',
  ]);
}
