/**
 * 预算一体化数据交换恢复 — exchange recovery (catalog item 14, contract 6.1–6.4): diagnose the
 * budget-integration exchange client — alive (its program), moving (its cycle count while watched),
 * what the platform answers it, its certificate, its uplink and downlink per voucher type — and the
 * items it left failed with whether each one's cause is mended; plan the start of a dead client or
 * the restart of a hung one, and the replay of the mended items (keyed by division, year, voucher
 * type and number); pass the approval gate, look again, act, and watch the client move and the
 * backlog drain. What only a person or the province can mend — the client's key and certificate, a
 * busy platform — is escalated with the evidence. One recovery per exchange subsystem at a time
 * (lock/exchange/<id>).
 */
import { sleep } from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import type { createExchangeActivities } from '../activities/exchange.ts';
import type { createExchangeItemActivities } from '../activities/exchange-items.ts';
import type { createProgramActivities } from '../activities/programs.ts';
import type { GateOutcome } from '../domain/approvals/gate-types.ts';
import { isProofRefusal, parseInput } from '../domain/errors.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import {
  changesSomething,
  decideExchange,
  exchangePlan,
  itemText,
  replayPages,
  replayStatement,
} from '../domain/runbooks/exchange-recovery.plan.ts';
import {
  exchangeRecoveryReport,
  type ExchangeRecoveryFacts,
} from '../domain/runbooks/exchange-recovery.report.ts';
import {
  exchangeRecoveryInputSchema,
  type DrainCheck,
  type ExchangeDecision,
  type ExchangeDiagnosis,
  type ExchangeRecoveryInput,
  type ExchangeRecoveryOutcome,
  type ExchangeRecoveryResult,
  type ExchangeTarget,
} from '../domain/runbooks/exchange-recovery.types.ts';
import type { ProgramLook } from '../domain/runbooks/program-restart.types.ts';
import {
  longWriteActivities,
  readActivities,
  writeActivities,
  type ReadProxy,
} from './shared/retry-profiles.ts';
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
type Exchange = ReturnType<typeof createExchangeActivities>;
type Items = ReturnType<typeof createExchangeItemActivities>;
type Programs = ReturnType<typeof createProgramActivities>;
type Input = ReturnType<typeof exchangeRecoveryInputSchema.parse>;

const runbook = 'exchange-recovery';
/** How often the client may change under an engineer's feet before the run stops and says so. */
const maxPlanRounds = 3;

type ExchangeFound = Found & { target: ExchangeTarget };

/** A recovery run: the run, its activities, and what it has seen and done. */
interface Recovery {
  run: GatedRun<Input> & ExchangeFound;
  acts: ReturnType<typeof exchangeActivities>;
  diagnosis: ExchangeDiagnosis;
  decision: ExchangeDecision;
  restarted?: ProgramLook[];
  replayed: number;
  verification?: DrainCheck;
}

export async function exchangeRecovery(rawInput: ExchangeRecoveryInput): Promise<ExchangeRecoveryResult> {
  const input = parseInput(exchangeRecoveryInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => findExchange(control, input),
    firstStep: 'diagnosing',
    detail: (found) => ({ subsystem: found.target.subsystem }),
  });
  const acts = exchangeActivities(run.estate.taskQueues);
  const failed = `交换客户端恢复失败：${run.target.name}`;
  const ended = await holdingLock(run, ['exchange', run.target.subsystem], failed, async () => {
    const diagnosis = await run.hand.step('diagnose', () => diagnose(acts, run.target, input));
    const r: Recovery = {
      run,
      acts,
      diagnosis,
      decision: decideExchange(run.target, diagnosis, input),
      replayed: 0,
    };
    return facts(r, await escalateWhatRemains(r, await recover(r)));
  });
  const report = await closeRun(
    run,
    {
      outcome: ended.outcome,
      subject: run.target.subsystem,
      payload: { why: ended.why, replayed: ended.replayed },
    },
    (rr) => exchangeRecoveryReport(rr, ended),
  );
  return { runbook, workflowId: run.workflowId, ...ended, report };
}

function exchangeActivities(queues: { comm: string; db: string }) {
  return {
    client: readActivities<Exchange>({ taskQueue: queues.comm }),
    items: readActivities<Items>({ taskQueue: queues.db }),
    replay: writeActivities<Items>({ taskQueue: queues.db }),
    restart: longWriteActivities<Programs>({ taskQueue: queues.comm }),
  };
}

