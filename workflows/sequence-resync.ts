/**
 * 序列号重置 — sequence number resync (catalog item 3, contract 2.1.6). Two scopes:
 * - `channel`: the MQ channel CZ.TO.<bank> stopped on AMQ9526. Read both ends' sequence numbers
 *   and in-doubt state (DISPLAY CHSTATUS … SAVED), compute the number to set (rule and source in
 *   sequence-resync.plan.ts), back out an in-doubt batch only with its own approval
 *   ('resolve-in-doubt'), then STOP / RESET CHANNEL SEQNUM / START under a second approval
 *   ('execute'), and verify the channel runs, the transmission queue drains and both ends agree.
 * - `serials`: the application serials (报文序号) out of step with the bank. Ask the bank (status
 *   query), agree the last number with its answer, realign finance's outgoing serial under
 *   approval (the SQL in the plan), ask again to verify.
 * Anything unexpected stops the run with the evidence. Locks: lock/channel/CZ.TO.<bank> (shared
 * with channel recovery) or lock/serials/<bank>.
 */
import { ActivityFailure, ApplicationFailure, sleep } from '@temporalio/workflow';
import type { createChannelSequenceActivities } from '../activities/channel-sequence.ts';
import type { createMessageSerialActivities } from '../activities/message-serials.ts';
import type { createMqActivities } from '../activities/mq.ts';
import type { Bilingual } from '../domain/approvals/gate-types.ts';
import { questionFor } from '../domain/bank-questions.ts';
import type { ChannelActionResult } from '../domain/channel-action.ts';
import { ErrorKind, isProofRefusal, parseInput } from '../domain/errors.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import {
  channelCommand,
  decideChannel,
  decideSerials,
  resolvePlan,
  resyncPlan,
  serialsPlan,
  serialsSql,
} from '../domain/runbooks/sequence-resync.plan.ts';
import {
  evidenceLines,
  sequenceResyncReport,
  type SequenceResyncEnd,
  type SequenceResyncSteps,
} from '../domain/runbooks/sequence-resync.report.ts';
import {
  sequenceResyncInputSchema,
  type BankSerialAnswer,
  type ChannelDecision,
  type SequenceResyncInput,
  type SequenceResyncResult,
  type SequenceState,
  type SerialsState,
} from '../domain/runbooks/sequence-resync.types.ts';
import { askBank, questionPrefix } from './shared/ask-bank.ts';
import { readActivities, writeActivities } from './shared/retry-profiles.ts';
import {
  approve,
  auditEscalation,
  closeRun,
  holdingLock,
  notifyEscalation,
  openRun,
  type Approved,
  type GatedRun,
  type NotApproved,
} from './shared/runbook-run.ts';

type Mq = ReturnType<typeof createMqActivities>;
type ChannelSeq = ReturnType<typeof createChannelSequenceActivities>;
type Serials = ReturnType<typeof createMessageSerialActivities>;
type Input = ReturnType<typeof sequenceResyncInputSchema.parse>;

const runbook = 'sequence-resync';
/** Plans a run may show (a backout, then the resync, plus re-plans when the channel moves). */
const maxRounds = 4;

type Ended = SequenceResyncEnd;

/** A resync run: the run, and the changes it made (the plans and decisions are on the run). */
interface Resync {
  run: GatedRun<Input>;
  actions: SequenceResyncSteps['actions'];
}

