/**
 * A subsystem's database as a migration sees it, on SQLite and Oracle alike: its tables, each with
 * its row count and checksum (upgrade-tables.ts's: the columns and every row, whatever their
 * order); and, on SQLite only, a copy into the target's file — written beside it with `VACUUM
 * INTO` and renamed into place, so a copy is whole or absent — and the file removed at
 * decommission. An Oracle copy is the DBA's (Data Pump, RMAN): here it is only compared, and an
 * Oracle schema is never dropped by the engine.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, sql, SqliteDialect } from 'kysely';
import type { DatabaseStore } from '../../domain/subsystem-config.ts';
import { tableName } from '../../domain/release-manifest.ts';
import { openTreasuryDb, type TreasuryDb } from './database.ts';
import { isSqlite } from './portable.ts';
import type { TreasuryDatabase } from './schema.ts';
import { tableChecksums, type TableChecksum } from './upgrade-tables.ts';

export interface StoreState {
  /** The database answers (a SQLite file that exists; an Oracle schema reached). */
  exists: boolean;
  tables: TableChecksum[];
}

/** Where a store is, for a plan or a report (no credentials). */
export const storeLabel = (s: DatabaseStore) =>
  s.adapter === 'sqlite' ? `sqlite:${s.path}` : `oracle:${s.connectString}`;

async function openStore(store: DatabaseStore): Promise<TreasuryDb | undefined> {
  if (store.adapter === 'oracle')
    return openTreasuryDb({
      adapter: 'oracle',
      oracle: {
        connectString: store.connectString,
        userEnv: store.userEnv,
        passwordEnv: store.passwordEnv,
        identifiers: store.identifiers,
      },
    });
  if (!existsSync(store.path)) return undefined;
  const { default: Database } = await import('better-sqlite3');
  const database = new Database(store.path, { readonly: true, fileMustExist: true, timeout: 5000 });
  return new Kysely<TreasuryDatabase>({ dialect: new SqliteDialect({ database }) });
}

/** The store's own tables, by name (those whose names a statement may carry). */
async function tablesOf(db: TreasuryDb): Promise<string[]> {
  const names = isSqlite(db)
    ? (
        await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
          db,
        )
      ).rows.map((r) => r.name)
    : (
        await sql<{ TABLE_NAME: string }>`select table_name from user_tables order by table_name`.execute(db)
      ).rows.map((r) => r.TABLE_NAME.toLowerCase());
  return names.filter((n) => tableName.safeParse(n).success);
}

/** Every table of the store with its rows and checksum; a store that is not there says so. */
export async function storeState(store: DatabaseStore): Promise<StoreState> {
  const db = await openStore(store);
  if (!db) return { exists: false, tables: [] };
  try {
    return { exists: true, tables: await tableChecksums(db, await tablesOf(db)) };
  } finally {
    await db.destroy();
  }
}

/** Copies a SQLite store into another file, whole: written beside it and renamed into place. */
export async function copySqliteStore(from: DatabaseStore, to: DatabaseStore): Promise<void> {
  if (from.adapter !== 'sqlite' || to.adapter !== 'sqlite')
    throw new Error('the engine copies SQLite databases only; an Oracle copy is made by the DBA');
  const { default: Database } = await import('better-sqlite3');
  const partial = `${to.path}.partial`;
  rmSync(partial, { force: true });
  mkdirSync(dirname(to.path), { recursive: true });
  const source = new Database(from.path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    source.prepare('vacuum into ?').run(partial);
  } finally {
    source.close();
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${to.path}${suffix}`, { force: true });
  renameSync(partial, to.path);
}

/** Removes a SQLite store's file (an Oracle schema is the DBA's to drop). */
export function removeSqliteStore(store: DatabaseStore): boolean {
  if (store.adapter !== 'sqlite' || !existsSync(store.path)) return false;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${store.path}${suffix}`, { force: true });
  return true;
}
