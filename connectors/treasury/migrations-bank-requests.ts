/**
 * DDL pieces shared by the treasury migrations: column types per dialect, creating an object
 * only once, and what the tables of requests finance puts to a bank through the send/receive
 * program (void requests, base-data pushes, status queries, refunds) have in common — the state
 * columns such a request carries from queued to answered, and the index the program polls by.
 */
import { sql, type ColumnDataType, type CreateTableBuilder, type Expression, type Kysely } from 'kysely';
import { isSqlite } from './portable.ts';
import type { TreasuryDatabase } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- DDL runs before the typed tables exist
export type DdlDb = Kysely<TreasuryDatabase> | Kysely<any>;

type DataTypeExpression = ColumnDataType | Expression<unknown>;

export interface ColumnTypes {
  /** Text of up to `n` characters. */
  text(n: number): DataTypeExpression;
  /** A 64-bit integer (amounts in fen). */
  bigint: DataTypeExpression;
}

/** VARCHAR2 holds 4000 bytes (MAX_STRING_SIZE = STANDARD), and AL32UTF8 takes up to 4 a character. */
const maxVarchar2Chars = 1000;

/**
 * SQLite keeps its types as they were. Oracle counts VARCHAR2 lengths in characters (payee names
 * are Chinese, three bytes each), takes longer texts as CLOBs and has no BIGINT.
 */
export function columnTypes(db: DdlDb): ColumnTypes {
  if (isSqlite(db)) return { text: (n) => `varchar(${n})`, bigint: 'bigint' };
  return {
    text: (n) => (n > maxVarchar2Chars ? sql`clob` : sql`varchar2(${sql.raw(String(n))} char)`),
    bigint: sql`number(19)`,
  };
}

interface Ddl {
  ifNotExists(): { execute(): Promise<void> };
  execute(): Promise<void>;
}

/**
 * Creates a table or index unless it exists. Oracle before 23ai has no IF NOT EXISTS: there a
 * name already in use (ORA-00955), or an index already on those columns (ORA-01408), means done.
 */
export async function once(db: DdlDb, ddl: Ddl): Promise<void> {
  if (isSqlite(db)) return ddl.ifNotExists().execute();
  try {
    await ddl.execute();
  } catch (err) {
    if (!/ORA-0(0955|1408)/.test(String((err as Error).message))) throw err;
  }
}

/**
 * Drops an index an earlier release created and the schema no longer has, when it is there. Oracle
 * before 23ai has no IF EXISTS: there no index of that name (ORA-01418) means done.
 */
export async function dropIndexIfPresent(db: DdlDb, name: string): Promise<void> {
  const drop = db.schema.dropIndex(name);
  if (isSqlite(db)) return drop.ifExists().execute();
  try {
    await drop.execute();
  } catch (err) {
    if (!/ORA-01418/.test(String((err as Error).message))) throw err;
  }
}

/** status, requested_at, sent_at, answered_at and answer_reason, in that order, after a table's own columns. */
export function answeredRequestColumns({ text }: ColumnTypes) {
  return <TB extends string, C extends string>(table: CreateTableBuilder<TB, C>) =>
    table
      .addColumn('status', text(16), (c) => c.notNull())
      .addColumn('requested_at', text(32), (c) => c.notNull())
      .addColumn('sent_at', text(32))
      .addColumn('answered_at', text(32))
      .addColumn('answer_reason', text(400));
}

/** The `<table>_bank_status` index: the program and the runbooks look requests up by bank and status. */
export async function createBankStatusIndex(db: DdlDb, table: string): Promise<void> {
  await once(db, db.schema.createIndex(`${table}_bank_status`).on(table).columns(['bank_code', 'status']));
}
