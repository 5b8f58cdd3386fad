/**
 * Data fix activities (db zone): a fix's preview, read from the rows it is about; the fix applied
 * on its approval in one transaction — the preview computed again over the rows as they are, and
 * nothing changed unless it is the approved one row for row (compare-and-set), the full rows
 * before it sealed in its journal; the rows as they are now, for the verification; the journal,
 * for an undo; and the undo, on its own approval, in one transaction that first finds every row
 * as the fix left it. What crosses Temporal's history is masked rows and digests; a retry after a
 * crash finds the journal written with the change and does nothing twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Kysely } from 'kysely';
import type { Sealer } from '../connectors/codec/sealed-json.ts';
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import {
  findFixJournal,
  insertFixJournal,
  markFixUndone,
  readFixRows,
  readPayeeVouchers,
  setRowColumns,
  writeHolding,
} from '../connectors/treasury/data-fix-store.ts';
import type { DataFixJournalTable } from '../connectors/treasury/schema-data-fix.ts';
import type { TreasuryDatabase } from '../connectors/treasury/schema.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import {
  fixTables,
  rowDigest,
  rowKey,
  shownRow,
  type FixTable,
  type Row,
} from '../domain/data-fixes/fix-tables.ts';
import { dataFix, type DataFixName } from '../domain/data-fixes/fixes.ts';
import {
  fixCommand,
  previewFix,
  undoCommand,
  type BoundRow,
  type FixPreview,
} from '../domain/data-fixes/preview.ts';
import { ErrorKind } from '../domain/errors.ts';
import type { FixApplied, FixJournal, JournalRow, MovedRow } from '../domain/runbooks/data-fix.types.ts';
import { requiresProof, sqlAction } from './proof-actions.ts';

type Db = Kysely<TreasuryDatabase>;

/** What a fix is asked with: the fix, its parameters, its id and the instant its change carries. */
export interface FixRequest {
  fix: DataFixName;
  params: unknown;
  fixId: string;
  at: string;
}

/** The fix's rows as they are and what the fix would make of them (rows locked when `lock`). */
async function look(
  db: Db,
  r: FixRequest,
  lock = false,
): Promise<{ preview: FixPreview; rows: Row[]; missing: string[] }> {
  const fix = dataFix(r.fix);
  const params = fix.params.parse(r.params);
  const query = fix.query(params);
  const rows = await readFixRows(db, fix.table, query.column, query.values, lock);
  const payees =
    fix.table === 'payee_accounts'
      ? await readPayeeVouchers(
          db,
          rows.map((row) => rowKey(fix.table, row)),
          lock,
        )
      : [];
  return {
    preview: previewFix(r.fix, params, rows, payees, { fixId: r.fixId, at: r.at }),
    rows,
    missing: fix.missing(params, rows),
  };
}

/** The approved rows that are no longer what the preview computed now makes of them. */
function movedSince(
  table: FixTable,
  approved: readonly BoundRow[],
  now: FixPreview,
  rows: readonly Row[],
): MovedRow[] {
  const current = new Map(rows.map((row) => [rowKey(table, row), row]));
  const shown = (key: string) => {
    const row = current.get(key);
    return row ? { now: shownRow(table, row) } : {};
  };
  const found = (key: string) => {
    const row = current.get(key);
    return row ? rowDigest(table, row) : null;
  };
  const again = new Map(now.rows.map((r) => [r.key, r]));
  const moved: MovedRow[] = approved
    .filter((a) => {
      const r = again.get(a.key);
      return !r || r.beforeDigest !== a.beforeDigest || r.afterDigest !== a.afterDigest;
    })
    .map((a) => ({ key: a.key, expected: a.beforeDigest, found: found(a.key), ...shown(a.key) }));
  const wanted = new Set(approved.map((a) => a.key));
  for (const r of now.rows.filter((x) => !wanted.has(x.key)))
    moved.push({ key: r.key, expected: null, found: r.beforeDigest, ...shown(r.key) });
  return moved;
}

function journalOf(row: DataFixJournalTable): FixJournal {
  return {
    fixId: row.fix_id,
    fix: row.fix as DataFixName,
    table: row.table_name as FixTable,
    workflowId: row.workflow_id,
    appliedAt: row.applied_at,
    imageDigest: row.image_digest,
    rows: JSON.parse(row.row_changes) as JournalRow[],
    ...(row.undone_at !== null && { undoneAt: row.undone_at }),
    ...(row.undone_by !== null && { undoneBy: row.undone_by }),
  };
}

const notThisRun = (what: string) =>
  ApplicationFailure.create({ type: ErrorKind.UnexpectedState, nonRetryable: true, message: what });

