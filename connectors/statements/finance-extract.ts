/**
 * The finance side of one bank-day, written in key order: the day's vouchers for that bank from the
 * current and the history table together (a voucher in both comes out twice, a duplicate at
 * finance) as the extract's own line file (domain/reconciliation/finance-lines.ts), or the bank's
 * quotas for the quota kind as a normalized line file. Rows stream from the database; nothing is
 * held. The vouchers come as one query in key order, each row its line of the file already — the
 * columns as stored, joined by SQL, which costs the database less than a million rows' values cost
 * the worker's small heap — gathered into a string written to the file at every 64 KiB: a row
 * leaves no garbage but its own string. What the reader can supply (the key's `/1`, the statement
 * status, the line number) is not built per row; the unit's name is left out — the merge reads
 * only key, amounts and status, and a join of every row with `budget_units` cost the query more than
 * half again — and the comparison names the unit of a finance line that differs from
 * `financeUnitNames`, one read of the unit table.
 */
import { open } from 'node:fs/promises';
import { sql } from 'kysely';
import type { TreasuryDb } from '../treasury/database.ts';
import { statementStatusOf } from '../../domain/reconciliation/finance-lines.ts';
import type { StatementKind, StatementLine } from '../../domain/reconciliation/statement.ts';
import { newLine } from '../../domain/reconciliation/statement.ts';
import type { VoucherStatus } from '../treasury/schema.ts';
import { forEachValue } from '../treasury/large-reads.ts';
import { writeLineFile } from './line-writer.ts';

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
    let text = '';
    let written = 0;
    const flush = async () => {
      const bytes = Buffer.from(text);
      text = '';
      for (let from = 0; from < bytes.length;) from += (await file.write(bytes, from)).bytesWritten;
      written += bytes.length;
    };
    await forEachValue(db, voucherLines(db, input), (line) => {
      text += line;
      return text.length >= flushChars ? flush() : undefined;
    });
    await flush();
    return written;
  } finally {
    await file.close();
  }
}

/** How much text the extract gathers before it writes, in UTF-16 units. */
const flushChars = 1 << 16;

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
 * The day's vouchers as the extract's lines, in SQL both SQLite and Oracle speak (`||`; the tab and
 * the line break parameters). In voucher-number order, which is the key's: a voucher number is
 * letters and digits (domain/exchange-protocol.ts) and the payment-detail key's `/` sorts before all
 * of them. Each table is read in that order from its (bank_code, business_date, voucher_no, …)
 * index, which holds every column read (no row looked up), for one business day, and the two merged
 * as they come, without a sort; a range of days is sorted.
 */
function voucherLines(db: TreasuryDb, input: FinanceExtractInput) {
  const { bank, beginDate, endDate } = input;
  const statuses = Object.keys(statementStatusOf) as VoucherStatus[];
  const tab = sql<string>`${'\t'}`;
  const table = (name: 'vouchers' | 'vouchers_history') =>
    db
      .selectFrom(`${name} as v`)
      .select(() => {
        // Column references the dialect names (quoted or not, as the site's Oracle schema has them).
        const cells = [
          sql.ref('v.voucher_no'),
          sql.ref('v.budget_unit_code'),
          sql.ref('v.subject_code'),
          sql`CAST(${sql.ref('v.amount_fen')} AS INTEGER)`,
          sql.ref('v.status'),
        ];
        // The line first: on SQLite it is the column read (large-reads.ts).
        return [
          sql<string>`${sql.join(cells, sql` || ${tab} || `)} || ${'\n'}`.as('line'),
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
