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
import {
  allHandlersFinished,
  condition,
  executeChild,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import type { createVoucherActivities } from '../activities/vouchers.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import type { ApprovalPlan, GateOutcome } from '../domain/approvals/gate-types.ts';
import type { BaseDataKind } from '../domain/base-data.ts';
import { addDays, dateInZone } from '../domain/calendar/dates.ts';
import { parseInput } from '../domain/errors.ts';
import { approvedOn, type Done } from '../domain/mutation-record.ts';
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
  type VoucherResult,
} from '../domain/runbooks/voucher-resend.types.ts';
import { createApprovalGate } from './shared/approval-gate.ts';
import { unknownCalendarYear } from './shared/calendar-refusal.ts';
import { mapWithConcurrency } from '../domain/concurrency.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';
import { progressQuery } from './shared/progress.ts';
import { readActivities, writeActivities } from './shared/retry-profiles.ts';
import { createRunRecord } from './shared/run-record.ts';
import { writeRunReport } from './shared/run-report.ts';
import { announceRun, estateBank } from './shared/runbook-opening.ts';
import { OutcomeKey } from './shared/search-attributes.ts';
import { voucherResendBatch } from './voucher-resend-batch.ts';
import { voucherDiagnoseBatch } from './voucher-resend-diagnose.ts';

type Control = ReturnType<typeof createControlActivities>;
type Vouchers = ReturnType<typeof createVoucherActivities>;

const runbook = 'voucher-resend';
/** Runs up to this many vouchers report each one in the result; larger runs report counts and what is left over. */
const detailLimit = 2000;
/** Batches per run, which bounds this run's history (about ten events a batch); a later run takes the rest. */
const maxBatches = 500;
/** Plans a run may show for its resend (again when an approval aged waiting for the bank's window). */
const maxRounds = 3;