export function createDataFixActivities({ db, sealer }: { db: TreasuryDb; sealer: Sealer }) {
  return {
    /** What the fix would change, row by row, or why it cannot; input that found nothing, named. */
    async previewDataFix(r: FixRequest): Promise<FixPreview & { missing: string[] }> {
      const { preview, missing } = await look(db, r);
      return { ...preview, missing };
    },

    /**
     * Applies the approved fix in one transaction: the preview computed again over the rows as
     * they are must be the approved one, row for row, or nothing is changed (`moved`); the full
     * rows before are sealed into the fix's journal with the change. A fix found in the journal,
     * applied by this run, is `already` applied.
     */
    applyDataFix: requiresProof(
      (r: FixRequest & { workflowId: string; rows: BoundRow[] }) => [
        sqlAction(fixCommand(r.fix, dataFix(r.fix).params.parse(r.params), r.fixId, r.rows)),
      ],
      async (r): Promise<FixApplied> =>
        writeHolding(db, async (trx, lock) => {
          const done = await findFixJournal(trx, r.fixId);
          if (done) {
            if (done.workflow_id !== r.workflowId)
              throw notThisRun(`${r.fixId} was applied by ${done.workflow_id}`);
            return {
              outcome: 'already',
              rows: r.rows.length,
              imageDigest: done.image_digest,
              at: done.applied_at,
            };
          }
          const { preview, rows } = await look(trx, r, lock);
          const moved = movedSince(preview.table, r.rows, preview, rows);
          if (moved.length > 0 || preview.problems.length > 0) return { outcome: 'moved', moved };
          const fix = dataFix(r.fix);
          const params = fix.params.parse(r.params);
          const byKey = new Map(rows.map((row) => [rowKey(fix.table, row), row]));
          const changes: JournalRow[] = [];
          for (const bound of r.rows) {
            const before = byKey.get(bound.key) as Row;
            const change = fix.change(before, params, rows, { fixId: r.fixId, at: r.at });
            if (!change || 'problem' in change)
              throw notThisRun(`${bound.key}: the fix no longer changes it`);
            await setRowColumns(trx, fix.table, bound.key, change.set);
            const restore = Object.fromEntries(Object.keys(change.set).map((c) => [c, before[c] ?? null]));
            changes.push({ ...bound, restore, set: change.set });
          }
          const image = r.rows.map((b) => byKey.get(b.key));
          const imageDigest = planDigest(image);
          await insertFixJournal(trx, {
            fix_id: r.fixId,
            fix: r.fix,
            table_name: fix.table,
            workflow_id: r.workflowId,
            row_changes: JSON.stringify(changes),
            before_image: sealer.seal(image),
            image_digest: imageDigest,
            applied_at: r.at,
            undone_at: null,
            undone_by: null,
          });
          return { outcome: 'applied', rows: changes.length, imageDigest, at: r.at };
        }),
    ),

    /** Each row's digest now (null: gone) and the row as a person may see it. */
    async dataFixRowsNow({ table, keys }: { table: FixTable; keys: string[] }) {
      const rows = await readFixRows(db, table, fixTables[table].key, keys);
      const byKey = new Map(rows.map((row) => [rowKey(table, row), row]));
      return keys.map((key) => {
        const row = byKey.get(key);
        return row
          ? { key, digest: rowDigest(table, row), row: shownRow(table, row) }
          : { key, digest: null };
      });
    },

    /** The fix as its journal keeps it, or undefined when no fix has that id. */
    async dataFixJournal({ fixId }: { fixId: string }): Promise<FixJournal | undefined> {
      const row = await findFixJournal(db, fixId);
      return row && journalOf(row);
    },

    /**
     * Undoes the fix in one transaction: every row must still be as the fix left it, or nothing
     * is put back (`moved`); then each changed column gets its value before the fix, and the
     * journal says who undid it. Found undone by this run: `already`.
     */
    undoDataFix: requiresProof(
      (u: { fixId: string; table: FixTable; undoneBy: string; at: string; rows: BoundRow[] }) => [
        sqlAction(undoCommand(u.fixId, u.table, u.rows)),
      ],
      async (u): Promise<FixApplied> =>
        writeHolding(db, async (trx, lock) => {
          const found = await findFixJournal(trx, u.fixId);
          if (!found) throw notThisRun(`no data fix ${u.fixId} in the journal`);
          const journal = journalOf(found);
          if (journal.undoneBy === u.undoneBy)
            return {
              outcome: 'already',
              rows: u.rows.length,
              imageDigest: journal.imageDigest,
              at: journal.undoneAt ?? u.at,
            };
          const planned = JSON.stringify(u.rows.map((r) => [r.key, r.afterDigest, r.beforeDigest]));
          if (planned !== JSON.stringify(journal.rows.map((r) => [r.key, r.beforeDigest, r.afterDigest])))
            throw notThisRun(`the undo's rows are not those ${u.fixId} changed`);
          const rows = await readFixRows(
            trx,
            journal.table,
            fixTables[journal.table].key,
            journal.rows.map((r) => r.key),
            lock,
          );
          const byKey = new Map(rows.map((row) => [rowKey(journal.table, row), row]));
          const moved: MovedRow[] = journal.rows
            .filter((r) => {
              const row = byKey.get(r.key);
              return !row || rowDigest(journal.table, row) !== r.afterDigest;
            })
            .map((r) => {
              const row = byKey.get(r.key);
              return {
                key: r.key,
                expected: r.afterDigest,
                found: row ? rowDigest(journal.table, row) : null,
                ...(row && { now: shownRow(journal.table, row) }),
              };
            });
          if (journal.undoneAt !== undefined || moved.length > 0) return { outcome: 'moved', moved };
          for (const r of journal.rows) await setRowColumns(trx, journal.table, r.key, r.restore);
          await markFixUndone(trx, u.fixId, u.undoneBy, u.at);
          return {
            outcome: 'applied',
            rows: journal.rows.length,
            imageDigest: journal.imageDigest,
            at: u.at,
          };
        }),
    ),
  };
}
