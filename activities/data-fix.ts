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
} from '../connectors/treasury/data-fix-store.ts';
import { writeHolding } from '../connectors/treasury/portable.ts';
import type { DataFixJournalTable } from '../connectors/treasury/schema-data-fix.ts';
import type { TreasuryDatabase } from '../connectors/treasury/schema.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import { fixTables, rowKey, type FixTable, type Row } from '../domain/data-fixes/fix-tables.ts';
import { dataFix, type DataFixName } from '../domain/data-fixes/fixes.ts';
import {
  fixCommand,
  previewFix,
  rowsNow,
  undoCommand,
  type BoundRow,
  type FixPreview,
} from '../domain/data-fixes/preview.ts';
import { differing, type RowNow } from '../domain/row-changes.ts';
import { ErrorKind } from '../domain/errors.ts';
import type { FixApplied, FixJournal, JournalRow, MovedRow } from '../domain/runbooks/data-fix.types.ts';
import { heartbeating } from './heartbeats.ts';
import { requiresProof, sqlAction } from './proof-actions.ts';

type Db = Kysely<TreasuryDatabase>;

/** What a fix is asked with: the fix, its parameters, its id and the instant its change carries. */
export interface FixRequest {
  fix: DataFixName;
  params: unknown;
  fixId: string;
  at: string;
}

/** A fix to apply: the request, the run applying it and the rows (with their digests) it was approved for. */
type FixOrder = FixRequest & { workflowId: string; rows: BoundRow[] };
/** An undo to apply: the fix, the run undoing it, its instant and the rows it was approved for. */
interface UndoOrder {
  fixId: string;
  table: FixTable;
  undoneBy: string;
  at: string;
  rows: BoundRow[];
}

/** The fix's rows as they are and what the fix would make of them (rows locked when `lock`). */
async function look(db: Db, r: FixRequest, lock = false) {
  const fix = dataFix(r.fix);
  const params = fix.params.parse(r.params);
  const query = fix.query(params);
  const rows = await readFixRows(db, fix.table, query.column, query.values, lock);
  const keys = rows.map((row) => rowKey(fix.table, row));
  const payees = fix.table === 'payee_accounts' ? await readPayeeVouchers(db, keys, lock) : [];
  const preview = previewFix(r.fix, params, rows, payees, { fixId: r.fixId, at: r.at });
  return { fix, params, rows, preview, missing: fix.missing(params, rows) };
}

/** The approved rows the preview computed now no longer makes alike, and rows it would now change besides. */
function movedSince(approved: readonly BoundRow[], preview: FixPreview, now: readonly RowNow[]): MovedRow[] {
  const again = new Map(preview.rows.map((r) => [r.key, r]));
  const alike = approved.filter((a) => {
    const r = again.get(a.key);
    return r?.beforeDigest === a.beforeDigest && r.afterDigest === a.afterDigest;
  });
  const kept = new Set(alike.map((a) => a.key));
  const moved = differing(
    now,
    approved.filter((a) => !kept.has(a.key)).map((a) => ({ key: a.key, digest: a.beforeDigest })),
  );
  const wanted = new Set(approved.map((a) => a.key));
  const extra = now.filter((n) => again.has(n.key) && !wanted.has(n.key));
  return [
    ...moved,
    ...extra.map((n) => ({ key: n.key, expected: null, found: n.digest, ...(n.row && { now: n.row }) })),
  ];
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

const unexpected = (what: string) =>
  ApplicationFailure.create({ type: ErrorKind.UnexpectedState, nonRetryable: true, message: what });

export function createDataFixActivities({ db, sealer }: { db: TreasuryDb; sealer: Sealer }) {
  /** The fix in one transaction holding its rows (see applyDataFix). */
  async function applyHolding(trx: Db, lock: boolean, r: FixOrder): Promise<FixApplied> {
    const done = await findFixJournal(trx, r.fixId);
    if (done) {
      if (done.workflow_id !== r.workflowId)
        throw unexpected(`${r.fixId} was applied by ${done.workflow_id}`);
      return { outcome: 'already', rows: r.rows.length, imageDigest: done.image_digest, at: done.applied_at };
    }
    const { fix, params, rows, preview } = await look(trx, r, lock);
    const keys = [...new Set([...r.rows.map((b) => b.key), ...preview.rows.map((p) => p.key)])];
    const moved = movedSince(r.rows, preview, rowsNow(fix.table, keys, rows));
    if (moved.length > 0 || preview.problems.length > 0) return { outcome: 'moved', moved };
    const byKey = new Map(rows.map((row) => [rowKey(fix.table, row), row]));
    const changes: JournalRow[] = [];
    for (const bound of r.rows) {
      const before = byKey.get(bound.key) as Row;
      const change = fix.change(before, params, rows, { fixId: r.fixId, at: r.at });
      if (!change || 'problem' in change) throw unexpected(`${bound.key}: the fix no longer changes it`);
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
  }

  /** The undo in one transaction holding its rows (see undoDataFix). */
  async function undoHolding(trx: Db, lock: boolean, u: UndoOrder): Promise<FixApplied> {
    const found = await findFixJournal(trx, u.fixId);
    if (!found) throw unexpected(`no data fix ${u.fixId} in the journal`);
    const journal = journalOf(found);
    if (journal.undoneBy === u.undoneBy)
      return {
        outcome: 'already',
        rows: u.rows.length,
        imageDigest: journal.imageDigest,
        at: journal.undoneAt ?? u.at,
      };
    const planned = u.rows.map((r) => [r.key, r.afterDigest, r.beforeDigest]);
    if (
      JSON.stringify(planned) !==
      JSON.stringify(journal.rows.map((r) => [r.key, r.beforeDigest, r.afterDigest]))
    )
      throw unexpected(`the undo's rows are not those ${u.fixId} changed`);
    const keys = journal.rows.map((r) => r.key);
    const rows = await readFixRows(trx, journal.table, fixTables[journal.table].key, keys, lock);
    const moved = differing(
      rowsNow(journal.table, keys, rows),
      journal.rows.map((r) => ({ key: r.key, digest: r.afterDigest })),
    );
    if (journal.undoneAt !== undefined || moved.length > 0) return { outcome: 'moved', moved };
    for (const r of journal.rows) await setRowColumns(trx, journal.table, r.key, r.restore);
    await markFixUndone(trx, u.fixId, u.undoneBy, u.at);
    return { outcome: 'applied', rows: journal.rows.length, imageDigest: journal.imageDigest, at: u.at };
  }

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
      (r: FixOrder) => [sqlAction(fixCommand(r.fix, dataFix(r.fix).params.parse(r.params), r.fixId, r.rows))],
      (r) => heartbeating(() => writeHolding(db, (trx, lock) => applyHolding(trx, lock, r))),
    ),

    /** Each row's digest now (null: gone) and the row as a person may see it. */
    async dataFixRowsNow({ table, keys }: { table: FixTable; keys: string[] }): Promise<RowNow[]> {
      return rowsNow(table, keys, await readFixRows(db, table, fixTables[table].key, keys));
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
      (u: UndoOrder) => [sqlAction(undoCommand(u.fixId, u.table, u.rows))],
      (u) => heartbeating(() => writeHolding(db, (trx, lock) => undoHolding(trx, lock, u))),
    ),
  };
}
