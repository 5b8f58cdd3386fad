/**
 * DDL for the tables the bank-side checks read and write: void requests (作废), refunds (退款)
 * and the status queries a runbook puts to a bank with the answers it gets back. Called from
 * `createTreasurySchema`; kept apart so the bank checks' schema reads as one piece.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- DDL runs before the typed tables exist
export async function createBankCheckTables(db: Kysely<TreasuryDatabase> | Kysely<any>): Promise<void> {
  const text = (n: number) => `varchar(${n})` as const;
  await db.schema
    .createTable('voucher_voids')
    .ifNotExists()
    .addColumn('voucher_no', text(32), (c) => c.primaryKey())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('reason', text(400), (c) => c.notNull())
    .addColumn('status', text(16), (c) => c.notNull())
    .addColumn('requested_at', text(32), (c) => c.notNull())
    .addColumn('sent_at', text(32))
    .addColumn('answered_at', text(32))
    .addColumn('answer_reason', text(400))
    .execute();
  await db.schema
    .createIndex('voucher_voids_bank_status')
    .ifNotExists()
    .on('voucher_voids')
    .columns(['bank_code', 'status'])
    .execute();
  await db.schema
    .createTable('refunds')
    .ifNotExists()
    .addColumn('refund_no', text(32), (c) => c.primaryKey())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('voucher_no', text(32))
    .addColumn('amount_fen', 'bigint', (c) => c.notNull())
    .addColumn('initiated_by', text(8), (c) => c.notNull())
    .addColumn('status', text(16), (c) => c.notNull())
    .addColumn('reason', text(400))
    .addColumn('requested_at', text(32), (c) => c.notNull())
    .addColumn('sent_at', text(32))
    .addColumn('notified_at', text(32))
    .addColumn('refund_date', text(10))
    .addColumn('match_error', text(400))
    .addColumn('matched_at', text(32))
    .execute();
  await db.schema
    .createIndex('refunds_bank_status')
    .ifNotExists()
    .on('refunds')
    .columns(['bank_code', 'status'])
    .execute();
  await db.schema
    .createTable('bank_queries')
    .ifNotExists()
    .addColumn('query_id', text(48), (c) => c.primaryKey())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('subject', text(8), (c) => c.notNull())
    .addColumn('ref_no', text(64), (c) => c.notNull())
    .addColumn('body', text(1000), (c) => c.notNull())
    .addColumn('status', text(16), (c) => c.notNull())
    .addColumn('requested_at', text(32), (c) => c.notNull())
    .addColumn('sent_at', text(32))
    .addColumn('answered_at', text(32))
    .addColumn('answer', text(4000))
    .execute();
  await db.schema
    .createIndex('bank_queries_bank_status')
    .ifNotExists()
    .on('bank_queries')
    .columns(['bank_code', 'status'])
    .execute();
}