/** The exchange subsystem the input names; anything else is bad input, before anything is recorded. */
const findExchange = (control: ReadProxy<Control>, input: Input): Promise<ExchangeFound> =>
  findSubsystem(control, (queues) =>
    exchangeActivities(queues).client.describeExchange({
      ...(input.subsystem !== undefined && { subsystem: input.subsystem }),
    }),
  );

/** The client with its last log lines, moving or not, and the items it left failed. */
async function diagnose(
  acts: Recovery['acts'],
  target: ExchangeTarget,
  input: Input,
): Promise<ExchangeDiagnosis> {
  const [client, failed] = await Promise.all([
    acts.client.lookAtExchangeClient({ subsystem: target.subsystem, logLines: 20 }),
    acts.items.failedExchangeItems({ subsystem: target.subsystem, max: input.maxItems }),
  ]);
  return { ...client, failed: failed.items, moreFailed: failed.more };
}

/**
 * Judge, plan, approve, look again, act, watch it drain — planning again (at most `maxPlanRounds`
 * times) when the client or its items changed under the plan.
 */
async function recover(r: Recovery): Promise<ExchangeRecoveryOutcome> {
  const { run } = r;
  for (let round = 1; round <= maxPlanRounds; round++) {
    const decision = r.decision;
    if (!changesSomething(decision)) return watchOnly(r);
    const approval = await approve(run, 'execute', exchangePlan(run.target, decision, run.input.reason));
    if (typeof approval === 'string') return approval;
    // Look before leaping: act only when the same plan still applies; otherwise plan again.
    run.step('executing');
    r.diagnosis = await diagnose(r.acts, run.target, run.input);
    r.decision = decideExchange(run.target, r.diagnosis, run.input);
    if (!samePlan(r.decision, decision)) continue;
    if (!(await execute(r, approval, decision))) continue;
    run.step('verifying');
    r.verification = await verify(r, decision);
    return r.verification.ok ? 'recovered' : 'not-verified';
  }
  return 'not-verified';
}

/** Nothing to change: a healthy client, or one whose backlog waits on a busy platform (watched until it drains). */
async function watchOnly(r: Recovery): Promise<ExchangeRecoveryOutcome> {
  if (!r.decision.waitForPlatform) return 'healthy';
  r.run.step('verifying');
  r.verification = await drain(r, r.decision);
  return r.verification.ok ? 'recovered' : 'escalated';
}

/**
 * What only a person or the province can mend — the client's key or certificate, a platform still
 * busy after the watch — told once, with the evidence; the run then ends escalated. A dry run tells
 * nobody.
 */
async function escalateWhatRemains(
  r: Recovery,
  outcome: ExchangeRecoveryOutcome,
): Promise<ExchangeRecoveryOutcome> {
  const busy =
    outcome === 'escalated'
      ? [`省级平台持续繁忙，上行支付数据未能送达：${r.verification?.detail ?? ''}；请联系省厅确认平台状态`]
      : [];
  const lines = [...r.decision.escalate, ...busy];
  if (lines.length === 0 || outcome === 'planned') return outcome;
  await escalate(r.run, {
    title: `交换客户端需人工或省厅处理：${r.run.target.name}`,
    lines,
    subject: r.run.target.subsystem,
    payload: { escalate: lines, lastError: r.diagnosis.status?.lastError ?? null },
  });
  return ['recovered', 'healthy'].includes(outcome) ? 'escalated' : outcome;
}

const samePlan = (a: ExchangeDecision, b: ExchangeDecision) =>
  a.restart === b.restart && a.replay.map(itemText).join() === b.replay.map(itemText).join();

/**
 * The approved restart, then each page of the replay, each audited. False when the approval no
 * longer holds (the run was reset or started again, or it aged): look and ask again.
 */
