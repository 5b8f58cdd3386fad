/**
 * 失败凭证修复与重发 — failed voucher repair and resend (catalog item 4, contract 2.1.7–9): find
 * a bank's rejected, timed-out and unanswered vouchers; classify each (base data out of sync at
 * the bank, non-standard fields, sent outside the window); ask the bank about every one; plan —
 * correct finance's status where the bank has the voucher, normalise fields, push base data,
 * resend the rest in the bank's next business window; ask a person about fields no rule can fix;
 * pass the approval gate; execute; verify acceptance; report.
 *
 * Never pays twice: a voucher is resent only after the bank, asked again just before, says it has
 * no payable record of it, and always under its own voucher number, which the bank deduplicates.
 * The vouchers are worked in batches, each a child workflow (voucher-resend-batch.ts) that keeps
 * its own list; this run sees counts, samples and digests, so ten thousand vouchers keep every
 * history small. One run per bank at a time (lock/vouchers/<bank>).
 */
import { executeChild, patched, sleep, workflowInfo } from '@temporalio/workflow';
import type { createVoucherActivities } from '../activities/vouchers.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import type { ApprovalPlan } from '../domain/approvals/gate-types.ts';
import type { BaseDataKind } from '../domain/base-data.ts';
import { addDays, dateInZone } from '../domain/calendar/dates.ts';
import { parseInput } from '../domain/errors.ts';
import { approvedOn, type Done } from '../domain/mutation-record.ts';
import {
  addUp,
  heldOnly,
  leftForPeople,
  resentOutcome,
  sumOf,
  type Counts,
} from '../domain/runbooks/voucher-resend.counts.ts';
import { combine, manualFixPlan, resendPlan } from '../domain/runbooks/voucher-resend.plan.ts';
import {
  resendActed,
  voucherOutcomeLabel,
  voucherResendReport,
} from '../domain/runbooks/voucher-resend.report.ts';
import {
  voucherResendInputSchema,
  type BatchResult,
  type BatchSummary,
  type DiagnoseBatchInput,
  type VoucherOutcome,
  type VoucherResendInput,
  type VoucherResendOutcome,
  type VoucherResendResult,
} from '../domain/runbooks/voucher-resend.types.ts';
import { unknownCalendarYear } from './shared/calendar-refusal.ts';
import { mapWithConcurrency } from '../domain/concurrency.ts';
import { readActivities, writeActivities, type ReadProxy, type WriteProxy } from './shared/retry-profiles.ts';
import { thisRunTag } from './shared/run-tag.ts';
import {
  approve,
  closeRun,
  holdingLock,
  openRun,
  type Approved,
  type GatedRun,
} from './shared/runbook-run.ts';
import { voucherResendBatch } from './voucher-resend-batch.ts';
import { voucherDiagnoseBatch } from './voucher-resend-diagnose.ts';

type Vouchers = ReturnType<typeof createVoucherActivities>;
type Input = ReturnType<typeof voucherResendInputSchema.parse>;
type Combined = ReturnType<typeof combine>;
type FailedList = Awaited<ReturnType<Vouchers['listFailedVoucherBatches']>>;
type BaseDataToPush = { kind: BaseDataKind; version: number; acked: number }[];

const runbook = 'voucher-resend';
/** Runs up to this many vouchers report each one in the result; larger runs report counts and what is left over. */
const detailLimit = 2000;
/** Batches per run, which bounds this run's history (about ten events a batch); a later run takes the rest. */
const maxBatches = 500;
/** Plans a run may show for its resend (again when an approval aged waiting for the bank's window). */
const maxRounds = 3;

/** A resend run: the run, its activities and keys, the vouchers' window, and what it has found, shown and done. */
interface Resend {
  run: GatedRun<Input>;
  db: ReadProxy<Vouchers>;
  dbChange: WriteProxy<Vouchers>;
  /** This run's keys, not only this workflow id's: a later run under the same id must not find them. */
  runTag: string;
  runKey: string;
  since: string;
  staleSentBefore: string;
  tally: {
    found: number;
    batches: number;
    diagnosed: number;
    resend: number;
    align: number;
    held: number;
    executed: number;
  };
  foundFen: number;
  combined?: Combined;
  plan?: ApprovalPlan;
  pushed: VoucherResendResult['baseDataPushed'];
  fixesApplied: number;
  /** Each batch's latest execution (or, when none was needed, its holds). */
  results: Map<number, BatchResult>;
}

