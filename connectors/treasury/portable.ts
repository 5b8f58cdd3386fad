/**
 * The few places where the same treasury query needs different SQL on SQLite and on Oracle
 * (12.1 and later, through kysely-oracledb), chosen by the database's adapter so that activities
 * stay unaware of the dialect they run on.
 */
import { SqliteAdapter, type Insertable, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { TreasuryDatabase } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema: DDL runs before the typed tables exist
export function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * The first `n` rows of an ordered query, as `.$call(firstRows(db, n))`: LIMIT on SQLite, and on
 * Oracle FETCH FIRST n ROWS ONLY (Oracle has no LIMIT; SQLite no FETCH).
 */
export function firstRows(db: Kysely<TreasuryDatabase>, n: number) {
  const sqlite = isSqlite(db);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any select over any tables
  return <QB extends SelectQueryBuilder<any, any, any>>(qb: QB): QB =>
    (sqlite ? qb.limit(n) : qb.fetch(n)) as QB;
}

/** Oracle refuses an IN list of more than 1000 expressions (ORA-01795). */
export const maxInList = 1000;

/** `items` in consecutive slices of at most `size`, e.g. for IN lists. */
export function chunksOf<T>(items: readonly T[], size = maxInList): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Inserts `rows` into `table` together: one multi-row INSERT on SQLite; on Oracle, where a
 * multi-row VALUES list arrives only with 23ai, one INSERT per row in one transaction (the
 * caller's, when `db` is one already).
 */
export async function insertRows<T extends keyof TreasuryDatabase & string>(
  db: Kysely<TreasuryDatabase>,
  table: T,
  rows: Insertable<TreasuryDatabase[T]>[],
): Promise<void> {
  if (rows.length === 0) return;
  if (isSqlite(db)) {
    await db.insertInto(table).values(rows).execute();
    return;
  }
  const each = async (trx: Kysely<TreasuryDatabase>) => {
    for (const row of rows) await trx.insertInto(table).values(row).execute();
  };
  if (db.isTransaction) await each(db);
  else await db.transaction().execute(each);
}
