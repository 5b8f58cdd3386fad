/** DDL for the estate tables (schema-estate.ts). Called from `createTreasurySchema`. */
import { columnTypes, once, type DdlDb } from './migrations-bank-requests.ts';

export async function createEstateTables(db: DdlDb): Promise<void> {
  const { text, bigint } = columnTypes(db);
  await once(
    db,
    db.schema
      .createTable('exchange_items')
      .addColumn('division', text(6), (c) => c.notNull())
      .addColumn('fiscal_year', 'integer', (c) => c.notNull())
      .addColumn('voucher_type', text(4), (c) => c.notNull())
      .addColumn('voucher_no', text(40), (c) => c.notNull())
      .addColumn('direction', text(4), (c) => c.notNull())
      .addColumn('status', text(12), (c) => c.notNull())
      .addColumn('budget_unit_code', text(32), (c) => c.notNull())
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_error', text(400))
      .addColumn('created_at', text(32), (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull())
      .addPrimaryKeyConstraint('exchange_items_pk', [
        'division',
        'fiscal_year',
        'voucher_type',
        'voucher_no',
        'direction',
      ]),
  );
  await once(
    db,
    db.schema.createIndex('exchange_items_status').on('exchange_items').columns(['direction', 'status']),
  );
  await once(
    db,
    db.schema
      .createTable('procurement_contracts')
      .addColumn('contract_no', text(40), (c) => c.primaryKey())
      .addColumn('budget_unit_code', text(32), (c) => c.notNull())
      .addColumn('supplier_name', text(200), (c) => c.notNull())
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('fiscal_year', 'integer', (c) => c.notNull())
      .addColumn('signed_on', text(10), (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createTable('procurement_confirmations')
      .addColumn('confirmation_no', text(40), (c) => c.primaryKey())
      .addColumn('contract_no', text(40), (c) => c.notNull())
      .addColumn('voucher_no', text(40), (c) => c.notNull())
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('status', text(12), (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('last_error', text(400))
      .addColumn('pushed_at', text(32))
      .addColumn('updated_at', text(32), (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createTable('payroll_batches')
      .addColumn('batch_no', text(40), (c) => c.primaryKey())
      .addColumn('month', text(7), (c) => c.notNull())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('budget_unit_code', text(32), (c) => c.notNull())
      .addColumn('line_count', 'integer', (c) => c.notNull())
      .addColumn('total_fen', bigint, (c) => c.notNull())
      .addColumn('status', text(16), (c) => c.notNull())
      .addColumn('submitted_at', text(32), (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createTable('payroll_lines')
      .addColumn('batch_no', text(40), (c) => c.notNull())
      .addColumn('line_no', 'integer', (c) => c.notNull())
      .addColumn('payee_name', text(100), (c) => c.notNull())
      .addColumn('account_no', text(40), (c) => c.notNull())
      .addColumn('bank_no', text(12))
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('voucher_no', text(40))
      .addColumn('status', text(12), (c) => c.notNull())
      .addColumn('failure_reason', text(400))
      .addPrimaryKeyConstraint('payroll_lines_pk', ['batch_no', 'line_no']),
  );
  await once(
    db,
    db.schema
      .createTable('official_card_repayments')
      .addColumn('repay_no', text(40), (c) => c.primaryKey())
      .addColumn('card_bank', text(12), (c) => c.notNull())
      .addColumn('cardholder', text(100), (c) => c.notNull())
      .addColumn('card_no_masked', text(24), (c) => c.notNull())
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('voucher_no', text(40))
      .addColumn('business_date', text(10), (c) => c.notNull())
      .addColumn('status', text(12), (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull()),
  );
}
