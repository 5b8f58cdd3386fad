/**
 * Large reads, a value at a time. Kysely streams SQLite one row per chunk through several async
 * generators, which for a bank-day of a million vouchers costs more than SQLite's own work; on
 * SQLite the compiled query therefore runs on better-sqlite3's iterator while Kysely's connection
 * is held (so no other query meets the connection busy), its first column plucked (no row object
 * per row), and other databases stream through Kysely in chunks.
 */
import type { Database } from 'better-sqlite3';
import type { Compilable, Streamable } from 'kysely';
import type { TreasuryDb } from './database.ts';

const sqliteHandles = new WeakMap<TreasuryDb, Database>();

/** Records the better-sqlite3 database a treasury database opened on SQLite runs on. */
export function rememberSqliteHandle(db: TreasuryDb, handle: Database): void {
  sqliteHandles.set(db, handle);
}

/**
 * Runs `query`, handing the first column of each row to `onValue` in the query's order. When
 * `onValue` returns a promise (say, its buffer is full and being written), the read waits for it;
 * otherwise nothing is awaited between rows.
 */
export async function forEachValue<R extends object>(
  db: TreasuryDb,
  query: Compilable<R> & Streamable<R>,
  onValue: (value: R[keyof R]) => Promise<void> | undefined,
): Promise<void> {
  const handle = sqliteHandles.get(db);
  if (handle) {
    const compiled = query.compile();
    await db.connection().execute(async () => {
      for (const value of handle
        .prepare(compiled.sql)
        .pluck()
        .iterate(...compiled.parameters)) {
        const wait = onValue(value as R[keyof R]);
        if (wait) await wait;
      }
    });
  } else
    for await (const row of query.stream(1000)) {
      const wait = onValue(Object.values(row)[0] as R[keyof R]);
      if (wait) await wait;
    }
}