export async function sequenceResync(rawInput: SequenceResyncInput): Promise<SequenceResyncResult> {
  const input = parseInput(sequenceResyncInputSchema, rawInput);
  const channel = input.scope === 'channel';
  const subject = channel ? `CZ.TO.${input.bank}` : `${input.bank}/serials`;
  const actions: Resync['actions'] = [];
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    firstStep: 'reading',
    detail: () => ({ scope: input.scope, actions: actions.length }),
    subject,
  });
  const r: Resync = { run, actions };
  const lock: [string, string] = channel ? ['channel', subject] : ['serials', input.bank];
  const ended = await holdingLock(run, lock, `序列号重置失败：${run.bank.name} ${subject}`, async () => {
    const end = channel ? await resyncChannel(r) : await realignSerials(r);
    if (end.outcome === 'unexpected-state') await stopWithEvidence(r, end, subject);
    return end;
  });
  const steps = { plans: run.plans, approvals: run.approvals, actions };
  const files = await closeRun(
    run,
    { outcome: ended.outcome, subject, payload: { why: ended.why.zh } },
    (report) => sequenceResyncReport(report, { bankName: run.bank.name, subject }, ended, steps),
  );
  return {
    runbook,
    workflowId: run.workflowId,
    bank: run.bank.code,
    scope: input.scope,
    outcome: ended.outcome,
    why: ended.why.zh,
    ...(ended.channel && { channel: ended.channel }),
    ...(ended.serials && { serials: ended.serials }),
    ...steps,
    ...(ended.verification && { verification: ended.verification }),
    report: files,
  };
}

/** An unexpected state ends the run here: the evidence goes to the audit trail, then to the people. */
async function stopWithEvidence(r: Resync, ended: Ended, subject: string): Promise<void> {
  const escalation = {
    title: `序列号重置已停止，需人工核查：${r.run.bank.name} ${subject}`,
    lines: [ended.why.zh, ...evidenceLines(ended)],
    subject,
    payload: { why: ended.why, channel: ended.channel?.last, serials: ended.serials },
  };
  await auditEscalation(r.run, escalation);
  await notifyEscalation(r.run, escalation);
}

/** The channel scope: read, decide, (backout), resync, verify — re-planning when the channel moves. */
async function resyncChannel(r: Resync): Promise<Ended> {
  const { input, bank } = r.run;
  const seq = readActivities<ChannelSeq>({ taskQueue: r.run.estate.taskQueues.comm });
  const read = () => seq.readSequenceState({ bank: bank.code });
  const decide = (s: SequenceState, backedOut: boolean) =>
    decideChannel(s, {
      backedOut,
      ...(input.bankLastSeq !== undefined && { bankLastSeq: input.bankLastSeq }),
    });

  const first = await read();
  const seen = { state: first, backedOut: false };
  const end = (e: Omit<Ended, 'channel'>): Ended => ({ ...e, channel: { first, last: seen.state } });

  for (let round = 1; round <= maxRounds; round++) {
    r.run.step('deciding');
    const decision = decide(seen.state, seen.backedOut);
    if (decision.kind === 'nothing-to-do' || decision.kind === 'unexpected-state')
      return end({ outcome: decision.kind, why: decision.why });
    const backout = decision.kind === 'resolve-in-doubt';
    const plan = backout
      ? resolvePlan(seen.state, bank, decision, input.reason)
      : resyncPlan(seen.state, bank, decision, input.reason);
    const approval = await approve(r.run, backout ? 'resolve-in-doubt' : 'execute', plan);
    if (typeof approval === 'string') return end(notApproved(r.run, approval));

    // Look again before leaping: act only if the same commands still apply, else plan again.
    r.run.step('executing');
    seen.state = await read();
    if (commandsOf(decide(seen.state, seen.backedOut)).join('\n') !== commandsOf(decision).join('\n'))
      continue;
    let done: Awaited<ReturnType<typeof runSteps>>;
    try {
      done = await runSteps(r, approval, decision, seen.state, read);
    } catch (err) {
      // The approval no longer holds (reset, a second run, aged): read again, plan and ask again.
      if (!isProofRefusal(err)) throw err;
      seen.state = await read();
      continue;
    }
    seen.state = done.state;
    if (done.stuck) return end({ outcome: 'unexpected-state', why: done.stuck });
    seen.state = await read();
    if (backout) {
      seen.backedOut = true;
      continue;
    }
    r.run.step('verifying');
    const verification = await verifyChannel(read, input.verifySeconds, (s) => (seen.state = s));
    return end({ outcome: verification.ok ? 'resynced' : 'not-verified', why: decision.why, verification });
  }
  return end(unstable(r.run, '通道状态', 'The channel kept changing'));
}

