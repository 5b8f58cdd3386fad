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
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createChannelSequenceActivities } from '../activities/channel-sequence.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createMessageSerialActivities } from '../activities/message-serials.ts';
import type { createMqActivities } from '../activities/mq.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import type { ApprovalPlan, Bilingual, GateOutcome } from '../domain/approvals/gate-types.ts';
import type { ChannelActionResult } from '../domain/channel-action.ts';
import { ErrorKind, isProofRefusal, parseInput } from '../domain/errors.ts';
import {
  channelCommand,
  decideChannel,
  decideSerials,
  resolvePlan,
  resyncPlan,
  serialsPlan,
  serialsSql,
  type BankRef,
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
import { createApprovalGate, type ApprovalGate } from './shared/approval-gate.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';
import { progressQuery } from './shared/progress.ts';
import { mutation, readOnly } from './shared/retry-profiles.ts';
import { createRunRecord, type RunRecord } from './shared/run-record.ts';
import { writeRunReport } from './shared/run-report.ts';
import { announceRun, estateBank } from './shared/runbook-opening.ts';
import { OutcomeKey } from './shared/search-attributes.ts';

type Control = ReturnType<typeof createControlActivities>;
type Mq = ReturnType<typeof createMqActivities>;
type ChannelSeq = ReturnType<typeof createChannelSequenceActivities>;
type Serials = ReturnType<typeof createMessageSerialActivities>;
type Input = ReturnType<typeof sequenceResyncInputSchema.parse>;

const runbook = 'sequence-resync';
/** Plans a run may show (a backout, then the resync, plus re-plans when the channel moves). */
const maxRounds = 4;

/** What a run has done so far, for the progress query, the report and the result. */
interface RunState extends SequenceResyncSteps {
  step: string;
}

type Ended = SequenceResyncEnd;

interface Ctx {
  input: Input;
  bank: BankRef;
  queues: { comm: string; db: string };
  gate: ApprovalGate;
  record: RunRecord;
  run: RunState;
}

export async function sequenceResync(rawInput: SequenceResyncInput): Promise<SequenceResyncResult> {
  const input = parseInput(sequenceResyncInputSchema, rawInput);
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const control = proxyActivities<Control>(readOnly());
  const { estate, bank: found } = await estateBank(control, input.bank);
  const bank: BankRef = { code: found.code, name: found.name };
  const runLink = `${estate.runLinkBase}${encodeURIComponent(workflowId)}`;
  const subject = input.scope === 'channel' ? `CZ.TO.${bank.code}` : `${bank.code}/serials`;
  const record = createRunRecord(runbook);
  const run: RunState = { step: 'reading', plans: [], approvals: [], actions: [] };

  setHandler(progressQuery, () => ({
    runbook,
    step: run.step,
    detail: { bank: bank.code, scope: input.scope, actions: run.actions.length },
  }));
  const requester = await announceRun(record, {
    runbook,
    bankCodes: [bank.code],
    input,
    started: rawInput,
    subject,
  });
  const gate = createApprovalGate({ runbook, requester, bankCodes: [bank.code], record });
  const ctx: Ctx = { input, bank, queues: estate.taskQueues, gate, record, run };

  let lock: HeldLock | undefined;
  let ended: Ended;
  try {
    lock =
      input.scope === 'channel'
        ? await acquireLock('channel', `CZ.TO.${bank.code}`)
        : await acquireLock('serials', bank.code);
    ended = input.scope === 'channel' ? await resyncChannel(ctx) : await realignSerials(ctx, workflowId);
    if (ended.outcome === 'unexpected-state') await stopWithEvidence(ctx, ended, subject, runLink);
  } catch (err) {
    await record.notify({
      kind: 'run-failed',
      title: `序列号重置失败：${bank.name} ${subject}`,
      lines: [String((err as Error).message ?? err)],
      bankCodes: [bank.code],
      link: runLink,
      key: 'failed',
    });
    throw err;
  } finally {
    await lock?.release();
  }

  upsertSearchAttributes([{ key: OutcomeKey, value: ended.outcome }]);
  const about = {
    runbook,
    workflowId,
    requestedBy: gate.requestedBy(),
    startedAt,
    timeZone: estate.timezone,
  };
  const files = await writeRunReport(control, about, (r) =>
    sequenceResyncReport(r, { bankName: bank.name, subject }, ended, ctx.run),
  );
  await record.audit({
    kind: 'outcome',
    actor: 'system',
    subject,
    payload: { result: ended.outcome, why: ended.why.zh, report: files },
    key: 'outcome',
  });
  await condition(allHandlersFinished);
  return {
    runbook,
    workflowId,
    bank: bank.code,
    scope: input.scope,
    outcome: ended.outcome,
    why: ended.why.zh,
    ...(ended.channel && { channel: ended.channel }),
    ...(ended.serials && { serials: ended.serials }),
    plans: run.plans,
    approvals: run.approvals,
    actions: run.actions,
    ...(ended.verification && { verification: ended.verification }),
    report: files,
  };
}

/** An unexpected state ends the run here: the evidence goes to the audit trail and to the people. */
async function stopWithEvidence(ctx: Ctx, ended: Ended, subject: string, link: string): Promise<void> {
  await ctx.record.audit({
    kind: 'escalation',
    actor: 'system',
    subject,
    payload: { why: ended.why, channel: ended.channel?.last, serials: ended.serials },
    key: 'escalated',
  });
  await ctx.record.notify({
    kind: 'run-escalated',
    title: `序列号重置已停止，需人工核查：${ctx.bank.name} ${subject}`,
    lines: [ended.why.zh, ...evidenceLines(ended)],
    bankCodes: [ctx.bank.code],
    link,
    key: 'escalated',
  });
}

/** The channel scope: read, decide, (backout), resync, verify — re-planning when the channel moves. */
async function resyncChannel(ctx: Ctx): Promise<Ended> {
  const { input, bank, run } = ctx;
  const seq = proxyActivities<ChannelSeq>({ ...readOnly(), taskQueue: ctx.queues.comm });
  const read = () => seq.readSequenceState({ bank: bank.code });
  const decide = (s: SequenceState, backedOut: boolean) =>
    decideChannel(s, {
      backedOut,
      ...(input.bankLastSeq !== undefined && { bankLastSeq: input.bankLastSeq }),
    });

  const first = await read();
  let state = first;
  let backedOut = false;
  const end = (e: Omit<Ended, 'channel'>): Ended => ({ ...e, channel: { first, last: state } });

  for (let round = 1; round <= maxRounds; round++) {
    run.step = 'deciding';
    const decision = decide(state, backedOut);
    if (decision.kind === 'nothing-to-do' || decision.kind === 'unexpected-state')
      return end({ outcome: decision.kind, why: decision.why });
    const backout = decision.kind === 'resolve-in-doubt';
    const plan = backout
      ? resolvePlan(state, bank, decision, input.reason)
      : resyncPlan(state, bank, decision, input.reason);
    const approval = await ask(ctx, backout ? 'resolve-in-doubt' : 'execute', plan);
    if (approval === 'planned' || approval.outcome !== 'approved') return end(notApproved(approval));

    // Look again before leaping: act only if the same commands still apply, else plan again.
    run.step = 'executing';
    state = await read();
    if (commandsOf(decide(state, backedOut)).join('\n') !== commandsOf(decision).join('\n')) continue;
    let done: Awaited<ReturnType<typeof runSteps>>;
    try {
      done = await runSteps(ctx, approval, decision, state, read);
    } catch (err) {
      // The approval no longer holds (reset, a second run, aged): read again, plan and ask again.
      if (!isProofRefusal(err)) throw err;
      state = await read();
      continue;
    }
    state = done.state;
    if (done.stuck) return end({ outcome: 'unexpected-state', why: done.stuck });
    state = await read();
    if (backout) {
      backedOut = true;
      continue;
    }
    run.step = 'verifying';
    const verification = await verifyChannel(read, input.verifySeconds, (s) => (state = s));
    return end({ outcome: verification.ok ? 'resynced' : 'not-verified', why: decision.why, verification });
  }
  return end({
    outcome: 'unexpected-state',
    why: {
      zh: `通道状态在审批与执行之间反复变化（已出示 ${run.plans.length} 份计划），为安全起见停止处理`,
      en: `The channel kept changing between approval and execution (${run.plans.length} plans shown); stopping`,
    },
  });
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
  ctx: Ctx,
  approval: GateOutcome,
  decision: Extract<ChannelDecision, { kind: 'resync' | 'resolve-in-doubt' }>,
  before: SequenceState,
  read: () => Promise<SequenceState>,
): Promise<{ state: SequenceState; stuck?: Bilingual }> {
  const bank = ctx.bank.code;
  const change = proxyActivities<ChannelSeq & Mq>({ ...mutation(), taskQueue: ctx.queues.comm });
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
    await act(ctx, approval, facts, () => {
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

/** The serials scope: ask the bank, decide, approve, look again, realign, ask again. */
async function realignSerials(ctx: Ctx, workflowId: string): Promise<Ended> {
  const { input, bank, run } = ctx;
  const db = proxyActivities<Serials>({ ...readOnly(), taskQueue: ctx.queues.db });
  const dbChange = proxyActivities<Serials>({ ...mutation(), taskQueue: ctx.queues.db });
  const readSerials = () => db.readSerials({ bank: bank.code });
  let asked = 0;
  const askBank = async (): Promise<BankSerialAnswer | null> => {
    asked += 1;
    run.step = 'asking-bank';
    const q = await db.askBankSerial({ bank: bank.code, key: `${workflowId}/serials/${asked}` });
    const deadline = Date.now() + input.answerSeconds * 1000;
    for (;;) {
      const answer = await db.readBankSerialAnswer({ queryId: q.queryId });
      if (answer || Date.now() + 2000 > deadline) return answer;
      await sleep('2 seconds');
    }
  };
  const noAnswer: Bilingual = {
    zh: `银行 ${input.answerSeconds} 秒内未答复状态查询：请先检查通道（通道恢复或序列号重置 scope=channel）与收发程序`,
    en: `The bank did not answer the status query within ${input.answerSeconds} s; check the channel and the send/receive program first`,
  };

  const before = await readSerials();
  let fin: SerialsState = before;
  let answer = await askBank();
  if (!answer) return { outcome: 'unexpected-state', why: noAnswer, serials: { before } };
  const first = answer;
  const end = (e: Omit<Ended, 'serials'>, after?: SerialsState, bankAfter?: BankSerialAnswer): Ended => ({
    ...e,
    serials: { before, bank: first, ...(after && { after }), ...(bankAfter && { bankAfter }) },
  });

  for (let round = 1; round <= maxRounds; round++) {
    fin = await readSerials();
    const decision = decideSerials(fin, answer);
    if (decision.kind !== 'realign') return end({ outcome: decision.kind, why: decision.why });
    const approval = await ask(ctx, 'execute', serialsPlan(fin, answer, bank, decision, input.reason));
    if (approval === 'planned' || approval.outcome !== 'approved') return end(notApproved(approval));

    run.step = 'executing';
    const again = await askBank();
    if (!again) return end({ outcome: 'unexpected-state', why: noAnswer });
    answer = again;
    const current = decideSerials(await readSerials(), answer);
    if (current.kind !== 'realign' || current.from !== decision.from || current.to !== decision.to) continue;
    const sql = serialsSql(bank.code, decision.from, decision.to);
    const facts = {
      index: 0,
      target: 'treasury',
      subject: `${bank.code}/serials`,
      before: { financeOut: decision.from, bankLastAccepted: answer.lastSerialAccepted },
      planned: sql,
    };
    try {
      await act(ctx, approval, facts, async () => {
        const r = await dbChange.realignOutgoingSerial({
          bank: bank.code,
          from: decision.from,
          to: decision.to,
          proof: approval.proof,
        });
        const detail = r.changed ? `last_serial ${r.before} → ${r.after}` : `已是 ${r.after}（重复执行）`;
        return { command: sql, messageIds: [], detail, alreadyDone: !r.changed };
      });
    } catch (err) {
      // The serial moved after the look (the send program numbered a message), or the approval
      // no longer holds: plan again.
      if (isUnexpectedState(err) || isProofRefusal(err)) continue;
      throw err;
    }
    run.step = 'verifying';
    const deadline = Date.now() + input.verifySeconds * 1000;
    for (let checks = 1; ; checks++) {
      const bankAfter = await askBank();
      const after = await readSerials();
      const detail = `财政端 ${after.financeOut}，银行最后接受 ${bankAfter?.lastSerialAccepted ?? '未答复'}`;
      if (bankAfter && bankAfter.lastSerialAccepted === after.financeOut) {
        return end(
          { outcome: 'realigned', why: decision.why, verification: { ok: true, checks, detail } },
          after,
          bankAfter,
        );
      }
      if (Date.now() + 2000 > deadline) {
        return end(
          { outcome: 'not-verified', why: decision.why, verification: { ok: false, checks, detail } },
          after,
          bankAfter ?? undefined,
        );
      }
      await sleep('2 seconds');
    }
  }
  return end({
    outcome: 'unexpected-state',
    why: {
      zh: `报文序号在审批与执行之间反复变化（已出示 ${run.plans.length} 份计划），为安全起见停止处理`,
      en: `The serials kept moving between approval and execution (${run.plans.length} plans shown); stopping`,
    },
  });
}

/** Shows a plan (recorded either way); in a dry run that is where it ends. */
async function ask(ctx: Ctx, step: string, plan: ApprovalPlan): Promise<GateOutcome | 'planned'> {
  ctx.run.plans.push({ step, plan, planDigest: planDigest(plan) });
  if (ctx.input.dryRun) return 'planned';
  ctx.run.step = `awaiting-approval:${step}`;
  const outcome = await ctx.gate.request(step, plan);
  ctx.run.approvals.push(outcome);
  return outcome;
}

function notApproved(approval: GateOutcome | 'planned'): Omit<Ended, 'channel' | 'serials'> {
  if (approval === 'planned') {
    return {
      outcome: 'planned',
      why: { zh: '演练：仅生成计划，未做任何更改', en: 'Dry run: plan only, nothing changed' },
    };
  }
  const outcome = approval.outcome === 'approved' ? 'rejected' : approval.outcome;
  const who = approval.votes.find((v) => v.verdict === 'reject');
  return {
    outcome,
    why:
      outcome === 'rejected'
        ? {
            zh: `审批驳回（${who?.displayName ?? ''}：${who?.reason ?? ''}），未做任何更改`,
            en: 'Rejected; nothing changed',
          }
        : { zh: '审批超时，未做任何更改', en: 'The approval expired; nothing changed' },
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
  ctx: Ctx,
  approval: GateOutcome,
  facts: ActFacts,
  run: () => Promise<ChannelActionResult>,
): Promise<void> {
  const result = await run();
  const command = result.command || facts.planned;
  ctx.run.actions.push({
    command,
    target: facts.target,
    detail: result.alreadyDone ? `（已处于目标状态）${result.detail}` : result.detail,
    at: new Date().toISOString(),
    alreadyDone: result.alreadyDone,
  });
  await ctx.record.audit({
    kind: 'mutation',
    actor: 'system',
    subject: facts.subject,
    payload: {
      action: command,
      target: facts.target,
      before: facts.before,
      after: { answer: result.detail, alreadyDone: result.alreadyDone },
      approvedBy: approval.votes.filter((v) => v.verdict === 'approve').map((v) => v.user),
      step: approval.step,
      planDigest: approval.planDigest,
    },
    key: `mutation/${approval.gateId}/${facts.index}`,
  });
}
