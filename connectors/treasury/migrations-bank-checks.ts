/**
 * DDL for the tables the bank-side checks read and write: void requests (作废), refunds (退款)
 * and the status queries a runbook puts to a bank with the answers it gets back. Called from
 * `createTreasurySchema`; kept apart so the bank checks' schema reads as one piece.
 */
import {
  answeredRequestColumns,
  columnTypes,
  createBankStatusIndex,
  once,
  type DdlDb,
} from './migrations-bank-requests.ts';

export async function createBankCheckTables(db: DdlDb): Promise<void> {
  const types = columnTypes(db);
  const { text, bigint } = types;
  await once(
    db,
    db.schema
      .createTable('voucher_voids')
      .addColumn('voucher_no', text(32), (c) => c.primaryKey())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('reason', text(400), (c) => c.notNull())
      .$call(answeredRequestColumns(types)),
  );
  await createBankStatusIndex(db, 'voucher_voids');
  await once(
    db,
    db.schema
      .createTable('refunds')
      .addColumn('refund_no', text(32), (c) => c.primaryKey())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('voucher_no', text(32))
      .addColumn('amount_fen', bigint, (c) => c.notNull())
      .addColumn('initiated_by', text(8), (c) => c.notNull())
      .addColumn('status', text(16), (c) => c.notNull())
      .addColumn('reason', text(400))
      .addColumn('requested_at', text(32), (c) => c.notNull())
      .addColumn('sent_at', text(32))
      .addColumn('notified_at', text(32))
      .addColumn('refund_date', text(10))
      .addColumn('match_error', text(400))
      .addColumn('matched_at', text(32)),
  );
  await createBankStatusIndex(db, 'refunds');
  await once(
    db,
    db.schema
      .createTable('bank_queries')
      .addColumn('query_id', text(48), (c) => c.primaryKey())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('subject', text(8), (c) => c.notNull())
      .addColumn('ref_no', text(64), (c) => c.notNull())
      .addColumn('body', text(1000), (c) => c.notNull())
      .addColumn('status', text(16), (c) => c.notNull())
      .addColumn('requested_at', text(32), (c) => c.notNull())
      .addColumn('sent_at', text(32))
      .addColumn('answered_at', text(32))
      // A CLOB on Oracle: a bank's answer may run past what VARCHAR2 holds.
      .addColumn('answer', text(4000)),
  );
  await createBankStatusIndex(db, 'bank_queries');
}
