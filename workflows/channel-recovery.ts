/**
 * 通道恢复 — channel recovery (catalog item 2, contract 2.1): diagnose the finance side's sender
 * channel to one bank (both ends' status, PING CHANNEL when not running, TCP to the bank's
 * front end), plan START CHANNEL or STOP then START, pass the approval gate, execute, verify
 * that messages flow (status RUNNING, transmission queue drained), and report. When the fault
 * is on the bank's side it changes nothing and escalates with the evidence. One recovery per
 * channel at a time (lock/channel/<name>).
 */
import { patched, sleep } from '@temporalio/workflow';
import type { createHostActivities } from '../activities/host.ts';
import type { createMqActivities } from '../activities/mq.ts';
import type { GateOutcome } from '../domain/approvals/gate-types.ts';
import type { ChannelActionResult } from '../domain/channel-action.ts';
import { isProofRefusal, parseInput } from '../domain/errors.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import { decideRecovery, recoveryPlan, stepTarget } from '../domain/runbooks/channel-recovery.plan.ts';
import {
  channelRecoveryReport,
  type ChannelRecoveryReportFacts,
} from '../domain/runbooks/channel-recovery.report.ts';
import {
  channelRecoveryInputSchema,
  type ChannelRecoveryInput,
  type ChannelRecoveryOutcome,
  type ChannelRecoveryResult,
  type RecoveryDecision,
  type RecoveryDiagnosis,
  type RecoveryStep,
} from '../domain/runbooks/channel-recovery.types.ts';
import { readActivities, writeActivities } from './shared/retry-profiles.ts';
import {
  approve,
  closeRun,
  escalate,
  holdingLock,
  lastPlan,
  openRun,
  type GatedRun,
} from './shared/runbook-run.ts';

type Mq = ReturnType<typeof createMqActivities>;
type Host = ReturnType<typeof createHostActivities>;
type Input = ReturnType<typeof channelRecoveryInputSchema.parse>;

const runbook = 'channel-recovery';
/** How often the plan may change under an engineer's feet before the run stops and says so. */
const maxPlanRounds = 3;

/** A recovery run: the run, the activities it works through, and what it has seen and done. */
interface Recovery {
  run: GatedRun<Input>;
  acts: ReturnType<typeof recoveryActivities>;
  judge: { returnDirection: boolean };
  seen: { diagnosis: RecoveryDiagnosis; decision: RecoveryDecision };
  actions: (ChannelActionResult & { at: string })[];
}

export async function channelRecovery(rawInput: ChannelRecoveryInput): Promise<ChannelRecoveryResult> {
  const input = parseInput(channelRecoveryInputSchema, rawInput);
  const run = await openRun({ runbook, input, started: rawInput, firstStep: 'diagnosing' });
  const { bank } = run;
  const acts = recoveryActivities(run.estate.taskQueues.comm);
  const failed = `通道恢复失败：${bank.name}`;
  const ended = await holdingLock(run, ['channel', `CZ.TO.${bank.code}`], failed, async () => {
    const diagnosis = await run.hand.step('diagnose', () => diagnose(acts, bank));
    // Runs begun before the return direction was looked at replay as they were decided.
    const judge = { returnDirection: patched('channel-recovery-return-direction') };
    const seen = { diagnosis, decision: decideRecovery(diagnosis, judge) };
    return recover({ run, acts, judge, seen, actions: [] });
  });
  const files = await closeRun(
    run,
    { outcome: ended.outcome, subject: ended.channel, payload: { why: ended.why } },
    (r) => channelRecoveryReport(r, ended),
  );
  return { runbook, workflowId: run.workflowId, ...ended, report: files };
}

function recoveryActivities(commQueue: string) {
  return {
    mq: readActivities<Mq>({ taskQueue: commQueue }),
    mqChange: writeActivities<Mq>({ taskQueue: commQueue }),
    host: readActivities<Host>({ taskQueue: commQueue }),
  };
}

/** Both ends of the channel, its transmission queue, the front end by TCP, and PING CHANNEL when the sender is not running. */
async function diagnose(
  { mq, host }: Recovery['acts'],
  bank: { code: string; name: string },
): Promise<RecoveryDiagnosis> {
  const [channels, queues, tcp] = await Promise.all([
    mq.inspectChannels({ bank: bank.code }),
    mq.inspectQueues({ bank: bank.code }),
    host.probeFrontEnd({ bank: bank.code }),
  ]);
  const ping = channels.sender.status === 'RUNNING' ? undefined : await mq.pingChannel({ bank: bank.code });
  return {
    bank: bank.code,
    bankName: bank.name,
    qmgr: channels.sender.qmgr,
    channel: channels.sender.channel,
    sender: channels.sender,
    ...(channels.bankReceiver && { bankReceiver: channels.bankReceiver }),
    ...(channels.bankSender && { bankSender: channels.bankSender }),
    xmitqDepth: queues.xmitq.depth,
    ...(ping && { ping }),
    tcp,
  };
}

