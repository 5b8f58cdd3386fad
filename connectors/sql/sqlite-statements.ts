/**
 * A better-sqlite3 database for Kysely's SQLite dialect that keeps its prepared statements by SQL
 * text. Kysely prepares every query afresh, which costs more than running a small one; the send
 * and receive loops and the workers run the same few statements thousands of times. A statement
 * still being iterated (a streamed query) is never handed out twice: a fresh one is prepared.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Enough for every statement the engine and the sandbox run; IN lists of other lengths come and go. */
const keep = 500;

export function keepingStatements(database: Database): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const kept = statements.get(sql);
      if (kept && !kept.busy) return kept;
      const fresh = database.prepare(sql);
      if (!kept) {
        if (statements.size >= keep) statements.delete(statements.keys().next().value as string);
        statements.set(sql, fresh);
      }
      return fresh;
    },
  };
}