/** The run stops when what it would change keeps moving between approval and execution. */
function unstable(run: GatedRun<Input>, zh: string, en: string): Omit<Ended, 'channel' | 'serials'> {
  return {
    outcome: 'unexpected-state',
    why: {
      zh: `${zh}在审批与执行之间反复变化（已出示 ${run.plans.length} 份计划），为安全起见停止处理`,
      en: `${en} between approval and execution (${run.plans.length} plans shown); stopping`,
    },
  };
}

function isUnexpectedState(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === ErrorKind.UnexpectedState
  );
}

function commandsOf(d: ChannelDecision): string[] {
  if (d.kind !== 'resolve-in-doubt' && d.kind !== 'resync') return [d.kind];
  const seqnum = d.kind === 'resync' ? d.seqnum : undefined;
  return d.steps.map((s) => `${d.kind}:${s}:${seqnum ?? ''}`);
}

/** The approved MQSC, one command at a time; after a STOP, wait for it to take effect (RESET needs it). */
async function runSteps(
  r: Resync,
  approval: Approved,
  decision: Extract<ChannelDecision, { kind: 'resync' | 'resolve-in-doubt' }>,
  before: SequenceState,
  read: () => Promise<SequenceState>,
): Promise<{ state: SequenceState; stuck?: Bilingual }> {
  const bank = r.run.bank.code;
  const change = writeActivities<ChannelSeq & Mq>({ taskQueue: r.run.estate.taskQueues.comm });
  const seqnum = decision.kind === 'resync' ? decision.seqnum : undefined;
  let state = before;
  for (const [index, step] of decision.steps.entries()) {
    const planned = channelCommand(step, state.channel, seqnum);
    const facts = {
      index,
      target: state.qmgr,
      subject: state.channel,
      before: sequenceFacts(state),
      planned,
    };
    const { proof } = approval;
    await act(r, approval, facts, () => {
      if (step === 'stop') return change.stopSenderChannel({ bank, proof });
      if (step === 'resolve') return change.backOutInDoubt({ bank, proof });
      if (step === 'reset') return change.resetSenderSequence({ bank, seqnum: seqnum ?? 1, proof });
      return change.startSenderChannel({ bank, proof });
    });
    if (step !== 'stop') continue;
    state = await waitUntilStopped(read, state);
    if (state.sender.status !== 'STOPPED' && state.sender.status !== 'INACTIVE') {
      const stuck = {
        zh: `已发出停止命令，但 ${state.channel} 60 秒后仍为 ${state.sender.status}，未继续执行`,
        en: `STOP was issued but ${state.channel} is still ${state.sender.status} after 60 s; not going on`,
      };
      return { state, stuck };
    }
  }
  return { state };
}

function sequenceFacts(s: SequenceState) {
  return {
    status: s.sender.status,
    senderLastSeq: s.sender.lastSeq ?? null,
    senderCurrentSeq: s.sender.currentSeq ?? null,
    indoubt: s.sender.indoubt ?? false,
    receiverLastSeq: s.receiver.readable ? (s.receiver.end.lastSeq ?? null) : null,
    xmitqDepth: s.xmitqDepth,
  };
}

async function waitUntilStopped(
  read: () => Promise<SequenceState>,
  state: SequenceState,
): Promise<SequenceState> {
  let s = state;
  for (let i = 0; i < 60; i++) {
    s = await read();
    if (s.sender.status === 'STOPPED' || s.sender.status === 'INACTIVE') return s;
    await sleep('1 second');
  }
  return s;
}

/** Verified: the sender RUNNING, the transmission queue drained, both ends' saved numbers equal. */
async function verifyChannel(
  read: () => Promise<SequenceState>,
  seconds: number,
  seen: (s: SequenceState) => void,
): Promise<{ ok: boolean; checks: number; detail: string }> {
  const deadline = Date.now() + seconds * 1000;
  for (let checks = 1; ; checks++) {
    const s = await read();
    seen(s);
    const receiver = s.receiver.readable ? s.receiver.end.lastSeq : undefined;
    const agree = receiver === undefined || receiver === s.sender.lastSeq;
    const detail =
      `${s.channel} ${s.sender.status}，传输队列深度 ${s.xmitqDepth}，` +
      `财政端 LSTSEQNO ${s.sender.lastSeq ?? '未知'}，银行端 ${receiver ?? '无法读取'}`;
    if (s.sender.status === 'RUNNING' && s.xmitqDepth === 0 && !s.sender.indoubt && agree)
      return { ok: true, checks, detail };
    if (Date.now() + 2000 > deadline) return { ok: false, checks, detail };
    await sleep('2 seconds');
  }
}

