/**
 * 政采云推送重试 — procurement cloud push retry (catalog item 15, contract 5.4): the confirmations
 * (确认书) the payment system's push job left failed, each with why and with what the cloud holds
 * now; check the cloud answers; plan the retry of those whose cause is gone (keyed by
 * confirmation number, in pages the push job then takes up); pass the approval gate, look again,
 * act, and watch each one pushed and held by the cloud. Confirmations refused for a cause that
 * remains — a payment beyond its contract, a contract the cloud lacks — are not pushed: they are
 * listed for a person. One retry per procurement subsystem at a time (lock/procurement/<id>).
 */
import { sleep } from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import type { createProcurementCloudActivities } from '../activities/procurement-cloud.ts';
import type { createProcurementItemActivities } from '../activities/procurement-items.ts';
import type { GateOutcome } from '../domain/approvals/gate-types.ts';
import { isProofRefusal, parseInput } from '../domain/errors.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import {
  decidePushRetry,
  judgeConfirmations,
  pushRetryPlan,
  retryPages,
  retryStatement,
} from '../domain/runbooks/procurement-push-retry.plan.ts';
import {
  procurementPushRetryReport,
  type ProcurementPushRetryFacts,
} from '../domain/runbooks/procurement-push-retry.report.ts';
import {
  procurementPushRetryInputSchema,
  type ProcurementPushRetryInput,
  type ProcurementPushRetryOutcome,
  type ProcurementPushRetryResult,
  type ProcurementTarget,
  type PushCheck,
  type PushDecision,
  type PushDiagnosis,
} from '../domain/runbooks/procurement-push-retry.types.ts';
import { readActivities, writeActivities, type ReadProxy } from './shared/retry-profiles.ts';
import {
  approve,
  closeRun,
  escalate,
  holdingLock,
  lastPlan,
  openRun,
  type Found,
  type GatedRun,
} from './shared/runbook-run.ts';
import { findSubsystem } from './shared/subsystem-opening.ts';

type Control = ReturnType<typeof createControlActivities>;
type Cloud = ReturnType<typeof createProcurementCloudActivities>;
type Items = ReturnType<typeof createProcurementItemActivities>;
type Input = ReturnType<typeof procurementPushRetryInputSchema.parse>;

const runbook = 'procurement-push-retry';
/** How often the failed confirmations may change under an engineer's feet before the run stops and says so. */
const maxPlanRounds = 3;

type ProcurementFound = Found & { target: ProcurementTarget };

/** A retry run: the run, its activities, and what it has seen and done. */
interface Retry {
  run: GatedRun<Input> & ProcurementFound;
  acts: ReturnType<typeof pushActivities>;
  diagnosis: PushDiagnosis;
  decision: PushDecision;
  retried: number;
  verification?: PushCheck;
}

export async function procurementPushRetry(
  rawInput: ProcurementPushRetryInput,
): Promise<ProcurementPushRetryResult> {
  const input = parseInput(procurementPushRetryInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => findProcurement(control, input),
    firstStep: 'diagnosing',
    detail: (found) => ({ subsystem: found.target.subsystem }),
  });
  const acts = pushActivities(run.estate.taskQueues);
  const failed = `政采云推送重试失败：${run.target.name}`;
  const ended = await holdingLock(run, ['procurement', run.target.subsystem], failed, async () => {
    const diagnosis = await run.hand.step('diagnose', () => diagnose(acts, run.target, input));
    const r: Retry = { run, acts, diagnosis, decision: decidePushRetry(diagnosis), retried: 0 };
    return facts(r, await escalateWhatRemains(r, await retryPushes(r)));
  });
  const report = await closeRun(
    run,
    {
      outcome: ended.outcome,
      subject: run.target.subsystem,
      payload: { why: ended.why, retried: ended.retried, held: ended.held.length },
    },
    (rr) => procurementPushRetryReport(rr, ended),
  );
  return { runbook, workflowId: run.workflowId, ...ended, report };
}

