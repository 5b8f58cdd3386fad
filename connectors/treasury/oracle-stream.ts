/**
 * Streaming reads on Oracle. kysely-oracledb implements no `streamQuery` ("Not implemented"), so
 * every `.stream()` of the treasury code — the reconciliation's finance side, the upgrade's table
 * checksums, the quota lines — would fail on a real site while it works on the sandbox's SQLite.
 * This driver gives each connection a `streamQuery` through oracledb's result set: the statement
 * executed once with `resultSet: true`, its rows fetched `chunkSize` at a time, the result set
 * closed whether the reader reads to the end or stops early.
 */
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult } from 'kysely';

/** The part of an oracledb result set this reads. */
export interface OracleResultSet {
  getRows(count: number): Promise<unknown[]>;
  close(): Promise<void>;
}

/** The part of an oracledb connection this reads. */
export interface OracleExecuting {
  execute(
    sql: string,
    binds: unknown[],
    options: Record<string, unknown>,
  ): Promise<{ resultSet?: OracleResultSet }>;
}

/** kysely-oracledb's connection: its oracledb connection, and its own formatting of the binds. */
interface OracleDialectConnection extends DatabaseConnection {
  readonly connection: OracleExecuting;
  formatQuery(query: CompiledQuery): { sql: string; bindParams: unknown[] };
}

/**
 * Wraps kysely-oracledb's driver. `executeOptions` are the options the dialect was given (the
 * CLOB fetch handler), which a streamed statement needs as much as an executed one;
 * `objectRows` is oracledb's OUT_FORMAT_OBJECT.
 */
export function streamingOnOracle(
  driver: Driver,
  executeOptions: Record<string, unknown>,
  objectRows: number,
): Driver {
  const acquire = driver.acquireConnection.bind(driver);
  // The driver's methods read its private fields: patched on the instance, not copied off it.
  driver.acquireConnection = async () => {
    const connection = (await acquire()) as OracleDialectConnection;
    connection.streamQuery = <R>(query: CompiledQuery, chunkSize?: number) =>
      streamRows<R>(connection, query, chunkSize ?? 100, executeOptions, objectRows);
    return connection;
  };
  return driver;
}

async function* streamRows<R>(
  connection: OracleDialectConnection,
  query: CompiledQuery,
  chunkSize: number,
  executeOptions: Record<string, unknown>,
  objectRows: number,
): AsyncIterableIterator<QueryResult<R>> {
  const { sql, bindParams } = connection.formatQuery(query);
  const { resultSet } = await connection.connection.execute(sql, bindParams, {
    outFormat: objectRows,
    ...executeOptions,
    resultSet: true,
    fetchArraySize: chunkSize,
  });
  if (!resultSet) throw new Error('oracledb returned no result set for a streamed query');
  try {
    for (;;) {
      const rows = await resultSet.getRows(chunkSize);
      if (rows.length === 0) return;
      yield { rows: rows as R[] };
      if (rows.length < chunkSize) return;
    }
  } finally {
    await resultSet.close();
  }
}