/** Diagnoses again and judges what it sees: the look before leaping, or after an approval no longer held. */
async function lookAgain(r: Recovery): Promise<void> {
  const diagnosis = await r.run.hand.step('diagnose', () => diagnose(r.acts, r.run.bank));
  r.seen = { diagnosis, decision: decideRecovery(diagnosis, r.judge) };
}

/**
 * Judge, plan, approve, look again, execute, verify — planning again (at most `maxPlanRounds`
 * times) when the channel moved between the plan and its execution.
 */
async function recover(r: Recovery): Promise<ChannelRecoveryReportFacts> {
  for (let round = 1; round <= maxPlanRounds; round++) {
    const { diagnosis, decision } = r.seen;
    if (decision.kind === 'healthy') return ended(r, r.actions.length ? 'recovered' : 'already-running');
    if (decision.kind === 'other-runbook') return ended(r, 'needs-sequence-resync');
    if (decision.kind === 'bank-side') {
      await askTheBank(r.run, diagnosis, decision.why);
      return ended(r, 'escalated');
    }
    const plan = recoveryPlan(diagnosis, decision.steps, decision.why, r.run.input.reason);
    const approval = await approve(r.run, 'execute', plan);
    if (typeof approval === 'string') return ended(r, approval);
    // Look again before leaping: act only when the same steps still apply; otherwise plan again.
    r.run.step('executing');
    await lookAgain(r);
    if (r.seen.decision.kind !== 'act' || r.seen.decision.steps.join() !== decision.steps.join()) continue;
    if (!(await execute(r, approval, decision.steps))) {
      r.run.step('diagnosing');
      await lookAgain(r);
      continue;
    }
    r.run.step('verifying');
    const verification = await verify(r, decision.steps.includes('start-return'));
    return ended(r, verification.ok ? 'recovered' : 'not-verified', verification);
  }
  return ended(r, 'not-verified');
}

/** The fault is on the bank's side: nothing is changed; the people are told, with the evidence. */
async function askTheBank(run: GatedRun<Input>, diagnosis: RecoveryDiagnosis, why: string): Promise<void> {
  await escalate(run, {
    title: `通道恢复需银行协助：${run.bank.name} ${diagnosis.channel}`,
    lines: [why, `通道状态：${diagnosis.sender.status}`, `传输队列积压：${diagnosis.xmitqDepth}`],
    subject: diagnosis.channel,
    payload: { why, diagnosis },
  });
}

/**
 * The approved steps, in order, each audited with the channel's status before it. False when the
 * approval no longer holds (the run was reset or started again, or it aged): look and ask again.
 * A step the queue manager refuses past its retries pauses for an operator (execute:<step>).
 */
async function execute(r: Recovery, approval: GateOutcome, steps: RecoveryStep[]): Promise<boolean> {
  const { diagnosis } = r.seen;
  const current = { out: diagnosis.sender.status, back: diagnosis.bankSender?.status };
  for (const [i, step] of steps.entries()) {
    const returning = step === 'stop-return' || step === 'start-return';
    const before = returning ? current.back : current.out;
    const target = { bank: r.run.bank.code, proof: approval.proof };
    let result: ChannelActionResult | undefined;
    try {
      result = await r.run.hand.step<ChannelActionResult | undefined>(
        `execute:${step}`,
        () => runStep(r.acts, step, target),
        { skip: { means: doneByHand, value: () => undefined } },
      );
    } catch (err) {
      if (!isProofRefusal(err)) throw err;
      return false;
    }
    current[returning ? 'back' : 'out'] = step.startsWith('stop') ? 'STOPPED' : 'STARTING';
    // A step skipped was done by a person, not by the run: there is no change of its own to record.
    if (result)
      await recordAction(r, approval, step, result, {
        status: before,
        key: `mutation/${approval.gateId}/${i}`,
      });
    undoStop(r, approval, step);
  }
  return true;
}

const doneByHand = {
  zh: '不执行此命令（已由人工在队列管理器上完成），继续后续步骤并验证',
  en: 'do not run this command (a person did it on the queue manager) and go on to verify',
};

