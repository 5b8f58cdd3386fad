/**
 * Opens the audit store named by the site's `audit` section: an SQLite file (the embedded
 * default) or an Oracle schema. Opening for writing creates the tables when they are missing;
 * opening read-only (verification, evidence export) changes nothing, and an SQLite file that
 * does not exist is an error rather than a fresh, empty and so "intact" trail.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { SqlStoreConfig } from '../../temporal.config.ts';
import { secretFromEnv } from '../../temporal.config.ts';
import { createAuditSchema } from './migrations.ts';
import type { AuditDatabase } from './schema.ts';
import { oracleNaming } from '../sql/oracle-naming.ts';
import { keepingStatements } from '../sql/sqlite-statements.ts';

export type AuditDb = Kysely<AuditDatabase>;

export interface OpenAuditOptions {
  readOnly?: boolean;
}

export async function openAuditDb(config: SqlStoreConfig, options: OpenAuditOptions = {}): Promise<AuditDb> {
  const db =
    config.adapter === 'sqlite'
      ? await openAuditSqlite(requireSection(config.sqlite, 'audit.sqlite').path, options)
      : await openAuditOracle(requireSection(config.oracle, 'audit.oracle'));
  if (!options.readOnly) await createAuditSchema(db);
  return db;
}

export async function openAuditSqlite(
  path: string,
  { readOnly = false }: OpenAuditOptions = {},
): Promise<AuditDb> {
  const { default: Database } = await import('better-sqlite3');
  if (!readOnly) mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path, { fileMustExist: readOnly, readonly: readOnly });
  if (!readOnly) database.pragma('journal_mode = WAL');
  // No busy handler: it would block the event loop. Writers retry on timers (retryWhileBusy);
  // WAL readers are not blocked by a writer.
  database.pragma('busy_timeout = 0');
  return new Kysely<AuditDatabase>({ dialect: new SqliteDialect({ database: keepingStatements(database) }) });
}

async function openAuditOracle(oracle: NonNullable<SqlStoreConfig['oracle']>): Promise<AuditDb> {
  const { default: oracledb } = await import('oracledb');
  const { OracleDialect } = await import('kysely-oracledb');
  const pool = await oracledb.createPool({
    user: secretFromEnv(oracle.userEnv),
    password: secretFromEnv(oracle.passwordEnv),
    connectString: oracle.connectString,
  });
  const naming = oracleNaming(oracle.identifiers);
  return new Kysely<AuditDatabase>({
    plugins: naming.plugins,
    dialect: new OracleDialect({
      pool,
      compilerOptions: naming.compilerOptions,
      // The payload is a CLOB; read it as text, as SQLite returns it.
      executeOptions: {
        fetchTypeHandler: (meta: { dbType?: unknown }) =>
          meta.dbType === oracledb.DB_TYPE_CLOB ? { type: oracledb.STRING } : undefined,
      },
    }),
  });
}

function requireSection<T>(section: T | undefined, name: string): T {
  if (!section) throw new Error(`${name} is not configured`);
  return section;
}
