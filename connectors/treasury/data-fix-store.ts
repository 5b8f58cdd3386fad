/**
 * What a data fix does to the treasury database, on SQLite and on Oracle alike: read the rows a
 * fix is about (tables and columns named only from domain/data-fixes/fix-tables.ts) — locked on
 * Oracle when read inside the fix's transaction (SELECT … FOR UPDATE; portable.ts `writeHolding`) —
 * read the vouchers that pay to a payee account, set a row's columns, and keep the fix's journal.
 */
import type { Kysely } from 'kysely';
import type { PayeeVoucher } from '../../domain/data-fixes/preview.ts';
import {
  fixTables,
  rowOf,
  type FixTable,
  type Row,
  type Scalar,
} from '../../domain/data-fixes/fix-tables.ts';
import { chunksOf, isSqlite } from './portable.ts';
import type { DataFixJournalTable } from './schema-data-fix.ts';
import type { TreasuryDatabase } from './schema.ts';

type Db = Kysely<TreasuryDatabase>;
/** The database with the fix tables named at run time (each checked against fix-tables.ts first). */
type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

function column(table: FixTable, name: string): string {
  if (!(fixTables[table].columns as readonly string[]).includes(name))
    throw new Error(`${name} is not a column a data fix reads in ${table}`);
  return name;
}

/** The rows of `table` whose `by` holds one of `values`, by key; `lock`: held until the transaction ends (Oracle). */
export async function readFixRows(
  db: Db,
  table: FixTable,
  by: string,
  values: readonly Scalar[],
  lock = false,
): Promise<Row[]> {
  const any = db as unknown as AnyDb;
  const { key, columns } = fixTables[table];
  const out: Row[] = [];
  for (const chunk of chunksOf(values)) {
    const rows = await any
      .selectFrom(table)
      .select([...columns])
      .where(column(table, by), 'in', chunk)
      .orderBy(key)
      .$if(lock && !isSqlite(db), (q) => q.forUpdate())
      .execute();
    out.push(...rows.map((r) => rowOf(table, r)));
  }
  return out;
}

/** Every voucher, live or settled and moved to history, that pays to one of the payee accounts. */
export async function readPayeeVouchers(
  db: Db,
  payeeIds: readonly string[],
  lock = false,
): Promise<PayeeVoucher[]> {
  const out: PayeeVoucher[] = [];
  for (const table of ['vouchers', 'vouchers_history'] as const)
    for (const chunk of chunksOf(payeeIds)) {
      const rows = await db
        .selectFrom(table)
        .select(['voucher_no', 'payee_account_id', 'status'])
        .where('payee_account_id', 'in', chunk)
        .orderBy('voucher_no')
        .$if(lock && !isSqlite(db), (q) => q.forUpdate())
        .execute();
      out.push(
        ...rows.map((r) => ({
          voucherNo: r.voucher_no,
          payeeAccountId: r.payee_account_id,
          status: r.status,
        })),
      );
    }
  return out;
}

/** Sets `set`'s columns on the row whose key is `key`; the rows it changed (1, or 0 when it is gone). */
export async function setRowColumns(db: Db, table: FixTable, key: string, set: Row): Promise<number> {
  const any = db as unknown as AnyDb;
  const values = Object.fromEntries(Object.entries(set).map(([c, v]) => [column(table, c), v]));
  const result = await any
    .updateTable(table)
    .set(values)
    .where(fixTables[table].key, '=', key)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findFixJournal(db: Db, fixId: string): Promise<DataFixJournalTable | undefined> {
  return db.selectFrom('data_fix_journal').selectAll().where('fix_id', '=', fixId).executeTakeFirst();
}

export async function insertFixJournal(db: Db, row: DataFixJournalTable): Promise<void> {
  await db.insertInto('data_fix_journal').values(row).execute();
}

/** Marks the fix undone by `by` unless it was already; whether this call marked it. */
export async function markFixUndone(db: Db, fixId: string, by: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('data_fix_journal')
    .set({ undone_at: at, undone_by: by })
    .where('fix_id', '=', fixId)
    .where('undone_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