function pushActivities(queues: { comm: string; db: string }) {
  return {
    cloud: readActivities<Cloud>({ taskQueue: queues.comm }),
    items: readActivities<Items>({ taskQueue: queues.db }),
    retry: writeActivities<Items>({ taskQueue: queues.db }),
  };
}

/** The procurement subsystem the input names; anything else is bad input, before anything is recorded. */
const findProcurement = (control: ReadProxy<Control>, input: Input): Promise<ProcurementFound> =>
  findSubsystem(control, (queues) =>
    pushActivities(queues).cloud.describeProcurement({
      ...(input.subsystem !== undefined && { subsystem: input.subsystem }),
    }),
  );

/** Whether the cloud answers, the failed confirmations, and what the cloud holds of each. */
async function diagnose(
  acts: Retry['acts'],
  target: ProcurementTarget,
  input: Input,
): Promise<PushDiagnosis> {
  const [cloud, failed] = await Promise.all([
    acts.cloud.lookAtProcurementCloud({ subsystem: target.subsystem }),
    acts.items.failedConfirmations({ max: input.maxItems }),
  ]);
  const views =
    cloud.answering && failed.rows.length > 0
      ? await acts.cloud.procurementCloudViews({
          subsystem: target.subsystem,
          confirmations: failed.rows.map(({ confirmationNo, contractNo }) => ({
            confirmationNo,
            contractNo,
          })),
        })
      : undefined;
  return { cloud, failed: judgeConfirmations(failed.rows, views), moreFailed: failed.more };
}

/**
 * Judge, plan, approve, look again, act, watch them delivered — planning again (at most
 * `maxPlanRounds` times) when the failed confirmations changed under the plan.
 */
async function retryPushes(r: Retry): Promise<ProcurementPushRetryOutcome> {
  const { run } = r;
  for (let round = 1; round <= maxPlanRounds; round++) {
    const decision = r.decision;
    if (decision.retry.length === 0) return 'nothing-to-retry';
    const approval = await approve(run, 'execute', pushRetryPlan(run.target, decision, run.input.reason));
    if (typeof approval === 'string') return approval;
    // Look before leaping: act only when the same plan still applies; otherwise plan again.
    run.step('executing');
    r.diagnosis = await diagnose(r.acts, run.target, run.input);
    r.decision = decidePushRetry(r.diagnosis);
    if (!samePlan(r.decision, decision)) continue;
    if (!(await execute(r, approval, decision))) continue;
    run.step('verifying');
    r.verification = await verify(r, decision);
    return r.verification.ok ? 'recovered' : 'not-verified';
  }
  return 'not-verified';
}

const samePlan = (a: PushDecision, b: PushDecision) =>
  a.retry.map((c) => c.confirmationNo).join() === b.retry.map((c) => c.confirmationNo).join();

/**
 * What only a person can mend — confirmations whose cause remains, a cloud still not answering —
 * told once, with the evidence; the run then ends escalated. A dry run tells nobody.
 */
async function escalateWhatRemains(
  r: Retry,
  outcome: ProcurementPushRetryOutcome,
): Promise<ProcurementPushRetryOutcome> {
  const lines = r.decision.escalate;
  if (lines.length === 0 || outcome === 'planned') return outcome;
  await escalate(r.run, {
    title: `政采云确认书需人工处理：${r.run.target.name}`,
    lines,
    subject: r.run.target.subsystem,
    payload: {
      escalate: lines,
      held: r.decision.held.map((c) => ({ confirmationNo: c.confirmationNo, blocked: c.blocked ?? null })),
    },
  });
  return ['recovered', 'nothing-to-retry'].includes(outcome) ? 'escalated' : outcome;
}

/**
 * Each approved page of the retry, each audited. False when the approval no longer holds (the run
 * was reset or started again, or it aged): look and ask again.
 */
