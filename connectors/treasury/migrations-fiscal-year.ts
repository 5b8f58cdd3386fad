/**
 * DDL for the fiscal year's boundary: the adjustment period (调整期) of a closed year, the
 * year-end quota notices to each bank (额度注销 / 额度恢复) with the bank's confirmed totals, each
 * year's last serial numbers per bank and direction, and the quota balances view (issued, used,
 * remaining, cancelled per year, bank and budget unit). Additive: new objects only, created once,
 * on SQLite and on Oracle 12.1 alike. Called from `createTreasurySchema`.
 */
import type { Kysely } from 'kysely';
import {
  answeredRequestColumns,
  columnTypes,
  createBankStatusIndex,
  once,
  type DdlDb,
} from './migrations-bank-requests.ts';
import type { TreasuryDatabase } from './schema.ts';

const quotaBalanceColumns = [
  'fiscal_year',
  'bank_code',
  'budget_unit_code',
  'quota_count',
  'issued_fen',
  'used_fen',
  'remaining_fen',
  'cancelled_fen',
] as const;

export async function createFiscalYearTables(db: DdlDb): Promise<void> {
  const types = columnTypes(db);
  const { text, bigint } = types;
  await once(
    db,
    db.schema
      .createTable('fiscal_year_adjustments')
      .addColumn('year', 'integer', (c) => c.primaryKey())
      .addColumn('adjust_from', text(10), (c) => c.notNull())
      .addColumn('adjust_until', text(10), (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull()),
  );
  await once(
    db,
    db.schema
      .createTable('quota_year_notices')
      .addColumn('notice_id', text(64), (c) => c.primaryKey())
      .addColumn('kind', text(12), (c) => c.notNull())
      .addColumn('fiscal_year', 'integer', (c) => c.notNull())
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('line_count', 'integer', (c) => c.notNull())
      .addColumn('total_fen', bigint, (c) => c.notNull())
      // A CLOB on Oracle: a bank with hundreds of quotas runs past what VARCHAR2 holds.
      .addColumn('lines', text(4000), (c) => c.notNull())
      .addColumn('bank_line_count', 'integer')
      .addColumn('bank_total_fen', bigint)
      .$call(answeredRequestColumns(types)),
  );
  await createBankStatusIndex(db, 'quota_year_notices');
  await once(
    db,
    db.schema
      .createTable('message_serial_years')
      .addColumn('bank_code', text(12), (c) => c.notNull())
      .addColumn('direction', text(3), (c) => c.notNull())
      .addColumn('fiscal_year', 'integer', (c) => c.notNull())
      .addColumn('last_serial', 'integer', (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull())
      .addPrimaryKeyConstraint('message_serial_years_pk', ['bank_code', 'direction', 'fiscal_year']),
  );
  await once(
    db,
    // The column list names the view's columns as the dialect names everything (unquoted on an
    // upper-case Oracle schema); the select's aliases only type the query.
    db.schema
      .createView('quota_balances')
      .columns([...quotaBalanceColumns])
      .as(
        (db as Kysely<TreasuryDatabase>)
          .selectFrom('quotas')
          .select((eb) => {
            const left = eb('amount_fen', '-', eb.ref('used_fen'));
            return [
              'fiscal_year',
              'bank_code',
              'budget_unit_code',
              eb.fn.countAll().as('quota_count'),
              eb.fn.sum('amount_fen').as('issued_fen'),
              eb.fn.sum('used_fen').as('used_fen'),
              eb.fn.sum(eb.case().when('status', '=', 'active').then(left).else(0).end()).as('remaining_fen'),
              eb.fn.sum(eb.case().when('status', '=', 'active').then(0).else(left).end()).as('cancelled_fen'),
            ];
          })
          .groupBy(['fiscal_year', 'bank_code', 'budget_unit_code']),
      ),
  );
}
