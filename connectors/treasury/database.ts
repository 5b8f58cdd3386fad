/**
 * Opens the treasury database named by the site file: SQLite (the sandbox, or a site's local
 * copy) through better-sqlite3, or Oracle through oracledb's thin mode. Both drivers load lazily,
 * so a site that uses one never needs the other.
 */
import { Kysely, sql, SqliteAdapter, SqliteDialect, type Transaction } from 'kysely';
import type { SiteConfig } from '../../temporal.config.ts';
import { secretFromEnv } from '../../temporal.config.ts';
import type { TreasuryDatabase } from './schema.ts';

export type TreasuryDb = Kysely<TreasuryDatabase>;

export async function openTreasuryDb(treasury: SiteConfig['treasury']): Promise<TreasuryDb> {
  if (treasury.adapter === 'sqlite') {
    if (!treasury.sqlite) throw new Error('treasury.sqlite is not configured');
    return openSqlite(treasury.sqlite.path);
  }
  if (!treasury.oracle) throw new Error('treasury.oracle is not configured');
  const { default: oracledb } = await import('oracledb');
  const { OracleDialect } = await import('kysely-oracledb');
  const pool = await oracledb.createPool({
    user: secretFromEnv(treasury.oracle.userEnv),
    password: secretFromEnv(treasury.oracle.passwordEnv),
    connectString: treasury.oracle.connectString,
  });
  return new Kysely<TreasuryDatabase>({ dialect: new OracleDialect({ pool }) });
}

export async function openSqlite(path: string): Promise<TreasuryDb> {
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(path, { fileMustExist: false });
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return new Kysely<TreasuryDatabase>({ dialect: new SqliteDialect({ database }) });
}

/**
 * Runs several reads against one consistent snapshot, so figures compared with each other (say,
 * vouchers paid and receipts logged) cannot straddle a commit made between two queries. SQLite
 * (WAL) holds a snapshot for a transaction's life; Oracle needs a read-only transaction for that.
 */
export async function readConsistently<T>(
  db: TreasuryDb,
  fn: (trx: Transaction<TreasuryDatabase>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (!(db.getExecutor().adapter instanceof SqliteAdapter))
      await sql`SET TRANSACTION READ ONLY`.execute(trx);
    return fn(trx);
  });
}