async function execute(r: Retry, approval: GateOutcome, d: PushDecision): Promise<boolean> {
  const { run } = r;
  try {
    for (const [i, page] of retryPages(d.retry).entries()) {
      const done = await run.hand.step(`execute:retry-${i + 1}`, () =>
        r.acts.retry.retryConfirmations({ confirmationNos: page, proof: approval.proof }),
      );
      r.retried += done.retried;
      await run.record.mutation(approvedOn(approval), {
        subject: run.target.subsystem,
        action: retryStatement(page),
        target: 'treasury',
        before: { status: 'failed', confirmations: page.length },
        after: { status: 'pending', retried: done.retried, alreadyDone: done.alreadyDone },
        alreadyDone: done.retried === 0,
        key: `mutation/${approval.gateId}/retry-${i + 1}`,
      });
    }
  } catch (err) {
    if (!isProofRefusal(err)) throw err;
    return false;
  }
  return true;
}

/**
 * Watches each retried confirmation pushed by the job and held by the cloud with its voucher and
 * amount; not all delivered in `verifySeconds` is a state the run did not expect: it pauses —
 * retry watches again, skip ends the run not verified.
 */
function verify(r: Retry, d: PushDecision): Promise<PushCheck> {
  return r.run.hand.step('verify', () => delivered(r, d), {
    expect: (v) => (v.ok ? undefined : { message: v.detail, evidence: v }),
    skip: {
      means: { zh: '不再观察，按未验证结束', en: 'stop watching and end as not verified' },
      value: (v) => v ?? { ok: false, delivered: 0, left: [], checks: 0, detail: '未验证' },
    },
  });
}

async function delivered(r: Retry, d: PushDecision): Promise<PushCheck> {
  const { target, input } = r.run;
  const deadline = Date.now() + input.verifySeconds * 1000;
  const nos = d.retry.map((c) => c.confirmationNo);
  for (let checks = 1; ; checks++) {
    const states = await r.acts.items.confirmationStates({ confirmationNos: nos });
    const pushed = d.retry.filter((c) => states[c.confirmationNo]?.status === 'pushed');
    const views = await r.acts.cloud.procurementCloudViews({
      subsystem: target.subsystem,
      confirmations: pushed.map(({ confirmationNo, contractNo }) => ({ confirmationNo, contractNo })),
    });
    const held = new Set(
      pushed
        .filter((c) => {
          const h = views[c.confirmationNo]?.held;
          return h?.voucherNo === c.voucherNo && h.amountFen === c.amountFen;
        })
        .map((c) => c.confirmationNo),
    );
    const left = nos
      .filter((no) => !held.has(no))
      .map((no) => ({
        confirmationNo: no,
        status: states[no]?.status ?? 'missing',
        lastError: states[no]?.lastError ?? null,
      }));
    const ok = left.length === 0;
    const detail = ok
      ? `重推 ${nos.length} 份确认书均已推送，政采云均已收到（凭证与金额一致）`
      : `${left.length} 份确认书尚未送达政采云（${left
          .slice(0, 5)
          .map((l) => `${l.confirmationNo}：${l.status}${l.lastError ? ` ${l.lastError}` : ''}`)
          .join('；')}）`;
    const check = { ok, delivered: held.size, left, checks, detail };
    if (ok || Date.now() + 3000 > deadline) return check;
    await sleep('3 seconds');
  }
}

function facts(r: Retry, outcome: ProcurementPushRetryOutcome): ProcurementPushRetryFacts {
  const approval = r.run.approvals.at(-1);
  return {
    target: r.run.target,
    outcome,
    why: r.decision.why,
    diagnosis: r.diagnosis,
    ...lastPlan(r.run),
    ...(approval && { approval }),
    retried: r.retried,
    held: r.decision.held,
    escalated: r.decision.escalate,
    ...(r.verification && { verification: r.verification }),
  };
}