/** The serials scope: ask the bank, decide, approve, ask again, realign, verify — re-planning when the serials move. */
async function realignSerials(r: Resync): Promise<Ended> {
  const { input, bank } = r.run;
  const serials = serialsDesk(r);
  const before = await serials.read();
  const first = await serials.askBank();
  if (!first) return { outcome: 'unexpected-state', why: noAnswer(input), serials: { before } };
  const end = (
    e: Omit<Ended, 'serials'>,
    after?: SerialsState,
    bankAfter?: BankSerialAnswer | null,
  ): Ended => ({
    ...e,
    serials: { before, bank: first, ...(after && { after }), ...(bankAfter && { bankAfter }) },
  });

  let answer = first;
  for (let round = 1; round <= maxRounds; round++) {
    const fin = await serials.read();
    const decision = decideSerials(fin, answer);
    if (decision.kind !== 'realign') return end({ outcome: decision.kind, why: decision.why });
    const approval = await approve(r.run, 'execute', serialsPlan(fin, answer, bank, decision, input.reason));
    if (typeof approval === 'string') return end(notApproved(r.run, approval));

    // Look again before leaping: the bank's answer afresh, and finance's serial as it is now.
    r.run.step('executing');
    const again = await serials.askBank();
    if (!again) return end({ outcome: 'unexpected-state', why: noAnswer(input) });
    answer = again;
    const current = decideSerials(await serials.read(), answer);
    if (current.kind !== 'realign' || current.from !== decision.from || current.to !== decision.to) continue;
    if (!(await realign(r, approval, decision, answer))) continue;
    r.run.step('verifying');
    const verified = await verifySerials(serials, input.verifySeconds);
    const outcome = verified.verification.ok ? 'realigned' : 'not-verified';
    return end(
      { outcome, why: decision.why, verification: verified.verification },
      verified.after,
      verified.bankAfter,
    );
  }
  return end(unstable(r.run, '报文序号', 'The serials kept moving'));
}

const noAnswer = (input: Input): Bilingual => ({
  zh: `银行 ${input.answerSeconds} 秒内未答复状态查询：请先检查通道（通道恢复或序列号重置 scope=channel）与收发程序`,
  en: `The bank did not answer the status query within ${input.answerSeconds} s; check the channel and the send/receive program first`,
});

/** Finance's serials, and the bank's answer to a status query (each question its own, under the run's query ids). */
function serialsDesk(r: Resync) {
  const { input, bank } = r.run;
  const db = readActivities<Serials>({ taskQueue: r.run.estate.taskQueues.db });
  const desk = { dbQueue: r.run.estate.taskQueues.db, bank: bank.code };
  let asked = 0;
  return {
    read: () => db.readSerials({ bank: bank.code }),
    async askBank(): Promise<BankSerialAnswer | null> {
      asked += 1;
      r.run.step('asking-bank');
      const voucherNo = (await db.lastVoucherSent({ bank: bank.code })) ?? 'NONE';
      const prefix = questionPrefix('serials', asked);
      const question = questionFor(prefix, { subject: 'voucher', voucherNo });
      const answer = (await askBank(desk, prefix, [question], input.answerSeconds)).answers.get(
        question.queryId,
      );
      if (!answer) return null;
      if (answer.lastSerialAccepted === undefined) {
        throw ApplicationFailure.create({
          type: ErrorKind.UnexpectedState,
          nonRetryable: true,
          message: `the bank's answer to ${question.queryId} carries no lastSerialAccepted`,
        });
      }
      const { queryId, answeredAt, lastSerialAccepted } = answer;
      return { queryId, askedAbout: voucherNo, lastSerialAccepted, answeredAt };
    },
  };
}

