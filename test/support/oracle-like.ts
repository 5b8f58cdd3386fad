/**
 * No Oracle server runs in the tests, so SQL meant for Oracle is checked here: a Kysely database
 * with the Oracle dialect's adapter and compiler (kysely-oracledb) over a driver that records
 * every statement and answers with canned rows, and the list of what Oracle 12.1 would refuse in
 * a recorded statement.
 */
import { Kysely, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { OracleAdapter, OracleQueryCompiler } from 'kysely-oracledb';
import { oracleNaming, type OracleIdentifiers } from '../../connectors/sql/oracle-naming.ts';

export interface CapturedStatement {
  sql: string;
  parameters: readonly unknown[];
  /** Sent between the driver's begin and its commit or rollback. */
  inTransaction: boolean;
  /** oracledb's `autoCommit` execute option, as the compiled query carried it. */
  autoCommit: boolean;
}

/** Rows for a query; an object also sets the rows an INSERT, UPDATE or DELETE changed. */
export type CannedAnswer =
  Record<string, unknown>[] | { rows?: Record<string, unknown>[]; numAffectedRows?: bigint };
export type Answer = (sql: string, parameters: readonly unknown[]) => CannedAnswer;

export interface OracleLikeOptions {
  /** Wraps the recording driver as the production code wraps kysely-oracledb's. */
  wrapDriver?: (driver: Driver) => Driver;
  /** How names are sent, as a site's `oracle.identifiers` says (default: quoted, as the other tests read). */
  identifiers?: OracleIdentifiers;
}

export function oracleLike<DB>(answer: Answer, options: OracleLikeOptions = {}) {
  /** Statement texts, with `<begin>`, `<commit>` and `<rollback>` where the driver did those. */
  const log: string[] = [];
  const statements: CapturedStatement[] = [];
  const inTransaction = new WeakSet<DatabaseConnection>();
  const recording: Driver = {
    init: async () => undefined,
    acquireConnection: async () => {
      const connection: DatabaseConnection = {
        async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
          const executeOptions = (q as { executeOptions?: { autoCommit?: boolean } }).executeOptions;
          log.push(q.sql);
          statements.push({
            sql: q.sql,
            parameters: q.parameters,
            inTransaction: inTransaction.has(connection),
            autoCommit: executeOptions?.autoCommit === true,
          });
          const canned = answer(q.sql, q.parameters);
          return Array.isArray(canned)
            ? { rows: canned as R[] }
            : {
                rows: (canned.rows ?? []) as R[],
                ...(canned.numAffectedRows !== undefined && { numAffectedRows: canned.numAffectedRows }),
              };
        },
        // eslint-disable-next-line require-yield -- kysely-oracledb cannot stream either
        async *streamQuery() {
          throw new Error('not implemented by kysely-oracledb');
        },
      };
      return connection;
    },
    beginTransaction: async (connection) => {
      inTransaction.add(connection);
      log.push('<begin>');
    },
    commitTransaction: async (connection) => {
      inTransaction.delete(connection);
      log.push('<commit>');
    },
    rollbackTransaction: async (connection) => {
      inTransaction.delete(connection);
      log.push('<rollback>');
    },
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  const driver = options.wrapDriver ? options.wrapDriver(recording) : recording;
  const naming = oracleNaming(options.identifiers ?? 'quoted');
  const db = new Kysely<DB>({
    plugins: naming.plugins,
    dialect: {
      createAdapter: () => new OracleAdapter(),
      createDriver: () => driver,
      createQueryCompiler: () => new OracleQueryCompiler(naming.compilerOptions),
      createIntrospector: () => {
        throw new Error('not used');
      },
    },
  });
  return { db, log, statements };
}

/** Oracle's reserved words (SQL Language Reference, 12.1): legal as names only when quoted. */
const reservedWords = new Set(
  `access add all alter and any as asc audit between by char check cluster column column_value
  comment compress connect create current date decimal default delete desc distinct drop else
  exclusive exists file float for from grant group having identified immediate in increment index
  initial insert integer intersect into is level like lock long maxextents minus mlslabel mode
  modify nested_table_id noaudit nocompress not nowait null number of offline on online option or
  order pctfree prior public raw rename resource revoke row rowid rownum rows select session set
  share size smallint start successful synonym sysdate table then to trigger uid union unique
  update user validate values varchar varchar2 view whenever where with`.split(/\s+/),
);

/** Column types a treasury or audit table may use on Oracle. */
const oracleColumnType = /^(varchar2\(\d+ char\)|number\(\d+\)|integer|clob)$/;
/** VARCHAR2 holds 4000 bytes (MAX_STRING_SIZE = STANDARD); a character takes up to 4 in AL32UTF8. */
const maxVarchar2Chars = 1000;

/**
 * What Oracle 12.1 (through kysely-oracledb and oracledb) would refuse, or silently undo, in a
 * statement; empty when none. Identifiers are the quoted names the dialect emits.
 */
export function oracle121Problems(s: CapturedStatement): string[] {
  const problems: string[] = [];
  const identifiers = [...s.sql.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
  // Keywords are looked for with string literals and quoted names blanked out.
  const bare = s.sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"[^"]*"/g, '""');
  const keyword = (re: RegExp, why: string) => {
    if (re.test(bare)) problems.push(why);
  };
  keyword(/\blimit\b/i, 'LIMIT: Oracle has FETCH FIRST n ROWS ONLY (12c+)');
  keyword(/\bfilter\s*\(\s*where\b/i, 'FILTER (WHERE …) on an aggregate: not in Oracle');
  keyword(/\bif\s+(not\s+)?exists\b/i, 'IF [NOT] EXISTS: only from Oracle 23ai');
  keyword(/\bon\s+conflict\b/i, 'ON CONFLICT: not in Oracle (MERGE)');
  keyword(/\breturning\b/i, 'RETURNING: needs out binds, which kysely-oracledb does not set up');
  keyword(/\b(true|false)\b/i, 'a boolean literal: no SQL BOOLEAN before 23ai');
  keyword(/\bauto_?increment\b/i, 'AUTOINCREMENT: Oracle has GENERATED … AS IDENTITY (12c+)');
  keyword(/\?/, 'a ? placeholder: oracledb binds :1, :2, …');
  keyword(/\bvalues\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*,\s*\(/i, 'several rows in one VALUES: only from 23ai');

  const used = [...bare.matchAll(/:(\d+)\b/g)].map((m) => Number(m[1]));
  const expected = s.parameters.map((_, i) => i + 1);
  if (JSON.stringify([...new Set(used)].sort((a, b) => a - b)) !== JSON.stringify(expected))
    problems.push(`bind placeholders ${used.join(',')} do not number the ${s.parameters.length} parameters`);
  for (const list of bare.matchAll(/\bin\s*\(([^()]*)\)/gi)) {
    const n = (list[1] ?? '').split(',').length;
    if (n > 1000) problems.push(`ORA-01795: an IN list of ${n} expressions (at most 1000)`);
  }

  for (const name of new Set(identifiers)) {
    if (Buffer.byteLength(name) > 30)
      problems.push(`ORA-00972: identifier "${name}" is longer than 30 bytes`);
    if (reservedWords.has(name.toLowerCase()))
      problems.push(`"${name}" is a reserved word: legal only while every statement quotes it`);
  }

  if (/^\s*create\s+table\b/i.test(bare)) {
    // A column definition: a quoted name right after "(" or ",", then its type.
    for (const m of bare.matchAll(/[(,]\s*""\s+([a-z][a-z0-9_]*(?:\s*\([^()]*\))?)/gi)) {
      const type = (m[1] ?? '').toLowerCase();
      if (!oracleColumnType.test(type))
        problems.push(`column type ${type}: use VARCHAR2(n CHAR), NUMBER(p), INTEGER or CLOB`);
      const chars = /^varchar2\((\d+) char\)$/.exec(type)?.[1];
      if (chars && Number(chars) > maxVarchar2Chars)
        problems.push(`${type} may need more than 4000 bytes: a CLOB, or at most ${maxVarchar2Chars} CHAR`);
    }
  }

  if (/^\s*(insert|update|delete|merge)\b/i.test(bare) && !s.inTransaction && !s.autoCommit)
    problems.push(
      'a write outside a transaction without autoCommit: undone when the connection goes back to the pool',
    );
  return problems;
}
