/**
 * 程序重启 — program restart (catalog item 1's follow-up, contract 2.1.4): read why a bank's
 * send/receive program (or any program a subsystem declares) stopped — its pid file, its last log
 * lines — plan its start, and the stop and start of every running program declared after it, in
 * their order; pass the approval gate, look again, restart, and verify that it moves messages again:
 * a bank's programs carry a test message (a status query) to the bank and its answer back, a
 * subsystem's health URL answers. One restart per bank or subsystem at a time
 * (lock/programs/<id>). The daily inspection's PROGRAM_DEAD finding starts it by the site's policy.
 */
import { sleep } from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import type { createProgramActivities } from '../activities/programs.ts';
import type { GateOutcome } from '../domain/approvals/gate-types.ts';
import { questionFor } from '../domain/bank-questions.ts';
import { isProofRefusal, parseInput } from '../domain/errors.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import { decideRestart, restartActions, restartPlan } from '../domain/runbooks/program-restart.plan.ts';
import { programRestartReport, type ProgramRestartFacts } from '../domain/runbooks/program-restart.report.ts';
import {
  programRestartInputSchema,
  type ProgramLook,
  type ProgramRestartInput,
  type ProgramRestartOutcome,
  type ProgramRestartResult,
  type ProgramTarget,
  type RestartDecision,
  type RestartVerification,
} from '../domain/runbooks/program-restart.types.ts';
import { askBank, questionPrefix } from './shared/ask-bank.ts';
import { longWriteActivities, readActivities, type ReadProxy } from './shared/retry-profiles.ts';
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
import { describedOrRefused } from './shared/subsystem-opening.ts';

type Control = ReturnType<typeof createControlActivities>;
type Programs = ReturnType<typeof createProgramActivities>;
type Input = ReturnType<typeof programRestartInputSchema.parse>;

const runbook = 'program-restart';
/** How often the programs may change under an engineer's feet before the run stops and says so. */
const maxPlanRounds = 3;

type TargetFound = Found & { target: ProgramTarget };

/** A restart run: the run, its activities, and what it has seen and done. */
interface Restart {
  run: GatedRun<Input> & TargetFound;
  acts: ReturnType<typeof programActivities>;
  diagnosis: ProgramLook[];
  decision: RestartDecision;
  restarted: ProgramLook[];
  verification?: RestartVerification;
}

export async function programRestart(rawInput: ProgramRestartInput): Promise<ProgramRestartResult> {
  const input = parseInput(programRestartInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => findTarget(control, input),
    firstStep: 'diagnosing',
    subject: input.bank ?? input.subsystem,
    detail: (found) => ({ target: found.target.id }),
  });
  const acts = programActivities(run.estate.taskQueues.comm);
  const failed = `程序重启失败：${run.target.name}`;
  const ended = await holdingLock(run, ['programs', run.target.id], failed, async () => {
    const diagnosis = await run.hand.step('diagnose', () => lookAt(acts, input));
    const decision = decideRestart(run.target, diagnosis, input.program);
    return restart({ run, acts, diagnosis, decision, restarted: [] });
  });
  const report = await closeRun(
    run,
    { outcome: ended.outcome, subject: run.target.id, payload: { why: ended.why } },
    (rr) => programRestartReport(rr, ended),
  );
  return { runbook, workflowId: run.workflowId, ...ended, report };
}

function programActivities(commQueue: string) {
  return {
    look: readActivities<Programs>({ taskQueue: commQueue }),
    change: longWriteActivities<Programs>({ taskQueue: commQueue }),
  };
}

/** The bank or subsystem the input names, with its declared programs; anything else is bad input, before anything is recorded. */
async function findTarget(control: ReadProxy<Control>, input: Input): Promise<TargetFound> {
  const estate = await control.describeEstate();
  const described = await programActivities(estate.taskQueues.comm).look.describeProgramTarget({
    bank: input.bank,
    subsystem: input.subsystem,
    ...(input.program !== undefined && { program: input.program }),
  });
  const target = describedOrRefused(described);
  return {
    estate,
    bank: { code: target.id, name: target.name },
    bankCodes: target.kind === 'bank' ? [target.id] : [],
    target,
  };
}

const lookAt = (acts: Restart['acts'], input: Input) =>
  acts.look.lookAtPrograms({ bank: input.bank, subsystem: input.subsystem, logLines: input.logLines });

/**
 * Judge, plan, approve, look again, restart, verify — planning again (at most `maxPlanRounds`
 * times) when the programs changed between the plan and the restart.
 */
async function restart(r: Restart): Promise<ProgramRestartFacts> {
  const { run } = r;
  for (let round = 1; round <= maxPlanRounds; round++) {
    const decision = r.decision;
    if (decision.kind === 'running')
      return facts(r, r.restarted.length > 0 ? 'restarted' : 'already-running');
    if (decision.kind === 'not-startable') {
      await escalate(run, {
        title: `程序无法自动启动：${run.target.name} ${decision.programs.join('、')}`,
        lines: decision.why.split('\n'),
        subject: run.target.id,
        payload: { programs: decision.programs, diagnosis: r.diagnosis },
      });
      return facts(r, 'escalated');
    }
    const approval = await approve(
      run,
      'execute',
      restartPlan(run.target, r.diagnosis, decision, run.input.reason),
    );
    if (typeof approval === 'string') return facts(r, approval);
    // Look before leaping: restart only when the same restart still applies; otherwise plan again.
    run.step('executing');
    r.decision = decideRestart(run.target, await lookAt(r.acts, run.input), run.input.program);
    if (r.decision.kind !== 'restart' || !sameRestart(r.decision, decision)) continue;
    if (!(await execute(r, approval, decision))) continue;
    run.step('verifying');
    r.verification = await verify(r);
    return facts(r, r.verification.ok ? 'restarted' : 'not-verified');
  }
  return facts(r, 'not-verified');
}

