/**
 * The finance side of one bank-day, written as the engine's normalized line file in key order:
 * the day's vouchers for that bank from the current and the history table together (a voucher
 * in both comes out twice, a duplicate at finance), or the bank's quotas for the quota kind.
 * Rows stream from the database; nothing is held. The vouchers come as one query in key order,
 * each row its line of the file already (SQL builds it: a million rows cost the database less
 * than a million line objects cost the worker's small heap), written straight into a buffer that
 * goes to the file when full: a row leaves no garbage but its own string. A voucher's line leaves
 * its unit's name empty — the merge reads only its key, amounts and status, and a join of every row
 * with `budget_units` cost the query more than half again — and the comparison names the unit of
 * a finance line that differs from `financeUnitNames`, one read of the unit table.
 */
import { open } from 'node:fs/promises';
import { sql, type RawBuilder } from 'kysely';
import type { TreasuryDb } from '../treasury/database.ts';
import type { LineStatus, StatementKind, StatementLine } from '../../domain/reconciliation/statement.ts';
import { newLine } from '../../domain/reconciliation/statement.ts';
import type { VoucherStatus } from '../treasury/schema.ts';
import { forEachValue } from '../treasury/large-reads.ts';
import { writeLineFile } from './line-writer.ts';

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
  const file = await open(path, 'w');
  try {
    const buffer = Buffer.allocUnsafe(bufferBytes);
    let used = 0;
    let written = 0;
    let lineNo = 0;
    const flush = async () => {
      for (let from = 0; from < used;) from += (await file.write(buffer, from, used - from)).bytesWritten;
      written += used;
      used = 0;
    };
    const put = (line: string) => {
      used += buffer.write(line, used);
      used += buffer.write(String(++lineNo), used, 'latin1');
      buffer[used++] = 0x0a;
    };
    await forEachValue(db, voucherLines(db, input), (line) => {
      // Room for the line in UTF-8 (at most three bytes a UTF-16 unit), its number and its newline.
      if (bufferBytes - used < line.length * 3 + 24) return flush().then(() => put(line));
      put(line);
      return undefined;
    });
    await flush();
    return written;
  } finally {
    await file.close();
  }
}

/** The extract's write buffer: a line is at most a few hundred bytes (its columns' widths). */
const bufferBytes = 1 << 20;

/**
 * Every budget unit's name by its code, as a finance line would carry it (a tab or a line break a
 * space): what the comparison fills into a finance-side difference whose line has no name.
 */
export async function financeUnitNames(db: TreasuryDb): Promise<Map<string, string>> {
  const units = await db.selectFrom('budget_units').select(['code', 'name']).execute();
  return new Map(units.map((u) => [u.code, (u.name ?? '').replace(/[\t\n\r]/g, ' ')]));
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
 * for the line number: what `normalizedLine(newLine(kind, …))` makes of each row with no unit
 * name, in SQL both
 * SQLite and Oracle speak (`||`, CASE; the tab a parameter). In voucher-number
 * order, which is the key's: a voucher number is letters and digits (domain/exchange-protocol.ts)
 * and the payment-detail key's `/` sorts before all of them. Each table is read in that order from
 * its (bank_code, business_date, voucher_no) index for one business day, and the two merged as they
 * come, without a sort; a range of days is sorted.
 */
function voucherLines(db: TreasuryDb, input: FinanceExtractInput) {
  const { bank, kind, beginDate, endDate } = input;
  const statuses = Object.keys(statementStatus) as VoucherStatus[];
  const text = (value: string) => sql<string>`${value}`;
  const tab = text('\t');
  const table = (name: 'vouchers' | 'vouchers_history') =>
    db
      .selectFrom(`${name} as v`)
      .select(() => {
        const key: RawBuilder<string> =
          kind === 'payment-detail' ? sql`v.voucher_no || ${text('/1')}` : sql`v.voucher_no`;
        const status = sql`CASE v.status ${sql.join(
          statuses.map((s) => sql`WHEN ${text(s)} THEN ${text(statementStatus[s] ?? '')}`),
          sql` `,
        )} END`;
        const cells = [
          key,
          sql`v.voucher_no`,
          text(kind === 'payment-detail' ? '1' : ''),
          sql`v.budget_unit_code`,
          text(''),
          text(kind === 'payment' ? '' : '1'),
          kind === 'payment' ? text('') : sql`v.subject_code`,
          sql`CASE v.pay_type WHEN ${text('authorized')} THEN ${text('2')} ELSE ${text('1')} END`,
          sql`CAST(v.amount_fen AS INTEGER)`,
          status,
        ];
        // The line first: on SQLite it is the column read (large-reads.ts).
        return [
          sql<string>`${sql.join(cells, sql` || ${tab} || `)} || ${tab}`.as('line'),
          'v.voucher_no',
        ] as const;
      })
      .where('v.bank_code', '=', bank)
      .$call((qb) =>
        beginDate === endDate
          ? qb.where('v.business_date', '=', beginDate)
          : qb.where('v.business_date', '>=', beginDate).where('v.business_date', '<=', endDate),
      )
      .where('v.status', 'in', statuses);
  // Binary order on the voucher number (Oracle's sessions sort by code point, database.ts).
  return table('vouchers')
    .unionAll(table('vouchers_history'))
    .orderBy(sql`2`);
}