export async function voucherResend(rawInput: VoucherResendInput): Promise<VoucherResendResult> {
  const input = parseInput(voucherResendInputSchema, rawInput);
  const { workflowId } = workflowInfo();
  const runTag = thisRunTag('voucher-resend-run-tag', (runId) => runId.slice(0, 8));
  const tally = { found: 0, batches: 0, diagnosed: 0, resend: 0, align: 0, held: 0, executed: 0 };
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    dates: { since: input.since },
    firstStep: 'finding',
    detail: () => tally,
    keyPrefix: `${runTag}/`,
  });
  const { bank } = run;
  const r: Resend = {
    run,
    ...voucherActivities(run.estate.taskQueues.db),
    runTag,
    runKey: `${workflowId}#${runTag}`,
    ...failedWindow(input, dateInZone(new Date(run.startedAt), run.estate.timezone)),
    tally,
    foundFen: 0,
    pushed: [],
    fixesApplied: 0,
    results: new Map(),
  };
  const outcome = await holdingLock(
    run,
    ['vouchers', bank.code],
    `失败凭证重发失败：${bank.name}`,
    async () => resendInRounds(r, await findFailed(r)),
  );
  const done = [...r.results.values()].sort((a, b) => a.batch - b.batch);
  const counts = addUp(done.map((b) => b.counts));
  const files = await closeRun(
    run,
    { outcome, subject: bank.code, payload: { counts, found: tally.found } },
    (report) => voucherResendReport(report, reportFacts(r, outcome, done, counts)),
    () => escalateLeft(r, outcome, counts),
  );
  return {
    runbook,
    workflowId,
    bank: bank.code,
    outcome,
    found: tally.found,
    foundFen: r.foundFen,
    counts,
    vouchers: done.flatMap((b) => b.results).slice(0, detailLimit),
    ...(r.plan && { plan: r.plan, planDigest: planDigest(r.plan) }),
    approvals: run.approvals,
    baseDataPushed: r.pushed,
    fixesApplied: r.fixesApplied,
    report: files,
  };
}

function voucherActivities(dbQueue: string) {
  return {
    db: readActivities<Vouchers>({ taskQueue: dbQueue }),
    dbChange: writeActivities<Vouchers>({ taskQueue: dbQueue }),
  };
}

/** Named vouchers are looked at whatever their date; otherwise the last month's failures, and sends unanswered too long. */
function failedWindow(input: Input, today: string) {
  return {
    since: input.since ?? (input.voucherNos ? `${Number(today.slice(0, 4)) - 1}-01-01` : addDays(today, -31)),
    staleSentBefore: new Date(Date.now() - input.staleSentMinutes * 60_000).toISOString(),
  };
}

/** The failed vouchers, counted and cut into batches (at most `maxBatches`; a later run takes the rest). */
async function findFailed(r: Resend): Promise<FailedList> {
  const { input, bank } = r.run;
  const list = await r.db.listFailedVoucherBatches({
    bank: bank.code,
    since: r.since,
    staleSentBefore: r.staleSentBefore,
    batchSize: input.batchSize,
    max: Math.min(input.maxVouchers, input.batchSize * maxBatches),
    ...(input.voucherNos && { voucherNos: input.voucherNos }),
  });
  r.tally.found = list.total;
  r.tally.batches = list.batches.length;
  r.run.vouchers({ done: 0, total: list.total });
  r.foundFen = list.totalFen;
  return list;
}

/**
 * Diagnose, plan, approve, repair, resend; again for the batches whose approval aged or whose
 * vouchers moved before they could act — never more than `maxRounds` plans.
 */
