/**
 * Version upgrade activities on the database's side (db zone): what the tables a package's
 * migrations change look like (each table's checksum) and whether a voucher is in flight; and —
 * each on an approval proof covering exactly its statements — the tables copied before the
 * migrations, each migration statement run once (journaled), the schema version recorded, and the
 * tables put back from their copies. A statement the database refuses fails the step at once: run
 * again it would be refused again.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import {
  backupTables,
  countRows,
  restoreTables,
  runJournaled,
  schemaVersion,
  setSchemaVersion,
  tableChecksums,
} from '../connectors/treasury/upgrade-tables.ts';
import { ErrorKind } from '../domain/errors.ts';
import { tableName } from '../domain/release-manifest.ts';
import { upgradeActions } from '../domain/runbooks/version-upgrade.plan.ts';
import type { TableState } from '../domain/runbooks/version-upgrade.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { heartbeating } from './heartbeats.ts';
import { requiresProof } from './proof-actions.ts';

/** A failure worth trying again (the database busy or out of reach), not a statement it refuses. */
const transient =
  /SQLITE_BUSY|database is locked|ORA-(03113|03114|03135|12170|12541|12514)|NJS-500|ECONNRESET/;

export function createUpgradeDbActivities({ db, site }: { db: TreasuryDb; site: SiteConfig }) {
  return {
    /** The schema version, the tables as they are, the database's dialect, and the vouchers in flight. */
    async upgradeDbState({ subsystem, tables }: { subsystem: string; tables: string[] }) {
      const [version, checksums, inFlight] = await Promise.all([
        schemaVersion(db, subsystem),
        heartbeating(() => tableChecksums(db, tables)),
        db
          .selectFrom('vouchers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', 'in', ['pending_send', 'sent'])
          .executeTakeFirstOrThrow(),
      ]);
      const states: TableState[] = checksums.map((c) => ({
        table: c.table,
        exists: c.exists,
        rows: c.rows,
        digest: c.digest,
      }));
      return {
        ...(version !== undefined && { schemaVersion: version }),
        dialect: site.treasury.adapter,
        tables: states,
        vouchersInFlight: Number(inFlight.n),
      };
    },

    /** Copies each table that exists (a copy made before is kept). */
    backupUpgradeTables: requiresProof(
      ({ key, tables }: { key: string; tables: string[] }) =>
        tables.map((t) => upgradeActions.backupTable(t, key)),
      async ({ key, tables }) => ({ copied: await heartbeating(() => backupTables(db, key, tables)) }),
    ),

    /** Runs one statement of the package unless its journal row says it ran: whether it ran now. */
    runUpgradeStatement: requiresProof(
      ({ statement }: { runKey: string; statementKey: string; statement: string }) => [
        upgradeActions.statement(statement),
      ],
      async (input): Promise<{ ran: boolean }> => {
        try {
          return { ran: await heartbeating(() => runJournaled(db, input)) };
        } catch (err) {
          if (transient.test(String((err as Error).message))) throw err;
          throw ApplicationFailure.create({
            type: ErrorKind.UnexpectedState,
            nonRetryable: true,
            message: `the database refused ${input.statementKey}: ${(err as Error).message}`,
          });
        }
      },
    ),

    /** Records the schema version the migrations brought the subsystem's tables to. */
    setUpgradeSchemaVersion: requiresProof(
      ({ subsystem, version }: { subsystem: string; version: string }) => [
        upgradeActions.schemaVersion(subsystem, version),
      ],
      async ({ subsystem, version }) => setSchemaVersion(db, subsystem, version),
    ),

    /** Puts each table back from its copy (one that did not exist before is dropped). */
    restoreUpgradeTables: requiresProof(
      ({ key, tables }: { key: string; tables: { table: string; existed: boolean }[] }) =>
        tables.map((t) => upgradeActions.restoreTable(t.table, key, t.existed)),
      async ({ key, tables }) => heartbeating(() => restoreTables(db, key, tables)),
    ),

    /** The smoke test's read: the table answers, with its number of rows. */
    async smokeRead({ table }: { table: string }): Promise<{ rows?: number }> {
      const rows = await countRows(db, tableName.parse(table));
      return rows === undefined ? {} : { rows };
    },
  };
}