async function execute(r: Recovery, approval: GateOutcome, d: ExchangeDecision): Promise<boolean> {
  const { run } = r;
  const { target } = run;
  try {
    if (d.restart) {
      const plan = { stop: d.restart === 'restart' ? [target.program] : [], start: [target.program] };
      r.restarted = await run.hand.step('execute:restart', () =>
        r.acts.restart.restartPrograms({ subsystem: target.subsystem, ...plan, proof: approval.proof }),
      );
      await run.record.mutation(approvedOn(approval), {
        subject: target.subsystem,
        action: `${d.restart === 'restart' ? 'STOP, START' : 'START'} ${target.program}`,
        target: target.host,
        before: { running: r.diagnosis.program.running, moving: r.diagnosis.moving ?? null },
        after: { running: r.restarted.at(-1)?.running ?? null, pid: r.restarted.at(-1)?.pid ?? null },
        alreadyDone: false,
        key: `mutation/${approval.gateId}/restart`,
      });
    }
    for (const [i, page] of replayPages(d.replay).entries()) {
      const done = await run.hand.step(`execute:replay-${i + 1}`, () =>
        r.acts.replay.replayExchangeItems({ subsystem: target.subsystem, ...page, proof: approval.proof }),
      );
      r.replayed += done.replayed;
      await run.record.mutation(approvedOn(approval), {
        subject: target.subsystem,
        action: replayStatement(target.division, page.direction, page.keys),
        target: 'treasury',
        before: { status: 'failed', items: page.keys.length },
        after: { status: 'replay', replayed: done.replayed, alreadyDone: done.alreadyDone },
        alreadyDone: done.replayed === 0,
        key: `mutation/${approval.gateId}/replay-${i + 1}`,
      });
    }
  } catch (err) {
    if (!isProofRefusal(err)) throw err;
    return false;
  }
  return true;
}

/**
 * Watches the client move, the replayed items settle and the backlog found drain; not drained in
 * `drainSeconds` is a state the run did not expect: it pauses — retry watches again, skip ends the
 * run not verified.
 */
function verify(r: Recovery, d: ExchangeDecision): Promise<DrainCheck> {
  return r.run.hand.step('verify', () => drain(r, d), {
    expect: (v) => (v.ok ? undefined : { message: v.detail, evidence: v }),
    skip: {
      means: { zh: '不再观察，按未验证结束', en: 'stop watching and end as not verified' },
      value: (v) =>
        v ?? {
          ok: false,
          moving: false,
          upWaiting: {},
          replayedDone: 0,
          replayedLeft: [],
          checks: 0,
          detail: '未验证',
        },
    },
  });
}

async function drain(r: Recovery, d: ExchangeDecision): Promise<DrainCheck> {
  const { target, input } = r.run;
  const deadline = Date.now() + input.drainSeconds * 1000;
  // The backlog found is drained once every up item waiting now was collected after the diagnosis.
  const since = r.diagnosis.status?.lastCycleAt ?? '';
  const pages = replayPages(d.replay);
  for (let checks = 1; ; checks++) {
    const client = await r.acts.client.lookAtExchangeClient({ subsystem: target.subsystem, logLines: 0 });
    const states = await Promise.all(
      pages.map((p) => r.acts.items.exchangeItemStates({ subsystem: target.subsystem, ...p })),
    );
    const settled = Object.assign({}, ...states) as Record<string, string>;
    const replayedLeft = pages
      .flatMap((p) => p.keys)
      .filter((k) => !['confirmed', 'delivered'].includes(settled[itemText(k)] ?? ''));
    const queues = client.status?.queues ?? {};
    const upWaiting = Object.fromEntries(
      Object.entries(queues).map(([type, q]) => [type, (q.up.pending ?? 0) + (q.up.replay ?? 0)]),
    );
    const oldBacklog = Object.values(queues).some((q) => q.oldestUpAt !== null && q.oldestUpAt <= since);
    const moving = client.program.running && client.moving === true;
    const ok = moving && replayedLeft.length === 0 && !oldBacklog;
    const detail = ok
      ? `交换客户端正常处理；重放 ${pages.flatMap((p) => p.keys).length} 笔均已完成；诊断时的上行积压已送达`
      : [
          !moving ? '交换客户端未在处理' : '',
          replayedLeft.length > 0 ? `${replayedLeft.length} 笔重放未完成` : '',
          oldBacklog
            ? `上行积压未消化（待发 ${Object.values(upWaiting).reduce((a, b) => a + b, 0)} 笔）`
            : '',
        ]
          .filter(Boolean)
          .join('；');
    const check = {
      ok,
      moving,
      upWaiting,
      replayedDone: pages.flatMap((p) => p.keys).length - replayedLeft.length,
      replayedLeft,
      checks,
      detail,
    };
    if (ok || Date.now() + 3000 > deadline) return check;
    await sleep('3 seconds');
  }
}

function facts(r: Recovery, outcome: ExchangeRecoveryOutcome): ExchangeRecoveryFacts {
  const approval = r.run.approvals.at(-1);
  return {
    target: r.run.target,
    outcome,
    why: r.decision.why,
    diagnosis: r.diagnosis,
    ...lastPlan(r.run),
    ...(approval && { approval }),
    ...(r.restarted && { restarted: r.restarted }),
    replayed: r.replayed,
    held: r.decision.held,
    escalated: r.decision.escalate,
    ...(r.verification && { verification: r.verification }),
  };
}