async function resendInRounds(r: Resend, list: FailedList): Promise<VoucherResendOutcome> {
  let active = list.batches.map((_, i) => i + 1);
  for (let round = 1; active.length > 0 && round <= maxRounds; round++) {
    r.run.step('diagnosing');
    const summaries = await diagnose(r, list, active, round);
    const c = await fixFields(r, list, summaries, round);
    r.run.step('planning');
    Object.assign(r.tally, { resend: c.resend.count, align: c.align.count, held: sumOf(c.holds) });
    // From the plan on, the vouchers acted on (or held) rather than those diagnosed.
    r.run.vouchers({ done: r.tally.executed, total: r.tally.found });
    const baseData = await baseDataToPush(r, c);
    r.plan = resendPlan({
      bank: r.run.bank,
      found: c.found,
      foundFen: c.foundFen,
      resend: c.resend,
      align: c.align,
      holds: c.holds,
      fixes: c.fixes,
      baseData,
      ruleSets: c.ruleSets,
      lists: c.lists,
      ...(r.run.input.reason && { reason: r.run.input.reason }),
    });
    if (c.resend.count + c.align.count === 0) {
      for (const s of summaries.values()) r.results.set(s.batch, heldOnly(s));
      return afterResend(r, 'held');
    }
    const approval = await approve(r.run, 'resend', r.plan);
    if (typeof approval === 'string') return approval;
    r.run.step('executing');
    const blockedKinds = await repairBeforeResend(r, approval, c, baseData);
    r.run.step('resending');
    const again = await resendBatches(r, list, summaries, round, approval, blockedKinds);
    active = again.map((b) => b.batch);
    // Plan and ask again: the aged approval could not reach the window; wait for it, then look afresh.
    const opensAt = again.flatMap((b) => (b.replan?.opensAt ? [b.replan.opensAt] : [])).sort()[0];
    if (active.length > 0 && round < maxRounds && opensAt) {
      r.run.step('waiting-for-window');
      await sleep(Math.max(1000, Date.parse(opensAt) - Date.now()));
    }
  }
  return afterResend(r, 'nothing-to-do');
}

/** How the run ended when its last decision approved a resend, as its batches went; else `otherwise`. */
function afterResend(r: Resend, otherwise: VoucherResendOutcome): VoucherResendOutcome {
  const last = r.run.approvals.at(-1);
  if (last?.step !== 'resend' || last.outcome !== 'approved') return otherwise;
  return resentOutcome(addUp([...r.results.values()].map((b) => b.counts)));
}

/** The batch's input to a child; `round` names its questions and its workflow id. */
function batchInput(r: Resend, list: FailedList, batch: number, round: number): DiagnoseBatchInput {
  const { input, bank } = r.run;
  return {
    bank: bank.code,
    runKey: r.runKey,
    batch,
    round,
    range: { first: list.batches[batch - 1]?.first ?? '', last: list.batches[batch - 1]?.last ?? '' },
    since: r.since,
    staleSentBefore: r.staleSentBefore,
    answerWaitSeconds: input.answerWaitSeconds,
    askRounds: input.askRounds,
    sampleSize: Math.ceil(500 / list.batches.length),
    // Children of runs begun before were not told the db zone's queue, and asked the estate.
    ...(patched('resend-children-told-db-queue') && { dbQueue: r.run.estate.taskQueues.db }),
  };
}

/** Read-only children, at most `concurrency` at work; each returns its summary. */
async function diagnose(
  r: Resend,
  list: FailedList,
  batches: number[],
  round: number,
  tag = '',
): Promise<Map<number, BatchSummary>> {
  const done = await mapWithConcurrency(batches, r.run.input.concurrency, (b) =>
    executeChild(voucherDiagnoseBatch, {
      workflowId: `${r.run.workflowId}/${r.runTag}/diagnose-${b}${round > 1 ? `-r${round}` : ''}${tag}`,
      args: [batchInput(r, list, b, round)],
    }),
  );
  r.tally.diagnosed = done.reduce((k, s) => k + s.count, 0);
  r.run.vouchers({ done: r.tally.diagnosed, total: r.tally.found });
  return new Map(done.map((s) => [s.batch, s]));
}

