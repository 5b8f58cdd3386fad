/**
 * What an upgrade does to the database, on SQLite and on Oracle alike: each table's checksum (its
 * columns and every row, whatever their order), a copy of each table a migration changes made
 * before it runs (`u<key>_<table>`, in the same schema), a package's statements run one at a time
 * and journaled (`upgrade_journal`, in the statement's own transaction where the database allows
 * DDL in one — SQLite; Oracle commits DDL by itself, so there the journal row follows it), the
 * copies put back, and the schema version. Table names come from a signed manifest and match
 * `tableName` (domain/release-manifest.ts) before they reach any statement.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { tableName } from '../../domain/release-manifest.ts';
import { backupTableName } from '../../domain/runbooks/version-upgrade.plan.ts';
import { isSqlite } from './portable.ts';
import type { TreasuryDb } from './database.ts';

export interface TableChecksum {
  table: string;
  exists: boolean;
  columns: string[];
  rows: number;
  /** SHA-256 of the columns and of the sum of every row's SHA-256 (mod 2^256): equal tables, equal digests. */
  digest: string;
}

const modulus = 1n << 256n;

/** The database with tables named at run time (checked by `tableName` first). */
type AnyDb = Kysely<Record<string, Record<string, unknown>>>;
const anyDb = (db: TreasuryDb) => db as unknown as AnyDb;

/** A table name checked again here, so nothing else ever reaches a statement. */
const checked = (table: string) => tableName.parse(table);

async function columnsOf(db: AnyDb, table: string): Promise<string[] | undefined> {
  if (isSqlite(db)) {
    const rows = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
    return rows.rows.length > 0 ? rows.rows.map((r) => r.name) : undefined;
  }
  const rows = await sql<{
    COLUMN_NAME: string;
  }>`select column_name from user_tab_columns where table_name = ${table.toUpperCase()} order by column_id`.execute(
    db,
  );
  return rows.rows.length > 0 ? rows.rows.map((r) => r.COLUMN_NAME.toLowerCase()) : undefined;
}

/** The checksum of each table (one that does not exist says so). */
export async function tableChecksums(db: TreasuryDb, tables: readonly string[]): Promise<TableChecksum[]> {
  const any = anyDb(db);
  const out: TableChecksum[] = [];
  for (const table of tables.map(checked)) {
    const columns = await columnsOf(any, table);
    if (!columns) {
      out.push({ table, exists: false, columns: [], rows: 0, digest: '' });
      continue;
    }
    let sum = 0n;
    let rows = 0;
    for await (const row of any.selectFrom(table).selectAll().stream(1000)) {
      const values = columns.map((c) => (row as Record<string, unknown>)[c] ?? null);
      sum = (sum + BigInt(`0x${createHash('sha256').update(canonicalJson(values)).digest('hex')}`)) % modulus;
      rows += 1;
    }
    const digest = createHash('sha256')
      .update(`${columns.join(',')}\n${sum.toString(16)}`)
      .digest('hex');
    out.push({ table, exists: true, columns, rows, digest });
  }
  return out;
}

/** Copies each existing table to its backup (a copy already made is kept as it is). */
export async function backupTables(
  db: TreasuryDb,
  key: string,
  tables: readonly string[],
): Promise<string[]> {
  const any = anyDb(db);
  const copied: string[] = [];
  for (const table of tables.map(checked)) {
    const copy = backupTableName(key, checked(table));
    if (!(await columnsOf(any, table)) || (await columnsOf(any, copy))) continue;
    await sql`create table ${sql.table(copy)} as select * from ${sql.table(table)}`.execute(any);
    copied.push(table);
  }
  return copied;
}

/**
 * Puts each table back as its backup holds it: the rows of one that existed before (in one
 * transaction per table), or no table at all where none existed.
 */
export async function restoreTables(
  db: TreasuryDb,
  key: string,
  tables: readonly { table: string; existed: boolean }[],
): Promise<void> {
  const any = anyDb(db);
  for (const { table, existed } of tables) {
    const name = checked(table);
    if (!existed) {
      if (await columnsOf(any, name)) await sql`drop table ${sql.table(name)}`.execute(any);
      continue;
    }
    const copy = backupTableName(key, name);
    await any.transaction().execute(async (trx) => {
      await sql`delete from ${sql.table(name)}`.execute(trx);
      await sql`insert into ${sql.table(name)} select * from ${sql.table(copy)}`.execute(trx);
    });
  }
}

/** Whether the statement keyed `statementKey` of the upgrade `runKey` has run. */
async function journaled(db: TreasuryDb, runKey: string, statementKey: string) {
  const row = await db
    .selectFrom('upgrade_journal')
    .select('statement_key')
    .where('run_key', '=', runKey)
    .where('statement_key', '=', statementKey)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Runs one statement of a package unless the journal has it, and journals it: true when it ran
 * now, false when it had run before.
 */
export async function runJournaled(
  db: TreasuryDb,
  { runKey, statementKey, statement }: { runKey: string; statementKey: string; statement: string },
): Promise<boolean> {
  const note = (trx: TreasuryDb) =>
    trx
      .insertInto('upgrade_journal')
      .values({ run_key: runKey, statement_key: statementKey, applied_at: new Date().toISOString() })
      .execute();
  if (await journaled(db, runKey, statementKey)) return false;
  if (isSqlite(db)) {
    await db.transaction().execute(async (trx) => {
      await sql.raw(statement).execute(trx);
      await note(trx);
    });
    return true;
  }
  await sql.raw(statement).execute(db);
  await note(db);
  return true;
}

/** The schema version `subsystem`'s tables are at, or undefined when none is recorded. */
export async function schemaVersion(db: TreasuryDb, subsystem: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('schema_versions')
    .select('version')
    .where('subsystem', '=', subsystem)
    .executeTakeFirst();
  return row?.version;
}

/** Records `subsystem`'s schema version. */
export async function setSchemaVersion(db: TreasuryDb, subsystem: string, version: string): Promise<void> {
  await db
    .updateTable('schema_versions')
    .set({ version, updated_at: new Date().toISOString() })
    .where('subsystem', '=', subsystem)
    .execute();
}

/** How many rows `table` holds (a read the smoke test makes), or undefined when it does not exist. */
export async function countRows(db: TreasuryDb, table: string): Promise<number | undefined> {
  const any = anyDb(db);
  if (!(await columnsOf(any, checked(table)))) return undefined;
  const row = await sql<{ n: number }>`select count(*) as n from ${sql.table(checked(table))}`.execute(any);
  return Number(row.rows[0]?.n ?? 0);
}
