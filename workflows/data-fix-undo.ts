/**
 * 错误数据处理撤销 — undo a data fix by its id: the fix's journal says which rows it changed and
 * how (an unknown id is bad input, before anything is recorded); every row must still be as the
 * fix left it — a row that moved since refuses the undo before approval, listing the rows that
 * moved — then the plan shows each row now and as it was, and once approved one transaction puts
 * the values back (looking at every row again first), and the run verifies each row is as it was
 * before the fix, digest for digest.
 */
import type { createControlActivities } from '../activities/control.ts';
import { dataFix as fixOf } from '../domain/data-fixes/fixes.ts';
import { undoCommand, type PreviewRow } from '../domain/data-fixes/preview.ts';
import { invalidInput, parseInput } from '../domain/errors.ts';
import { differing } from '../domain/row-changes.ts';
import { dataFixUndoPlan, undoRows } from '../domain/runbooks/data-fix.plan.ts';
import { dataFixUndoReport } from '../domain/runbooks/data-fix-undo.report.ts';
import {
  dataFixUndoInputSchema,
  type DataFixUndoInput,
  type DataFixUndoOutcome,
  type DataFixUndoParsed,
  type DataFixUndoResult,
  type FixApplied,
  type FixJournal,
  type FixVerification,
  type MovedRow,
} from '../domain/runbooks/data-fix.types.ts';
import { bound, dataFixActivities, fixFacts, recordChange, verifyRows } from './data-fix.steps.ts';
import type { ReadProxy } from './shared/retry-profiles.ts';
import { approve, closeRun, holdingLock, openRun, type Found, type GatedRun } from './shared/runbook-run.ts';

type Control = ReturnType<typeof createControlActivities>;

const runbook = 'data-fix-undo';

interface UndoFound extends Found {
  journal: FixJournal;
}

interface Undo {
  run: GatedRun<DataFixUndoParsed> & UndoFound;
  acts: ReturnType<typeof dataFixActivities>;
  rows: PreviewRow[];
  problems: string[];
  moved: MovedRow[];
  applied?: Extract<FixApplied, { outcome: 'applied' | 'already' }>;
  verification?: FixVerification;
}

export async function dataFixUndo(rawInput: DataFixUndoInput): Promise<DataFixUndoResult> {
  const input = parseInput(dataFixUndoInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => findFix(control, input.fixId),
    firstStep: 'checking-rows',
    subject: input.fixId,
    detail: () => ({ fixId: input.fixId }),
  });
  const u: Undo = {
    run,
    acts: dataFixActivities(run.estate.taskQueues.db),
    rows: [],
    problems: [],
    moved: [],
  };
  const failed = `撤销错误数据处理失败：${input.fixId}`;
  const outcome = await holdingLock(run, ['data-fix', run.journal.table], failed, () => undo(u));
  const report = await closeRun(
    run,
    { outcome, subject: input.fixId, payload: { fix: run.journal.fix, rows: u.rows.length } },
    (r) => dataFixUndoReport(r, facts(u, outcome)),
  );
  return { runbook, workflowId: run.workflowId, ...facts(u, outcome), report };
}

/** Refused before approval when the fix was undone already or a row moved; else approve, put back, verify. */
async function undo(u: Undo): Promise<DataFixUndoOutcome> {
  const { run } = u;
  const { journal, input } = run;
  if (journal.undoneAt !== undefined) {
    u.problems = [`${journal.fixId} 已于 ${journal.undoneAt} 由 ${journal.undoneBy ?? '?'} 撤销`];
    return 'already-undone';
  }
  const keys = journal.rows.map((r) => r.key);
  const now = await u.acts.read.dataFixRowsNow({ table: journal.table, keys });
  u.moved = differing(
    now,
    journal.rows.map((r) => ({ key: r.key, digest: r.afterDigest })),
  );
  u.rows = undoRows(journal, new Map(now.flatMap((n) => (n.row ? [[n.key, n.row] as const] : []))));
  if (u.moved.length > 0) return 'moved';
  const approval = await approve(
    run,
    'execute',
    dataFixUndoPlan({ journal, rows: u.rows, reason: input.reason }),
  );
  if (typeof approval === 'string') return approval;
  run.step('undoing');
  const applied = await run.hand.step('undo', () =>
    u.acts.change.undoDataFix({
      fixId: journal.fixId,
      table: journal.table,
      undoneBy: run.workflowId,
      at: new Date().toISOString(),
      rows: bound(u.rows),
      proof: approval.proof,
    }),
  );
  if (applied.outcome === 'moved') {
    u.moved = applied.moved;
    return 'moved';
  }
  u.applied = applied;
  const command = undoCommand(journal.fixId, journal.table, u.rows);
  await recordChange(run, approval, { subject: journal.fixId, command, rows: u.rows, applied });
  run.step('verifying');
  u.verification = await verifyRows(u.acts, journal.table, u.rows);
  return u.verification.ok ? 'undone' : 'unverified';
}

/** The fix's journal; an id no fix has is bad input, before anything is recorded. */
async function findFix(control: ReadProxy<Control>, fixId: string): Promise<UndoFound> {
  const estate = await control.describeEstate();
  const journal = await dataFixActivities(estate.taskQueues.db).read.dataFixJournal({ fixId });
  if (!journal)
    throw invalidInput([`input.fixId: no data fix ${fixId} was applied in the treasury database`]);
  return { estate, bank: { code: 'treasury', name: '国库集中支付数据库' }, bankCodes: [], journal };
}

function facts(u: Undo, outcome: DataFixUndoOutcome) {
  const { journal } = u.run;
  return {
    outcome,
    fixedBy: journal.workflowId,
    ...fixFacts(u.run, {
      fixId: journal.fixId,
      fix: journal.fix,
      title: fixOf(journal.fix).title.zh,
      table: journal.table,
      rows: u.rows,
      problems: u.problems,
      moved: u.moved,
      ...(u.applied && { applied: u.applied }),
      ...(u.verification && { verification: u.verification }),
    }),
  };
}