const sameRestart = (a: RestartDecision & { kind: 'restart' }, b: RestartDecision & { kind: 'restart' }) =>
  a.stop.join() === b.stop.join() && a.start.join() === b.start.join();

/**
 * The approved stops and starts, audited with each program's state before. False when the approval
 * no longer holds (the run was reset or started again, or it aged): look and ask again. A restart
 * that fails past its retries pauses for an operator.
 */
async function execute(
  r: Restart,
  approval: GateOutcome,
  d: RestartDecision & { kind: 'restart' },
): Promise<boolean> {
  const { run } = r;
  try {
    r.restarted = await run.hand.step(
      'execute',
      () =>
        r.acts.change.restartPrograms({
          bank: run.input.bank,
          subsystem: run.input.subsystem,
          stop: d.stop,
          start: d.start,
          proof: approval.proof,
        }),
      { skip: { means: doneByHand, value: () => [] } },
    );
  } catch (err) {
    if (!isProofRefusal(err)) throw err;
    return false;
  }
  // A restart skipped was done by a person, not by the run: there is no change of its own to record.
  if (r.restarted.length === 0) return true;
  const before = new Map(r.diagnosis.map((l) => [l.name, l]));
  for (const [i, action] of restartActions(run.target, d).entries()) {
    const name = action.command.replace(/^(STOP|START) /, '');
    const after = r.restarted.filter((l) => l.name === name).at(action.command.startsWith('STOP') ? 0 : -1);
    await run.record.mutation(approvedOn(approval), {
      subject: run.target.id,
      action: action.command,
      target: action.target,
      before: { running: before.get(name)?.running ?? null, detail: before.get(name)?.detail ?? null },
      after: { running: after?.running ?? null, pid: after?.pid ?? null, detail: after?.detail ?? null },
      alreadyDone: false,
      key: `mutation/${approval.gateId}/${i}`,
    });
  }
  return true;
}

const doneByHand = {
  zh: '不执行重启（已由人工在主机上启动），继续验证',
  en: 'do not restart (a person started the programs on the host) and go on to verify',
};

/**
 * Watches the programs move again; not moving is a state the run did not expect: it pauses —
 * retry watches again, skip ends the run not verified.
 */
function verify(r: Restart): Promise<RestartVerification> {
  return r.run.hand.step('verify', () => moving(r), {
    expect: (v) => (v.ok ? undefined : { message: v.detail, evidence: v }),
    skip: {
      means: { zh: '不再验证，按未验证结束', en: 'stop verifying and end as not verified' },
      value: (v) => v ?? { ok: false, programs: [], detail: '未验证' },
    },
  });
}

/** Running, and moving: a bank's test message there and back, a subsystem's health URL answering. */
async function moving(r: Restart): Promise<RestartVerification> {
  const { run } = r;
  const programs = await lookAt(r.acts, run.input);
  const down = programs.filter((p) => !p.running);
  if (down.length > 0)
    return {
      ok: false,
      programs,
      detail: `重启后未运行：${down.map((p) => `${p.name}（${p.detail}）`).join('；')}`,
    };
  if (run.target.kind === 'bank') {
    const prefix = questionPrefix('program-restart-test');
    const question = questionFor(prefix, { subject: 'voucher', voucherNo: `RESTART${run.target.id}` });
    const desk = { dbQueue: run.estate.taskQueues.db, bank: run.target.id };
    const asked = await askBank(desk, prefix, [question], run.input.verifySeconds);
    const answered = asked.answers.has(question.queryId);
    return {
      ok: answered,
      programs,
      testMessage: { queryId: question.queryId, sent: asked.sent > 0, answered },
      detail: answered
        ? '测试报文（凭证状态查询）经收发程序发出，银行应答已收回'
        : asked.sent > 0
          ? `测试报文已发出，${run.input.verifySeconds} 秒内未收到银行应答`
          : `测试报文 ${run.input.verifySeconds} 秒内未被收发程序发出`,
    };
  }
  return healthAnswers(r, programs);
}

/** A subsystem's health URL, looked at until it answers or the wait is over; no URL: running is enough. */
async function healthAnswers(r: Restart, programs: ProgramLook[]): Promise<RestartVerification> {
  const deadline = Date.now() + r.run.input.verifySeconds * 1000;
  for (;;) {
    const health = await r.acts.look.probeSubsystemHealth({ subsystem: r.run.target.id });
    if (!health) return { ok: true, programs, detail: '程序均在运行（未声明健康检查地址）' };
    if (health.ok || Date.now() + 2000 > deadline)
      return {
        ok: health.ok,
        programs,
        health,
        detail: health.ok ? `健康检查通过：${health.detail}` : `健康检查未通过：${health.detail}`,
      };
    await sleep('2 seconds');
  }
}

function facts(r: Restart, outcome: ProgramRestartOutcome): ProgramRestartFacts {
  const approval = r.run.approvals.at(-1);
  return {
    target: r.run.target,
    outcome,
    why: r.decision.why,
    diagnosis: r.diagnosis,
    ...lastPlan(r.run),
    ...(approval && { approval }),
    restarted: r.restarted,
    ...(r.verification && { verification: r.verification }),
  };
}