/** An action done: kept for the report and audited with the channel's status before it. */
async function recordAction(
  r: Recovery,
  approval: GateOutcome,
  step: RecoveryStep,
  result: ChannelActionResult,
  { status, key }: { status: string | undefined; key: string },
): Promise<void> {
  r.actions.push({ ...result, at: new Date().toISOString() });
  const where = stepTarget(r.seen.diagnosis, step);
  await r.run.record.mutation(approvedOn(approval), {
    subject: where.channel,
    action: result.command,
    target: where.qmgr,
    before: { status: status ?? null },
    after: { answer: result.detail },
    alreadyDone: result.alreadyDone,
    key,
  });
}

/**
 * A channel the run stopped is not left stopped: should an operator abort the run before it starts
 * the channel again, the abort starts it (the approved plan's own START, on the same proof).
 */
function undoStop(r: Recovery, approval: GateOutcome, step: RecoveryStep): void {
  const start: RecoveryStep = step === 'stop' || step === 'start' ? 'start' : 'start-return';
  const name = `START CHANNEL(${stepTarget(r.seen.diagnosis, start).channel})`;
  if (!step.startsWith('stop')) return r.run.hand.settled(name);
  r.run.hand.compensate(name, async () => {
    const result = await runStep(r.acts, start, { bank: r.run.bank.code, proof: approval.proof });
    await recordAction(r, approval, start, result, {
      status: 'STOPPED',
      key: `compensation/${approval.gateId}/${start}`,
    });
  });
}

function runStep(
  { mqChange }: Recovery['acts'],
  step: RecoveryStep,
  target: { bank: string; proof: GateOutcome['proof'] },
): Promise<ChannelActionResult> {
  if (step === 'stop') return mqChange.stopSenderChannel(target);
  if (step === 'start') return mqChange.startSenderChannel(target);
  if (step === 'stop-return') return mqChange.stopBankSenderChannel(target);
  return mqChange.startBankSenderChannel(target);
}

type Verification = { status: string; xmitqDepth: number; bankSender?: string; checks: number; ok: boolean };

/**
 * Watches the channel after the fix; a channel still not flowing is a state the run did not expect:
 * it pauses — retry watches again (the bank's side mended, say), skip ends the run not verified.
 */
function verify(r: Recovery, returnDirection: boolean): Promise<Verification> {
  return r.run.hand.step('verify', () => verifyFlow(r, returnDirection), {
    expect: (v) =>
      v.ok
        ? undefined
        : {
            message: `${r.seen.diagnosis.channel} is ${v.status} with ${v.xmitqDepth} message(s) waiting after the fix${v.bankSender ? `; the bank's sender is ${v.bankSender}` : ''}`,
            evidence: v,
          },
    skip: {
      means: { zh: '不再验证，按未验证结束', en: 'stop verifying and end as not verified' },
      value: (v) => v ?? notWatched,
    },
  });
}

const notWatched: Verification = { status: 'UNKNOWN', xmitqDepth: 0, checks: 0, ok: false };

/** Both ends moving: finance's sender RUNNING with its queue drained, and the bank's sender when it was restarted. */
async function verifyFlow(r: Recovery, returnDirection: boolean): Promise<Verification> {
  const { mq } = r.acts;
  const bank = r.run.bank.code;
  const deadline = Date.now() + r.run.input.verifySeconds * 1000;
  for (let checks = 1; ; checks++) {
    const [channels, q] = await Promise.all([mq.inspectChannels({ bank }), mq.inspectQueues({ bank })]);
    const last = {
      status: channels.sender.status,
      xmitqDepth: q.xmitq.depth,
      ...(returnDirection && { bankSender: channels.bankSender?.status ?? 'UNKNOWN' }),
    };
    // A bank sender with nothing to send goes INACTIVE once started: that is flowing too.
    const backOk = !returnDirection || ['RUNNING', 'INACTIVE'].includes(last.bankSender ?? '');
    if (last.status === 'RUNNING' && last.xmitqDepth === 0 && backOk) return { ...last, checks, ok: true };
    if (Date.now() + 2000 > deadline) return { ...last, checks, ok: false };
    await sleep('2 seconds');
  }
}

/** How the recovery ended, as its report and result tell it: the last diagnosis and judgement, the last plan and decision. */
function ended(
  r: Recovery,
  outcome: ChannelRecoveryOutcome,
  verification?: Verification,
): ChannelRecoveryReportFacts {
  const { diagnosis, decision } = r.seen;
  const approval = r.run.approvals.at(-1);
  return {
    bank: r.run.bank.code,
    channel: diagnosis.channel,
    outcome,
    why: decision.why,
    diagnosis,
    ...lastPlan(r.run),
    ...(approval && { approval }),
    actions: r.actions,
    ...(verification && {
      verification: {
        status: verification.status,
        xmitqDepth: verification.xmitqDepth,
        ...(verification.bankSender && { bankSender: verification.bankSender }),
        checks: verification.checks,
      },
    }),
  };
}
