/** DDL for the reconciliation results (see ReconciliationTable). Called from `createTreasurySchema`. */
import { columnTypes, once, type DdlDb } from './migrations-bank-requests.ts';

export async function createReconciliationTable(db: DdlDb): Promise<void> {
  const { text, bigint } = columnTypes(db);
  await once(
    db,
    db.schema
      .createTable('reconciliations')
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('kind', text(20), (c) => c.notNull())
      .addColumn('business_date', text(10), (c) => c.notNull())
      .addColumn('result', text(12), (c) => c.notNull())
      .addColumn('diff_num', 'integer', (c) => c.notNull())
      .addColumn('statement_no', text(40))
      .addColumn('bank_count', 'integer', (c) => c.notNull())
      .addColumn('bank_amount_fen', bigint, (c) => c.notNull())
      .addColumn('finance_count', 'integer', (c) => c.notNull())
      .addColumn('finance_amount_fen', bigint, (c) => c.notNull())
      .addColumn('problem', text(500))
      .addColumn('difference_file', text(1000))
      .addColumn('workflow_id', text(255), (c) => c.notNull())
      .addColumn('reconciled_at', text(32), (c) => c.notNull())
      .addPrimaryKeyConstraint('reconciliations_pk', ['bank_code', 'kind', 'business_date']),
  );
}
