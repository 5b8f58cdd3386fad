/**
 * Large reads a batch of rows at a time. Kysely streams SQLite one row per chunk through several
 * async generators, which for a bank-day of a million vouchers costs more than SQLite's own work;
 * on SQLite the compiled query therefore runs on better-sqlite3's iterator while Kysely's
 * connection is held (so no other query meets the connection busy), and other databases stream
 * through Kysely in chunks.
 */
import type { Database } from 'better-sqlite3';
import type { Compilable, Streamable } from 'kysely';
import type { TreasuryDb } from './database.ts';

const sqliteHandles = new WeakMap<TreasuryDb, Database>();

/** Records the better-sqlite3 database a treasury database opened on SQLite runs on. */
export function rememberSqliteHandle(db: TreasuryDb, handle: Database): void {
  sqliteHandles.set(db, handle);
}

/** Runs `query`, handing its rows to `onBatch` in batches of `size`, in the query's order. */
export async function forEachRowBatch<R>(
  db: TreasuryDb,
  query: Compilable<R> & Streamable<R>,
  size: number,
  onBatch: (rows: R[]) => Promise<void>,
): Promise<void> {
  const handle = sqliteHandles.get(db);
  let batch: R[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    await onBatch(full);
  };
  if (handle) {
    const compiled = query.compile();
    await db.connection().execute(async () => {
      // No await between the rows of a batch: an await per row is what this read avoids.
      for (const row of handle.prepare(compiled.sql).iterate(...compiled.parameters)) {
        batch.push(row as R);
        if (batch.length === size) await flush();
      }
    });
  } else
    for await (const row of query.stream(size)) {
      batch.push(row);
      if (batch.length === size) await flush();
    }
  await flush();
}