export async function voucherResend(rawInput: VoucherResendInput): Promise<VoucherResendResult> {
  const input = parseInput(voucherResendInputSchema, rawInput);
  const { workflowId, runId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const control = readActivities<Control>();
  const { estate, bank } = await estateBank(control, input.bank, { since: input.since });
  const today = dateInZone(new Date(), estate.timezone);
  const runLink = `${estate.runLinkBase}${encodeURIComponent(workflowId)}`;
  const db = readActivities<Vouchers>({ taskQueue: estate.taskQueues.db });
  const dbChange = writeActivities<Vouchers>({ taskQueue: estate.taskQueues.db });
  const record = createRunRecord(runbook);
  // This run's keys, not only this workflow id's: a later run under the same id must not find them.
  const run = runId.slice(0, 8);
  const runKey = `${workflowId}#${run}`;

  let step = 'finding';
  const tally = { found: 0, batches: 0, diagnosed: 0, resend: 0, align: 0, held: 0, executed: 0 };
  setHandler(progressQuery, () => ({ runbook, step, detail: { bank: bank.code, ...tally } }));
  const requester = await announceRun(record, {
    runbook,
    bankCodes: [bank.code],
    input,
    started: rawInput,
    key: `${run}/run-started`,
  });
  const gate = createApprovalGate({ runbook, requester, bankCodes: [bank.code], record });

  let lock: HeldLock | undefined;
  let outcome: VoucherResendOutcome = 'nothing-to-do';
  let foundFen = 0;
  let plan: ApprovalPlan | undefined;
  let combined: ReturnType<typeof combine> | undefined;
  const approvals: GateOutcome[] = [];
  const pushed: VoucherResendResult['baseDataPushed'] = [];
  let fixesApplied = 0;
  /** Each batch's latest execution (or, when none was needed, its holds). */
  const results = new Map<number, BatchResult>();
  // Named vouchers are looked at whatever their date; otherwise the last month's failures.
  const since =
    input.since ?? (input.voucherNos ? `${Number(today.slice(0, 4)) - 1}-01-01` : addDays(today, -31));
  const staleSentBefore = new Date(Date.now() - input.staleSentMinutes * 60_000).toISOString();

  try {
    lock = await acquireLock('vouchers', bank.code);
    const list = await db.listFailedVoucherBatches({
      bank: bank.code,
      since,
      staleSentBefore,
      batchSize: input.batchSize,
      max: Math.min(input.maxVouchers, input.batchSize * maxBatches),
      ...(input.voucherNos && { voucherNos: input.voucherNos }),
    });
    tally.found = list.total;
    tally.batches = list.batches.length;
    foundFen = list.totalFen;
    const n = list.batches.length;
    const batchInput = (batch: number, round: number): DiagnoseBatchInput => ({
      bank: bank.code,
      runKey,
      batch,
      round,
      range: { first: list.batches[batch - 1]?.first ?? '', last: list.batches[batch - 1]?.last ?? '' },
      since,
      staleSentBefore,
      answerWaitSeconds: input.answerWaitSeconds,
      askRounds: input.askRounds,
      sampleSize: Math.ceil(500 / n),
    });
    /** Read-only children, at most `concurrency` at work; each returns its summary. */
    const diagnose = async (batches: number[], round: number, tag = '') => {
      const done = await mapWithConcurrency(batches, input.concurrency, (b) =>
        executeChild(voucherDiagnoseBatch, {
          workflowId: `${workflowId}/${run}/diagnose-${b}${round > 1 ? `-r${round}` : ''}${tag}`,
          args: [batchInput(b, round)],
        }),
      );
      tally.diagnosed = done.reduce((k, s) => k + s.count, 0);
      return new Map(done.map((s) => [s.batch, s]));
    };

    // Diagnose, plan, approve, execute; again for the batches whose approval aged or whose
    // vouchers moved before they could act — never more than `maxRounds` plans.
    let active = list.batches.map((_, i) => i + 1);
    for (let round = 1; active.length > 0 && round <= maxRounds; round++) {
      step = 'diagnosing';
      const summaries = await diagnose(active, round);
      combined = combine([...summaries.values()]);

      // Fields no rule can fix: a person corrects the payee records, then the batches look again.
      if (combined.manual.length > 0 && !input.dryRun) {
        step = 'awaiting-manual-fix';
        const answer = await gate.request('fix-fields', manualFixPlan(bank, combined.manual));
        approvals.push(answer);
        if (answer.outcome === 'approved') {
          step = 'diagnosing';
          const rechecked = [...summaries.values()].filter((s) => s.manual.length > 0).map((s) => s.batch);
          for (const [b, s] of await diagnose(rechecked, round, '-m')) summaries.set(b, s);
          combined = combine([...summaries.values()]);
        }
      }

      step = 'planning';
      const c = combined;
      Object.assign(tally, { resend: c.resend.count, align: c.align.count, held: sumOf(c.holds) });
      const versions = c.staleKinds.length > 0 ? await db.baseDataVersions({ bank: bank.code }) : [];
      const baseData = c.staleKinds.map((kind) => {
        const v = versions.find((x) => x.kind === kind);
        return { kind, version: v?.current ?? 0, acked: v?.acked ?? 0 };
      });
      plan = resendPlan({
        bank,
        found: c.found,
        foundFen: c.foundFen,
        resend: c.resend,
        align: c.align,
        holds: c.holds,
        fixes: c.fixes,
        baseData,
        ruleSets: c.ruleSets,
        lists: c.lists,
        ...(input.reason && { reason: input.reason }),
      });
      if (c.resend.count + c.align.count === 0) {
        outcome = 'held';
        for (const s of summaries.values()) results.set(s.batch, heldOnly(s));
        break;
      }
      if (input.dryRun) {
        outcome = 'planned';
        break;
      }
      step = 'awaiting-approval';
      const approval = await gate.request('resend', plan);
      approvals.push(approval);
      if (approval.outcome !== 'approved') {
        outcome = approval.outcome;
        break;
      }

      step = 'executing';
      const blockedKinds = await repairBeforeResend(approval, c, baseData);
      step = 'resending';
      const sorted = [...summaries.values()].sort((a, b) => a.batch - b.batch);
      const parts = { resend: sorted.map((s) => s.resend.part), align: sorted.map((s) => s.align.part) };
      const done = await mapWithConcurrency(sorted, input.concurrency, (s, index) =>
        s.resend.count + s.align.count === 0
          ? Promise.resolve(heldOnly(s))
          : executeChild(voucherResendBatch, {
              workflowId: `${workflowId}/${run}/batch-${s.batch}${round > 1 ? `-r${round}` : ''}`,
              args: [
                {
                  ...batchInput(s.batch, round),
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
      for (const r of done) results.set(r.batch, r);
      tally.executed = [...results.values()].reduce((t, r) => t + sumOf(r.counts), 0);
      const again = done.filter((r) => r.replan);
      active = again.map((r) => r.batch);
      // Plan and ask again: the aged approval could not reach the window; wait for it, then look afresh.
      const opensAt = again.flatMap((r) => (r.replan?.opensAt ? [r.replan.opensAt] : [])).sort()[0];
      if (active.length > 0 && round < maxRounds && opensAt) {
        step = 'waiting-for-window';
        await sleep(Math.max(1000, Date.parse(opensAt) - Date.now()));
      }
    }
    if (approvals.at(-1)?.step === 'resend' && approvals.at(-1)?.outcome === 'approved') {
      const counts = addUp([...results.values()].map((r) => r.counts));
      const acted = (counts.accepted ?? 0) + (counts.aligned ?? 0);
      const left = sumOf(counts) - acted;
      outcome = left === 0 ? 'completed' : acted > 0 ? 'completed-with-holds' : 'held';
    }
  } catch (err) {
    await record.notify({
      kind: 'run-failed',
      title: `失败凭证重发失败：${bank.name}`,
      lines: [String((err as Error).message ?? err)],
      bankCodes: [bank.code],
      link: runLink,
      key: `${run}/failed`,
    });
    throw err;
  } finally {
    await lock?.release();
  }

  /** Payee fields, then the base data the bank lacks (pushed, acknowledged durably, with a deadline); the kinds left unacknowledged. */
  async function repairBeforeResend(
    approval: GateOutcome,
    c: ReturnType<typeof combine>,
    baseData: { kind: BaseDataKind; version: number; acked: number }[],
  ): Promise<BaseDataKind[]> {
    const { proof } = approval;
    const on = approvedOn(approval);
    const audit = (key: string, change: Done) =>
      record.mutation(on, { ...change, subject: bank.code, key: `${run}/${approval.gateId}/${key}` });
    for (const [i, chunk] of chunks(c.fixes, input.batchSize).entries()) {
      const applied = await dbChange.normalisePayeeFields({ bank: bank.code, fixes: chunk, proof });
      fixesApplied += applied.filter((a) => a.result === 'applied').length;
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
    step = 'pushing-base-data';
    const pushes = await dbChange.pushBaseData({ bank: bank.code, kinds: c.staleKinds, key: runKey, proof });
    await audit('base-data', {
      action: 'base_data push',
      target: bank.code,
      before: baseData,
      after: pushes.map((p) => ({ kind: p.kind, version: p.version, pushId: p.pushId })),
      alreadyDone: pushes.every((p) => !p.created),
    });
    const acked = await waitForAcks(pushes.map((p) => p.pushId));
    for (const p of pushes) {
      pushed.push({ kind: p.kind, version: p.version, acked: acked.has(p.pushId) });
      if (!acked.has(p.pushId)) blockedKinds.push(p.kind);
    }
    return blockedKinds;
  }

  async function waitForAcks(pushIds: string[]): Promise<Set<string>> {
    const deadline = Date.now() + input.ackWaitSeconds * 1000;
    for (let delay = 1000; ; delay = Math.min(delay * 2, 30_000)) {
      const states = await db.baseDataPushStates({ pushIds });
      const settled = states.filter((s) => s.status === 'acked' || s.status === 'rejected');
      if (settled.length === pushIds.length || Date.now() >= deadline)
        return new Set(states.filter((s) => s.status === 'acked').map((s) => s.pushId));
      await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    }
  }

  // Report, audit, and tell people what is left for them.
  step = 'reporting';
  upsertSearchAttributes([{ key: OutcomeKey, value: outcome }]);
  const done = [...results.values()].sort((a, b) => a.batch - b.batch);
  const counts = addUp(done.map((r) => r.counts));
  const fen = addUp(done.map((r) => r.fen));
  const vouchers: VoucherResult[] = done.flatMap((r) => r.results);
  const acted = resendActed(outcome);
  const about = {
    runbook,
    workflowId,
    requestedBy: gate.requestedBy(),
    startedAt,
    timeZone: estate.timezone,
  };
  const files = await writeRunReport(about, (r) =>
    voucherResendReport(r, {
      bank,
      outcome,
      since,
      found: tally.found,
      foundFen,
      batches: tally.batches,
      ...(combined && { diagnosed: { ruleSets: combined.ruleSets, causes: combined.causes } }),
      pushed,
      fixesApplied,
      done,
      counts,
      fen,
      ...(plan && { plan, planDigest: planDigest(plan) }),
      approvals,
    }),
  );
  await record.audit({
    kind: 'outcome',
    actor: 'system',
    subject: bank.code,
    payload: { result: outcome, counts, found: tally.found, report: files },
    key: `${run}/outcome`,
  });
  const leftCount = sumOf(counts) - (counts.accepted ?? 0) - (counts.aligned ?? 0);
  if (acted && leftCount > 0) {
    await record.notify({
      kind: 'run-escalated',
      title: `失败凭证需人工处理：${bank.name} ${leftCount} 张`,
      lines: (Object.keys(voucherOutcomeLabel) as VoucherOutcome[])
        .filter((o) => o !== 'accepted' && o !== 'aligned' && counts[o])
        .map((o) => `${voucherOutcomeLabel[o]}：${counts[o]} 张`),
      bankCodes: [bank.code],
      link: runLink,
      key: `${run}/escalated`,
    });
  }
  await condition(allHandlersFinished);
  return {
    runbook,
    workflowId,
    bank: bank.code,
    outcome,
    found: tally.found,
    foundFen,
    counts,
    vouchers: vouchers.slice(0, detailLimit),
    ...(plan && { plan, planDigest: planDigest(plan) }),
    approvals,
    baseDataPushed: pushed,
    fixesApplied,
    report: files,
  };
}

const sumOf = (counts: Partial<Record<string, number>>) =>
  Object.values(counts).reduce((t: number, k) => t + (k ?? 0), 0);

function addUp<K extends string>(all: Partial<Record<K, number>>[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const one of all)
    for (const [k, n] of Object.entries(one) as [K, number][]) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** A batch that needs no execution: its holds, as counts. */
function heldOnly(s: BatchSummary): BatchResult {
  const held = sumOf(s.holds);
  return {
    batch: s.batch,
    counts: held ? { held } : {},
    fen: held ? { held: s.fen - s.resend.fen - s.align.fen } : {},
    results: [],
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
