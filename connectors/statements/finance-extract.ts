/**
 * The finance side of one bank-day, written as the engine's normalized line file in key order:
 * the day's vouchers for that bank from the current and the history table together (a voucher
 * in both comes out twice, a duplicate at finance), or the bank's quotas for the quota kind.
 * Rows stream from the database; nothing is held. The vouchers come as one query sorted by the
 * key, each row its line of the file already (SQL builds it: a million rows cost the database less
 * than a million line objects cost the worker's small heap).
 */
import { sql, type RawBuilder } from 'kysely';
import type { TreasuryDb } from '../treasury/database.ts';
import type { LineStatus, StatementKind, StatementLine } from '../../domain/reconciliation/statement.ts';
import { newLine } from '../../domain/reconciliation/statement.ts';
import type { VoucherStatus } from '../treasury/schema.ts';
import { forEachRowBatch } from '../treasury/row-batches.ts';
import { textFileWriter, writeLineFile } from './line-writer.ts';

/** Voucher statuses that mean the bank has the voucher, as a statement line's status. */
const statementStatus: Partial<Record<VoucherStatus, LineStatus>> = {
  sent: 'accepted',
  accepted: 'accepted',
  paid: 'paid',
  refunded: 'refunded',
};

export interface FinanceExtractInput {
  bank: string;
  kind: StatementKind;
  /** The statement's period (one business day: both the same). */
  beginDate: string;
  endDate: string;
}

export async function writeFinanceExtract(
  db: TreasuryDb,
  input: FinanceExtractInput,
  path: string,
): Promise<number> {
  if (input.kind === 'quota') return writeLineFile(path, quotaLines(db, input));
  const writer = textFileWriter(path);
  let lineNo = 0;
  await forEachRowBatch(db, voucherLines(db, input), 5000, async (rows) => {
    let text = '';
    for (const r of rows) text += `${r.line}${++lineNo}\n`;
    writer.append(text);
    await writer.flush();
  });
  return writer.close();
}

async function* quotaLines(db: TreasuryDb, input: FinanceExtractInput): AsyncGenerator<StatementLine> {
  const { bank, kind } = input;
  let lineNo = 0;
  const rows = db
    .selectFrom('quotas as q')
    .leftJoin('budget_units as u', 'u.code', 'q.budget_unit_code')
    .select(['q.budget_unit_code', 'q.subject_code', 'u.name'])
    .select((eb) => [
      eb.fn.sum<number>('q.amount_fen').as('issued'),
      eb.fn.sum<number>('q.used_fen').as('paid'),
    ])
    .where('q.bank_code', '=', bank)
    .where('q.status', '!=', 'cancelled')
    .groupBy(['q.budget_unit_code', 'q.subject_code', 'u.name'])
    .orderBy('q.budget_unit_code')
    .orderBy('q.subject_code')
    .stream(1000);
  for await (const r of rows) {
    const issued = Number(r.issued);
    const paid = Number(r.paid);
    yield newLine(kind, {
      budgetUnit: r.budget_unit_code,
      unitName: r.name ?? '',
      subject: r.subject_code,
      amounts: [issued, paid, 0, issued - paid],
      lineNo: ++lineNo,
    });
  }
}

/**
 * The day's vouchers as the engine's normalized lines (domain/reconciliation/normalized.ts) but
 * for the line number, and their keys: what `normalizedLine(newLine(kind, …))` makes of each row,
 * in SQL both SQLite and Oracle speak (`||`, CASE, REPLACE, COALESCE; the tab a parameter).
 */
function voucherLines(db: TreasuryDb, input: FinanceExtractInput) {
  const { bank, kind } = input;
  const statuses = Object.keys(statementStatus) as VoucherStatus[];
  const text = (value: string) => sql<string>`${value}`;
  const tab = text('\t');
  const table = (name: 'vouchers' | 'vouchers_history') =>
    db
      .selectFrom(`${name} as v`)
      .leftJoin('budget_units as u', 'u.code', 'v.budget_unit_code')
      .select(() => {
        const key: RawBuilder<string> =
          kind === 'payment-detail' ? sql`v.voucher_no || ${text('/1')}` : sql`v.voucher_no`;
        const name = ['\t', '\n', '\r'].reduce<RawBuilder<string>>(
          (expr, c) => sql`REPLACE(${expr}, ${text(c)}, ${text(' ')})`,
          sql`COALESCE(u.name, ${text('')})`,
        );
        const status = sql`CASE v.status ${sql.join(
          statuses.map((s) => sql`WHEN ${text(s)} THEN ${text(statementStatus[s] ?? '')}`),
          sql` `,
        )} END`;
        const cells = [
          key,
          sql`v.voucher_no`,
          text(kind === 'payment-detail' ? '1' : ''),
          sql`v.budget_unit_code`,
          name,
          text(kind === 'payment' ? '' : '1'),
          kind === 'payment' ? text('') : sql`v.subject_code`,
          sql`CASE v.pay_type WHEN ${text('authorized')} THEN ${text('2')} ELSE ${text('1')} END`,
          sql`CAST(v.amount_fen AS INTEGER)`,
          status,
        ];
        return [key.as('key'), sql<string>`${sql.join(cells, sql` || ${tab} || `)} || ${tab}`.as('line')];
      })
      .where('v.bank_code', '=', bank)
      .where('v.business_date', '>=', input.beginDate)
      .where('v.business_date', '<=', input.endDate)
      .where('v.status', 'in', statuses);
  // Binary order on the key, the order the comparison merges in.
  return table('vouchers')
    .unionAll(table('vouchers_history'))
    .orderBy(sql`1`);
}