/** Fields no rule can fix: a person corrects the payee records, then those batches look again. */
async function fixFields(
  r: Resend,
  list: FailedList,
  summaries: Map<number, BatchSummary>,
  round: number,
): Promise<Combined> {
  r.combined = combine([...summaries.values()]);
  if (r.combined.manual.length === 0 || r.run.input.dryRun) return r.combined;
  const fixed = await approve(r.run, 'fix-fields', manualFixPlan(r.run.bank, r.combined.manual));
  if (typeof fixed === 'string') return r.combined;
  r.run.step('diagnosing');
  const rechecked = [...summaries.values()].filter((s) => s.manual.length > 0).map((s) => s.batch);
  for (const [b, s] of await diagnose(r, list, rechecked, round, '-m')) summaries.set(b, s);
  r.combined = combine([...summaries.values()]);
  return r.combined;
}

/** The base-data versions the bank lacks, for the kinds the vouchers need. */
async function baseDataToPush(r: Resend, c: Combined): Promise<BaseDataToPush> {
  const versions = c.staleKinds.length > 0 ? await r.db.baseDataVersions({ bank: r.run.bank.code }) : [];
  return c.staleKinds.map((kind) => {
    const v = versions.find((x) => x.kind === kind);
    return { kind, version: v?.current ?? 0, acked: v?.acked ?? 0 };
  });
}

/** Payee fields, then the base data the bank lacks (pushed, acknowledged durably, with a deadline); the kinds left unacknowledged. */
async function repairBeforeResend(
  r: Resend,
  approval: Approved,
  c: Combined,
  baseData: BaseDataToPush,
): Promise<BaseDataKind[]> {
  const { bank, input } = r.run;
  const { proof } = approval;
  const on = approvedOn(approval);
  const audit = (key: string, change: Done) =>
    r.run.record.mutation(on, {
      ...change,
      subject: bank.code,
      key: `${r.runTag}/${approval.gateId}/${key}`,
    });
  for (const [i, chunk] of chunks(c.fixes, input.batchSize).entries()) {
    const applied = await r.dbChange.normalisePayeeFields({
      bank: bank.code,
      fixes: chunk,
      proof,
      ...fixesFiledUnder(r, approval),
    });
    r.fixesApplied += applied.filter((a) => a.result === 'applied').length;
    await audit(`normalise/${i}`, {
      action: 'UPDATE payee_accounts (normalised fields)',
      target: 'treasury',
      before: chunk,
      after: applied,
      alreadyDone: applied.every((a) => a.result === 'already'),
    });
  }
  const blockedKinds: BaseDataKind[] = [];
  if (baseData.length === 0) return blockedKinds;
  r.run.step('pushing-base-data');
  const pushes = await r.dbChange.pushBaseData({
    bank: bank.code,
    kinds: c.staleKinds,
    key: r.runKey,
    proof,
  });
  await audit('base-data', {
    action: 'base_data push',
    target: bank.code,
    before: baseData,
    after: pushes.map((p) => ({ kind: p.kind, version: p.version, pushId: p.pushId })),
    alreadyDone: pushes.every((p) => !p.created),
  });
  const acked = await waitForAcks(
    r,
    pushes.map((p) => p.pushId),
  );
  for (const p of pushes) {
    r.pushed.push({ kind: p.kind, version: p.version, acked: acked.has(p.pushId) });
    if (!acked.has(p.pushId)) blockedKinds.push(p.kind);
  }
  return blockedKinds;
}

/**
 * The key the approved step files its payee fixes under, so that a retry after the worker died
 * between a fix's commit and its report counts the fix as this run's; runs begun before fixes
 * were filed replay without it.
 */
function fixesFiledUnder(r: Resend, approval: Approved): { key?: string } {
  return patched('payee-fixes-filed') ? { key: `${r.runKey}/${approval.gateId}` } : {};
}

