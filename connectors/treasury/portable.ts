/**
 * The few places where the same treasury query needs different SQL on SQLite and on Oracle
 * (12.1 and later, through kysely-oracledb), chosen by the database's adapter so that activities
 * stay unaware of the dialect they run on.
 */
import { sql, SqliteAdapter, type Insertable, type Kysely, type SelectQueryBuilder } from 'kysely';
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

/** Oracle's unique-constraint violation (ORA-00001), as oracledb reports it. */
function isUniqueViolation(err: unknown): boolean {
  const e = err as { errorNum?: unknown; message?: unknown };
  return e.errorNum === 1 || (typeof e.message === 'string' && /^ORA-00001\b/.test(e.message));
}

/**
 * Inserts the `rows` whose `key` is not in `table` yet and says how many it inserted: the one way
 * to file keyed rows that another process may be writing at the same moment. No read-then-write
 * transaction: on SQLite (WAL) one would fail at once (SQLITE_BUSY_SNAPSHOT) whenever another
 * process committed between its read and its write. SQLite gets one INSERT … ON CONFLICT DO
 * NOTHING; Oracle one INSERT per row in key order in one transaction, a row already there
 * (ORA-00001, which undoes that statement only) counted as not inserted.
 */
export async function insertAbsent<T extends keyof TreasuryDatabase & string>(
  db: Kysely<TreasuryDatabase>,
  table: T,
  key: keyof TreasuryDatabase[T] & string,
  rows: Insertable<TreasuryDatabase[T]>[],
): Promise<number> {
  if (rows.length === 0) return 0;
  if (isSqlite(db)) {
    let inserted = 0;
    // SQLite binds at most 32766 values per statement: 200 rows of a dozen columns stay far below.
    for (const chunk of chunksOf(rows, 200)) {
      const result = await db
        .insertInto(table)
        .values(chunk)
        .onConflict((oc) => oc.column(key).doNothing())
        .executeTakeFirst();
      inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return inserted;
  }
  const ordered = [...rows].sort((a, b) => {
    const [x, y] = [String(a[key as keyof typeof a]), String(b[key as keyof typeof b])];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return db.transaction().execute(async (trx) => {
    let inserted = 0;
    for (const row of ordered) {
      try {
        await trx.insertInto(table).values(row).execute();
        inserted += 1;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
    return inserted;
  });
}

/**
 * Runs `fn` in one write transaction holding what it reads: SQLite begins it IMMEDIATE (the
 * database's write lock, taken before the first read); on Oracle `fn` is told to lock its reads.
 */
export async function writeHolding<T>(
  db: Kysely<TreasuryDatabase>,
  fn: (trx: Kysely<TreasuryDatabase>, lockReads: boolean) => Promise<T>,
): Promise<T> {
  if (!isSqlite(db)) return db.transaction().execute((trx) => fn(trx, true));
  return db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const result = await fn(conn, false);
      await sql`commit`.execute(conn);
      return result;
    } catch (err) {
      // SQLite may have rolled back already (it does on some errors); the first error is the one to report.
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw err;
    }
  });
}
