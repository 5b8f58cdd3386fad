/**
 * System migration activities on the database's side (db zone): both sides' tables with their row
 * counts and checksums, compared table by table; the copy of a SQLite database onto the target
 * (on an approval proof; found equal already, it is not made again); and the old database removed
 * at decommission. An Oracle database is copied by the DBA's tools and only compared here.
 */
import { statSync } from 'node:fs';
import { copySqliteStore, removeSqliteStore, storeState } from '../connectors/treasury/subsystem-stores.ts';
import { decommissionActions, migrationActions } from '../domain/runbooks/system-migration.plan.ts';
import type { CopyVerification } from '../domain/runbooks/system-migration.types.ts';
import type { TableState } from '../domain/runbooks/version-upgrade.types.ts';
import type { DatabaseStore } from '../domain/subsystem-config.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { heartbeating } from './heartbeats.ts';
import { migrationEnds, routeOf } from './migration-host.ts';
import { requiresProof } from './proof-actions.ts';

type Ref = { subsystem: string; target: string };

const sizeOf = (store: DatabaseStore): number => {
  if (store.adapter !== 'sqlite') return 0;
  try {
    return statSync(store.path).size;
  } catch {
    return 0;
  }
};

const states = (tables: Awaited<ReturnType<typeof storeState>>['tables']): TableState[] =>
  tables.map((t) => ({ table: t.table, exists: t.exists, rows: t.rows, digest: t.digest }));

export function createMigrationDbActivities({ site }: { site: SiteConfig }) {
  const stores = (ref: Ref) => {
    const { s, t } = migrationEnds(site, ref.subsystem, ref.target);
    return { source: s.database.store, target: t.database };
  };

  /** Both sides' tables compared: rows and checksum, table by table (a table on one side only differs). */
  async function compare(ref: Ref): Promise<CopyVerification['tables']> {
    const { source, target } = stores(ref);
    const [from, to] = await heartbeating(() => Promise.all([storeState(source), storeState(target)]));
    const theirs = new Map(to.tables.map((t) => [t.table, t]));
    const names = [...new Set([...from.tables.map((t) => t.table), ...to.tables.map((t) => t.table)])].sort();
    return names.map((table) => {
      const a = from.tables.find((t) => t.table === table);
      const b = theirs.get(table);
      return {
        table,
        sourceRows: a?.rows ?? 0,
        targetRows: b?.rows ?? 0,
        sourceDigest: a?.digest ?? '',
        targetDigest: b?.digest ?? '',
        equal: !!a && !!b && a.digest === b.digest && a.rows === b.rows,
      };
    });
  }

  return {
    /** The old side's tables as they are (what the copy must equal and a rollback keep), and its size. */
    async migrationDbState(
      ref: Ref,
    ): Promise<{ tables: TableState[]; bytes: number; targetExists: boolean }> {
      const { source, target } = stores(ref);
      const [from, to] = await heartbeating(() => Promise.all([storeState(source), storeState(target)]));
      return { tables: states(from.tables), bytes: sizeOf(source), targetExists: to.exists };
    },

    /** Copies the SQLite database onto the target, whole, unless the target already equals it. */
    copyDatabaseToTarget: requiresProof(
      (ref: Ref) => [migrationActions.copyDatabase(routeOf(migrationEnds(site, ref.subsystem, ref.target)))],
      async (ref) => {
        const { source, target } = stores(ref);
        const same = (await compare(ref)).every((t) => t.equal);
        if (same && (await storeState(target)).exists) return { copied: false };
        await heartbeating(() => copySqliteStore(source, target));
        return { copied: true };
      },
    ),

    compareDatabases: compare,

    /** Removes the old SQLite database (decommission). */
    removeSourceDatabase: requiresProof(
      (ref: Ref) => decommissionActions(routeOf(migrationEnds(site, ref.subsystem, ref.target))).slice(1),
      async (ref) => ({ removed: removeSqliteStore(stores(ref).source) }),
    ),
  };
}
