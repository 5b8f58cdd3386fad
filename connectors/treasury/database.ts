/**
 * Opens the treasury database named by the site file: SQLite (the sandbox, or a site's local
 * copy) through better-sqlite3, or Oracle (12.1 and later) through oracledb's thin mode. Both
 * drivers load lazily, so a site that uses one never needs the other. On Oracle the connection
 * is made to behave as the SQLite one does where the activities rely on it: a statement outside
 * a transaction commits, text compares and sorts by code point, CLOBs read as text, and names
 * match the schema's case (connectors/sql/oracle-naming.ts).
 */
import {
  Kysely,
  sql,
  SqliteDialect,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Transaction,
} from 'kysely';
import type { SiteConfig } from '../../temporal.config.ts';
import { secretFromEnv } from '../../temporal.config.ts';
import { oracleNaming } from '../sql/oracle-naming.ts';
import { keepingStatements } from '../sql/sqlite-statements.ts';
import { streamingOnOracle } from './oracle-stream.ts';
import { isSqlite } from './portable.ts';
import { rememberSqliteHandle } from './large-reads.ts';
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
    // Voucher-number ranges are planned by ORDER BY and applied by >= and <=: both must use the
    // byte order SQLite uses, whatever linguistic sort the database defaults to.
    sessionCallback: (connection, _tag, done) => {
      connection.execute('ALTER SESSION SET NLS_SORT = BINARY NLS_COMP = BINARY').then(() => done(), done);
    },
  });
  const naming = oracleNaming(treasury.oracle.identifiers);
  // Long texts (bank answers) are CLOBs on Oracle; read them as strings, as SQLite returns them.
  const executeOptions = {
    fetchTypeHandler: (meta: { dbType?: unknown }) =>
      meta.dbType === oracledb.DB_TYPE_CLOB ? { type: oracledb.STRING } : undefined,
  };
  const oracle = new OracleDialect({ pool, compilerOptions: naming.compilerOptions, executeOptions });
  return new Kysely<TreasuryDatabase>({
    dialect: {
      createAdapter: () => oracle.createAdapter(),
      createDriver: () =>
        autoCommitOutsideTransactions(
          streamingOnOracle(oracle.createDriver(), executeOptions, oracledb.OUT_FORMAT_OBJECT),
        ),
      createQueryCompiler: () => oracle.createQueryCompiler(),
      createIntrospector: (db) => oracle.createIntrospector(db),
    },
    plugins: naming.plugins,
  });
}

/**
 * kysely-oracledb commits only at the end of a transaction, and oracledb rolls back whatever a
 * pooled connection has not committed when it is released: a lone INSERT or UPDATE (which SQLite
 * commits by itself) would vanish. This driver sends every statement run outside a transaction
 * with oracledb's `autoCommit`, and statements inside one without it.
 */
export function autoCommitOutsideTransactions(driver: Driver): Driver {
  const inner = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const inTransaction = new WeakSet<DatabaseConnection>();
  const unwrap = (connection: DatabaseConnection) => {
    const found = inner.get(connection);
    if (!found) throw new Error('a connection this driver did not hand out');
    return found;
  };
  const savepoint = driver.savepoint?.bind(driver);
  const rollbackTo = driver.rollbackToSavepoint?.bind(driver);
  const release = driver.releaseSavepoint?.bind(driver);
  return {
    init: () => driver.init(),
    async acquireConnection() {
      const connection = await driver.acquireConnection();
      const wrapped: DatabaseConnection = {
        executeQuery: (query) =>
          connection.executeQuery(
            inTransaction.has(wrapped)
              ? query
              : ({
                  ...query,
                  executeOptions: {
                    ...(query as { executeOptions?: object }).executeOptions,
                    autoCommit: true,
                  },
                } as CompiledQuery),
          ),
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      };
      inner.set(wrapped, connection);
      return wrapped;
    },
    async beginTransaction(connection, settings) {
      await driver.beginTransaction(unwrap(connection), settings);
      inTransaction.add(connection);
    },
    async commitTransaction(connection) {
      inTransaction.delete(connection);
      await driver.commitTransaction(unwrap(connection));
    },
    async rollbackTransaction(connection) {
      inTransaction.delete(connection);
      await driver.rollbackTransaction(unwrap(connection));
    },
    ...(savepoint && { savepoint: (c, name, compile) => savepoint(unwrap(c), name, compile) }),
    ...(rollbackTo && { rollbackToSavepoint: (c, name, compile) => rollbackTo(unwrap(c), name, compile) }),
    ...(release && { releaseSavepoint: (c, name, compile) => release(unwrap(c), name, compile) }),
    releaseConnection: (connection) => driver.releaseConnection(unwrap(connection)),
    destroy: () => driver.destroy(),
  };
}

/**
 * The treasury database in a SQLite file, in WAL mode. `synchronous`: FULL (the default: a commit
 * is on the disk before it returns) or NORMAL (a commit survives its process's crash, not the
 * machine's, and costs no fsync) — for the sandbox's simulated systems, which commit once a message.
 */
export async function openSqlite(
  path: string,
  options: { synchronous?: 'FULL' | 'NORMAL' } = {},
): Promise<TreasuryDb> {
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(path, { fileMustExist: false });
  database.pragma('journal_mode = WAL');
  database.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<TreasuryDatabase>({
    dialect: new SqliteDialect({ database: keepingStatements(database) }),
  });
  rememberSqliteHandle(db, database);
  return db;
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
    if (!isSqlite(db)) await sql`SET TRANSACTION READ ONLY`.execute(trx);
    return fn(trx);
  });
}
