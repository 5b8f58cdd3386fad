/**
 * 错误数据处理 — data fix (catalog item 12, contract 1.3): one of the catalog's named fixes
 * (domain/data-fixes/fixes.ts), previewed row by row from the treasury database — input that finds
 * nothing is bad input, before anything is recorded; a fix that would change a paid voucher's
 * amount or payee, or a row not in the state it fixes, is refused with the reason before anyone is
 * asked — then approved, applied in one transaction that changes nothing unless every row is as
 * the preview saw it (the full rows before sealed in its journal), and verified. Its id
 * (`DF<day>-<hex>`) is what `data-fix-undo` takes. One fix per table at a time (lock/data-fix/<table>).
 */
import { uuid4 } from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import { dateInZone } from '../domain/calendar/dates.ts';
import { dataFix as fixOf } from '../domain/data-fixes/fixes.ts';
import { fixCommand, type FixPreview } from '../domain/data-fixes/preview.ts';
import { invalidInput, parseInput } from '../domain/errors.ts';
import { dataFixPlan } from '../domain/runbooks/data-fix.plan.ts';
import { dataFixReport } from '../domain/runbooks/data-fix.report.ts';
import {
  dataFixInputSchema,
  type DataFixInput,
  type DataFixOutcome,
  type DataFixParsed,
  type DataFixResult,
  type FixApplied,
  type FixVerification,
  type MovedRow,
} from '../domain/runbooks/data-fix.types.ts';
import { bound, dataFixActivities, fixFacts, recordChange, verifyRows } from './data-fix.steps.ts';
import type { ReadProxy } from './shared/retry-profiles.ts';
import { approve, closeRun, holdingLock, openRun, type Found, type GatedRun } from './shared/runbook-run.ts';

type Control = ReturnType<typeof createControlActivities>;

const runbook = 'data-fix';

interface FixFound extends Found {
  fixId: string;
  /** The instant the change carries, fixed at the preview. */
  at: string;
  preview: FixPreview;
}

/** A fix's run, its activities, and what it has done. */
interface Fix {
  run: GatedRun<DataFixParsed> & FixFound;
  acts: ReturnType<typeof dataFixActivities>;
  moved: MovedRow[];
  applied?: Extract<FixApplied, { outcome: 'applied' | 'already' }>;
  verification?: FixVerification;
}

export async function dataFix(rawInput: DataFixInput): Promise<DataFixResult> {
  const input = parseInput(dataFixInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => preview(control, input),
    firstStep: 'previewing',
    subject: input.fix,
    detail: (found) => ({ fix: input.fix, fixId: found.fixId }),
  });
  const f: Fix = { run, acts: dataFixActivities(run.estate.taskQueues.db), moved: [] };
  const failed = `错误数据处理失败：${run.fixId}`;
  const outcome = await holdingLock(run, ['data-fix', run.preview.table], failed, () => fix(f));
  const report = await closeRun(
    run,
    {
      outcome,
      subject: run.fixId,
      payload: { fix: input.fix, table: run.preview.table, rows: run.preview.rows.length },
    },
    (r) => dataFixReport(r, facts(f, outcome)),
  );
  return { runbook, workflowId: run.workflowId, ...facts(f, outcome), report };
}

/** Refused before approval when the preview found a reason; else approve, apply, verify. */
async function fix(f: Fix): Promise<DataFixOutcome> {
  const { run } = f;
  const { fixId, at, preview, input } = run;
  if (preview.problems.length > 0) return 'refused';
  const approval = await approve(
    run,
    'execute',
    dataFixPlan({ fixId, preview, params: input.params, reason: input.reason }),
  );
  if (typeof approval === 'string') return approval;
  run.step('applying');
  const applied = await run.hand.step('apply', () =>
    f.acts.change.applyDataFix({
      fix: input.fix,
      params: input.params,
      fixId,
      at,
      workflowId: run.workflowId,
      rows: bound(preview.rows),
      proof: approval.proof,
    }),
  );
  if (applied.outcome === 'moved') {
    f.moved = applied.moved;
    return 'moved';
  }
  f.applied = applied;
  const command = fixCommand(input.fix, fixOf(input.fix).params.parse(input.params), fixId, preview.rows);
  await recordChange(run, approval, { subject: fixId, command, rows: preview.rows, applied });
  run.step('verifying');
  f.verification = await verifyRows(f.acts, preview.table, preview.rows);
  return f.verification.ok ? 'fixed' : 'unverified';
}

/** The estate, the fix's id and its preview; input that finds no row is bad input, before anything is recorded. */
async function preview(control: ReadProxy<Control>, input: DataFixParsed): Promise<FixFound> {
  const estate = await control.describeEstate();
  const now = new Date();
  const fixId = `DF${dateInZone(now, estate.timezone).replace(/-/g, '')}-${uuid4().replace(/-/g, '').slice(0, 8)}`;
  const at = now.toISOString();
  const { missing, ...found } = await dataFixActivities(estate.taskQueues.db).read.previewDataFix({
    fix: input.fix,
    params: input.params,
    fixId,
    at,
  });
  if (missing.length > 0) throw invalidInput(missing);
  return {
    estate,
    bank: { code: 'treasury', name: '国库集中支付数据库' },
    bankCodes: [],
    fixId,
    at,
    preview: found,
  };
}

function facts(f: Fix, outcome: DataFixOutcome) {
  const { preview, fixId, input } = f.run;
  return {
    outcome,
    untouched: preview.untouched,
    ...fixFacts(f.run, {
      fixId,
      fix: input.fix,
      title: fixOf(input.fix).title.zh,
      table: preview.table,
      rows: preview.rows,
      problems: preview.problems,
      moved: f.moved,
      ...(f.applied && { applied: f.applied }),
      ...(f.verification && { verification: f.verification }),
    }),
  };
}