async function waitForAcks(r: Resend, pushIds: string[]): Promise<Set<string>> {
  const deadline = Date.now() + r.run.input.ackWaitSeconds * 1000;
  for (let delay = 1000; ; delay = Math.min(delay * 2, 30_000)) {
    const states = await r.db.baseDataPushStates({ pushIds });
    const settled = states.filter((s) => s.status === 'acked' || s.status === 'rejected');
    if (settled.length === pushIds.length || Date.now() >= deadline)
      return new Set(states.filter((s) => s.status === 'acked').map((s) => s.pushId));
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
  }
}

/**
 * The execution children, started with the approval's proof, at most `concurrency` at work; a
 * batch that needs none keeps its holds. Returns the batches that hand back to be planned again.
 */
async function resendBatches(
  r: Resend,
  list: FailedList,
  summaries: Map<number, BatchSummary>,
  round: number,
  approval: Approved,
  blockedKinds: BaseDataKind[],
): Promise<BatchResult[]> {
  const { input, workflowId } = r.run;
  const sorted = [...summaries.values()].sort((a, b) => a.batch - b.batch);
  const parts = { resend: sorted.map((s) => s.resend.part), align: sorted.map((s) => s.align.part) };
  const done = await mapWithConcurrency(sorted, input.concurrency, (s, index) =>
    s.resend.count + s.align.count === 0
      ? Promise.resolve(heldOnly(s))
      : executeChild(voucherResendBatch, {
          workflowId: `${workflowId}/${r.runTag}/batch-${s.batch}${round > 1 ? `-r${round}` : ''}`,
          args: [
            {
              ...batchInput(r, list, s.batch, round),
              verifySeconds: input.verifySeconds,
              detail: list.total <= detailLimit,
              proof: approval.proof,
              approvedOn: approvedOn(approval),
              actBy: approval.actBy ?? new Date().toISOString(),
              expected: { resendDigest: s.resendDigest, alignDigest: s.alignDigest },
              lists: { resend: { parts: parts.resend, index }, align: { parts: parts.align, index } },
              blockedKinds,
            },
          ],
        }).catch((err: unknown) => {
          // A batch stopped by a year without calendar data: the run says so, not just "child failed".
          throw unknownCalendarYear(err) ?? err;
        }),
  );
  for (const b of done) r.results.set(b.batch, b);
  r.tally.executed = [...r.results.values()].reduce((t, b) => t + sumOf(b.counts), 0);
  r.run.vouchers({ done: r.tally.executed, total: r.tally.found });
  return done.filter((b) => b.replan);
}

function reportFacts(r: Resend, outcome: VoucherResendOutcome, done: BatchResult[], counts: Counts) {
  return {
    bank: r.run.bank,
    outcome,
    since: r.since,
    found: r.tally.found,
    foundFen: r.foundFen,
    batches: r.tally.batches,
    ...(r.combined && { diagnosed: { ruleSets: r.combined.ruleSets, causes: r.combined.causes } }),
    pushed: r.pushed,
    fixesApplied: r.fixesApplied,
    done,
    counts,
    fen: addUp(done.map((b) => b.fen)),
    ...(r.plan && { plan: r.plan, planDigest: planDigest(r.plan) }),
    approvals: r.run.approvals,
  };
}

/** What the resend left for people, told once the report is written. */
async function escalateLeft(r: Resend, outcome: VoucherResendOutcome, counts: Counts): Promise<void> {
  const left = leftForPeople(counts);
  if (!resendActed(outcome) || left === 0) return;
  await r.run.record.notify({
    kind: 'run-escalated',
    title: `失败凭证需人工处理：${r.run.bank.name} ${left} 张`,
    lines: (Object.keys(voucherOutcomeLabel) as VoucherOutcome[])
      .filter((o) => o !== 'accepted' && o !== 'aligned' && counts[o])
      .map((o) => `${voucherOutcomeLabel[o]}：${counts[o]} 张`),
    bankCodes: [r.run.bank.code],
    link: r.run.runLink,
    key: r.run.key('escalated'),
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