/** Sets finance's outgoing serial as approved; false when it moved after the look or the approval no longer holds. */
async function realign(
  r: Resync,
  approval: Approved,
  decision: { from: number; to: number },
  answer: BankSerialAnswer,
): Promise<boolean> {
  const bank = r.run.bank.code;
  const dbChange = writeActivities<Serials>({ taskQueue: r.run.estate.taskQueues.db });
  const sql = serialsSql(bank, decision.from, decision.to);
  const facts = {
    index: 0,
    target: 'treasury',
    subject: `${bank}/serials`,
    before: { financeOut: decision.from, bankLastAccepted: answer.lastSerialAccepted },
    planned: sql,
  };
  try {
    await act(r, approval, facts, async () => {
      const done = await dbChange.realignOutgoingSerial({
        bank,
        from: decision.from,
        to: decision.to,
        proof: approval.proof,
      });
      const detail = done.changed
        ? `last_serial ${done.before} → ${done.after}`
        : `已是 ${done.after}（重复执行）`;
      return { command: sql, messageIds: [], detail, alreadyDone: !done.changed };
    });
    return true;
  } catch (err) {
    // The serial moved after the look (the send program numbered a message), or the approval
    // no longer holds: plan again.
    if (isUnexpectedState(err) || isProofRefusal(err)) return false;
    throw err;
  }
}

/** Verified: the bank's last accepted serial is finance's last outgoing one (asked every two seconds). */
async function verifySerials(serials: ReturnType<typeof serialsDesk>, seconds: number) {
  const deadline = Date.now() + seconds * 1000;
  for (let checks = 1; ; checks++) {
    const bankAfter = await serials.askBank();
    const after = await serials.read();
    const detail = `财政端 ${after.financeOut}，银行最后接受 ${bankAfter?.lastSerialAccepted ?? '未答复'}`;
    const ok = !!bankAfter && bankAfter.lastSerialAccepted === after.financeOut;
    if (ok || Date.now() + 2000 > deadline) return { verification: { ok, checks, detail }, after, bankAfter };
    await sleep('2 seconds');
  }
}

function notApproved(run: GatedRun<Input>, declined: NotApproved): Omit<Ended, 'channel' | 'serials'> {
  if (declined === 'planned') {
    return {
      outcome: 'planned',
      why: { zh: '演练：仅生成计划，未做任何更改', en: 'Dry run: plan only, nothing changed' },
    };
  }
  if (declined === 'expired')
    return {
      outcome: 'expired',
      why: { zh: '审批超时，未做任何更改', en: 'The approval expired; nothing changed' },
    };
  const who = run.approvals.at(-1)?.votes.find((v) => v.verdict === 'reject');
  return {
    outcome: 'rejected',
    why: {
      zh: `审批驳回（${who?.displayName ?? ''}：${who?.reason ?? ''}），未做任何更改`,
      en: 'Rejected; nothing changed',
    },
  };
}

interface ActFacts {
  /** The step's place in the approved plan (part of the audit entry's key). */
  index: number;
  target: string;
  subject: string;
  before: Record<string, unknown>;
  /** The command as the plan shows it. */
  planned: string;
}

/** Runs one approved mutation and records it: the action list, and an audit entry keyed per gate and step. */
async function act(
  r: Resync,
  approval: Approved,
  facts: ActFacts,
  change: () => Promise<ChannelActionResult>,
): Promise<void> {
  const result = await change();
  const command = result.command || facts.planned;
  r.actions.push({
    command,
    target: facts.target,
    detail: result.alreadyDone ? `（已处于目标状态）${result.detail}` : result.detail,
    at: new Date().toISOString(),
    alreadyDone: result.alreadyDone,
  });
  await r.run.record.mutation(approvedOn(approval), {
    subject: facts.subject,
    action: command,
    target: facts.target,
    before: facts.before,
    after: { answer: result.detail },
    alreadyDone: result.alreadyDone,
    key: `mutation/${approval.gateId}/${facts.index}`,
  });
}
