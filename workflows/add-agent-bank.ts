/**
 * 新增代理银行 — adding an agent bank (catalog item 8, contract 2.4), the sixth bank and beyond.
 * Once the bank has brought its own side online (queue manager, channel ends, front end), survey
 * finance's side and the bank's; plan the MQ objects on finance's queue manager, the treasury
 * rows, the base-data pushes and a test message; pass the approval gate; define and start the
 * channel; register the bank in the treasury database; push the base data and wait for the
 * bank's acknowledgements; send a status query and wait for its answer (a message each way);
 * then write the bank into `addedBanksDir`, from where running workers, the inspection and the
 * schedules pick it up. One run per bank code at a time (lock/bank/<CODE>).
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBankOnboardingDbActivities } from '../activities/bank-onboarding-db.ts';
import type { createBankOnboardingMqActivities } from '../activities/bank-onboarding-mq.ts';
import type { createBankRegistryActivities, EstateBanks } from '../activities/bank-registry.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createHostActivities } from '../activities/host.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import type { ApprovalPlan, GateOutcome } from '../domain/approvals/gate-types.ts';
import { ErrorKind, invalidInput, parseInput } from '../domain/errors.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import {
  assessReadiness,
  mqObjects,
  mqscFor,
  newBankOf,
  onboardingPlan,
  startMqsc,
  treasurySteps,
} from '../domain/runbooks/add-agent-bank.plan.ts';
import { addAgentBankOutcomeLabel, addAgentBankReport } from '../domain/runbooks/add-agent-bank.report.ts';
import {
  addAgentBankInputSchema,
  type AddAgentBankInput,
  type AddAgentBankOutcome,
  type AddAgentBankParsed,
  type AddAgentBankResult,
  type BaseDataPushState,
  type OnboardingSurvey,
  type TestMessageState,
  type TreasurySteps,
} from '../domain/runbooks/add-agent-bank.types.ts';
import { confinedPathProblems } from '../domain/runbooks/input-estate.ts';
import { createApprovalGate } from './shared/approval-gate.ts';
import { awaitAnswers, questionPrefix } from './shared/ask-bank.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';
import { progressQuery } from './shared/progress.ts';
import { readActivities, writeActivities } from './shared/retry-profiles.ts';
import { createRunRecord } from './shared/run-record.ts';
import { writeRunReport } from './shared/run-report.ts';
import { announceRun } from './shared/runbook-opening.ts';
import { OutcomeKey } from './shared/search-attributes.ts';

type Control = ReturnType<typeof createControlActivities>;
type Registry = ReturnType<typeof createBankRegistryActivities>;
type OnboardMq = ReturnType<typeof createBankOnboardingMqActivities>;
type OnboardDb = ReturnType<typeof createBankOnboardingDbActivities>;
type Host = ReturnType<typeof createHostActivities>;

const runbook = 'add-agent-bank';
/** How often the plan may change under an engineer's feet before the run stops and says so. */
const maxPlanRounds = 3;
const pollEvery = '3 seconds';

export async function addAgentBank(rawInput: AddAgentBankInput): Promise<AddAgentBankResult> {
  const input = parseInput(addAgentBankInputSchema, rawInput);
  const { workflowId, runId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const control = readActivities<Control>();
  const registry = readActivities<Registry>();
  const estate = await control.describeEstate();
  const known = await registry.estateBanks();
  refuseClashes(input, known);
  if (!known.addedBanksDir) {
    throw ApplicationFailure.create({
      type: ErrorKind.ConfigurationError,
      nonRetryable: true,
      message:
        'addedBanksDir: the site file names no folder for added banks, so the bank could not be registered',
    });
  }
  const bank = newBankOf(input);
  const fin = known.financeQmgr;
  const runLink = `${estate.runLinkBase}${encodeURIComponent(workflowId)}`;
  const queues = estate.taskQueues;
  const registryChange = writeActivities<Registry>();
  const mq = readActivities<OnboardMq>({ taskQueue: queues.comm });
  const mqChange = writeActivities<OnboardMq>({ taskQueue: queues.comm });
  const commLookup = readActivities<Host>({ taskQueue: queues.comm });
  const db = readActivities<OnboardDb>({ taskQueue: queues.db });
  const dbChange = writeActivities<OnboardDb>({ taskQueue: queues.db });
  const record = createRunRecord(runbook);

  let step = 'surveying';
  setHandler(progressQuery, () => ({ runbook, step, detail: { bank: bank.code } }));
  const requester = await announceRun(record, { runbook, bankCodes: [bank.code], input, started: rawInput });
  const gate = createApprovalGate({ runbook, requester, bankCodes: [bank.code], record });

  const objects = mqObjects(bank, input.bankInQueue);
  const runShort = runId.replace(/-/g, '').slice(0, 8);
  const testPrefix = questionPrefix('onboarding-test');
  const bankFile = await registry.renderBankFile({ bank, workflowId });

  const survey = async (): Promise<OnboardingSurvey> => {
    const [found, bankSide, frontEnd, programs, treasury] = await Promise.all([
      mq.surveyFinanceObjects({ objects }),
      mq.surveyBankSide({ bank }),
      mq.probeNewFrontEnd({ frontEnd: bank.frontEnd }),
      mq.checkNewPrograms({ programs: bank.programs }),
      db.surveyNewBankTreasury({ code: bank.code }),
    ]);
    return { financeQmgr: fin, objects: found, bankSide, frontEnd, programs, treasury };
  };
  const planFor = (s: OnboardingSurvey, notes: string[]) => {
    const steps = treasurySteps(bank, s, runShort, testPrefix);
    return {
      steps,
      plan: onboardingPlan({ bank, objects, survey: s, steps, notes, bankFile, reason: input.reason }),
    };
  };

  const actions: AddAgentBankResult['actions'] = [];
  let lock: HeldLock | undefined;
  let s: OnboardingSurvey;
  let outcome: AddAgentBankOutcome | undefined;
  let why: string[] = [];
  let plan: ApprovalPlan | undefined;
  let approval: GateOutcome | undefined;
  let baseData: BaseDataPushState[] | undefined;
  let testMessage: TestMessageState | undefined;
  let channels: { sender: string; receiver: string } | undefined;
  let registered: { file: string; alreadyDone: boolean } | undefined;
  let seenBy: string[] = [];

  try {
    lock = await acquireLock('bank', bank.code);
    s = await survey();
    for (let round = 1; !outcome && round <= maxPlanRounds; round++) {
      const readiness = assessReadiness(bank, s);
      if (readiness.kind !== 'ready') {
        outcome = readiness.kind;
        why = readiness.why;
        break;
      }
      const planned = planFor(s, readiness.notes);
      plan = planned.plan;
      if (input.dryRun) {
        outcome = 'planned';
        why = ['演练：只生成计划，未做任何变更'];
        break;
      }
      step = 'awaiting-approval';
      approval = await gate.request('execute', plan);
      if (approval.outcome !== 'approved') {
        outcome = approval.outcome;
        why = [approval.outcome === 'rejected' ? '审批人驳回了计划' : '审批超时，未做任何变更'];
        break;
      }
      // Look again before leaping: act only on the plan that was approved.
      step = 'checking';
      s = await survey();
      const again = assessReadiness(bank, s);
      if (again.kind !== 'ready' || planDigest(planFor(s, again.notes).plan) !== approval.planDigest)
        continue;
      await execute(planned.steps, approval, s);
    }
    if (!outcome) {
      outcome = 'plan-unstable';
      why = [`执行前复核 ${maxPlanRounds} 次，计划每次都不同：请查明是谁在同时改动`];
    }
    if (outcome === 'not-ready' || outcome === 'conflict' || outcome === 'not-verified') await escalate();
  } catch (err) {
    await record.notify({
      kind: 'run-failed',
      title: `新增代理银行失败：${bank.name}（${bank.code}）`,
      lines: [String((err as Error).message ?? err)],
      bankCodes: [bank.code],
      link: runLink,
      key: 'failed',
    });
    throw err;
  } finally {
    await lock?.release();
  }

  async function execute(
    steps: TreasurySteps,
    approved: GateOutcome,
    before: OnboardingSurvey,
  ): Promise<void> {
    let n = 0;
    const { proof } = approved;
    const on = approvedOn(approved);
    const done = async (
      command: string,
      target: string,
      result: { detail: string; alreadyDone: boolean },
      prior: object,
    ) => {
      actions.push({ command, target, detail: result.detail, at: new Date().toISOString() });
      await record.mutation(on, {
        subject: bank.code,
        action: command,
        target,
        before: prior,
        after: { answer: result.detail },
        alreadyDone: result.alreadyDone,
        key: `mutation/${approved.gateId}/${n++}`,
      });
    };

    step = 'defining';
    for (const [i, spec] of objects.entries()) {
      const r = await mqChange.defineFinanceObject({ spec, proof });
      await done(mqscFor(spec), fin, r, { state: before.objects[i]?.state ?? 'absent' });
    }
    const started = await mqChange.startNewSender({ channel: bank.senderChannel, proof });
    await done(startMqsc(bank.senderChannel), fin, started, { alreadyRunning: started.alreadyDone });

    step = 'registering-treasury';
    for (const a of await dbChange.registerAgentBank({
      code: bank.code,
      name: bank.name,
      versions: steps.insertVersions,
      proof,
    })) {
      await done(a.command, 'treasury', a, { agentBank: before.treasury.agentBank });
    }

    step = 'pushing-base-data';
    for (const a of await dbChange.requestOnboardingPushes({
      code: bank.code,
      pushes: steps.pushes,
      proof,
    })) {
      await done(a.command, 'treasury', a, { versions: before.treasury.versions });
    }
    baseData = await waitFor(
      () => db.onboardingPushStates({ code: bank.code, pushes: steps.pushes }),
      (states) => states.every((p) => p.status === 'acked' || p.status === 'rejected'),
    );
    const unacked = baseData.filter((p) => p.status !== 'acked');
    if (unacked.length) {
      outcome = 'not-verified';
      why = unacked.map((p) =>
        p.status === 'rejected'
          ? `银行拒收基础资料 ${p.kind} v${p.version}：${p.reason ?? '无说明'}`
          : `基础资料 ${p.kind} v${p.version} 在 ${input.waitSeconds} 秒内未获银行确认（状态 ${p.status}）`,
      );
      return;
    }

    step = 'test-message';
    const query = await dbChange.requestOnboardingTestQuery({
      code: bank.code,
      query: steps.testQuery,
      proof,
    });
    await done(query.command, 'treasury', query, { testQuery: null });
    const test = steps.testQuery;
    const asked = await awaitAnswers(
      { dbQueue: queues.db, bank: bank.code },
      testPrefix,
      [test],
      input.waitSeconds,
    );
    const answer = asked.answers.get(test.queryId) ?? null;
    const status = answer ? 'answered' : asked.sent ? 'sent' : 'pending_send';
    testMessage = { queryId: test.queryId, voucherNo: test.voucherNo, status, answer };
    channels = await mq.newBankChannels({ bank });
    if (status !== 'answered') {
      outcome = 'not-verified';
      why = [
        status === 'sent'
          ? `测试报文已发出，${input.waitSeconds} 秒内未收到银行应答（${bank.receiverChannel}：${channels.receiver}）`
          : `测试报文 ${input.waitSeconds} 秒内未由收发程序发出（状态 ${status}）`,
      ];
      return;
    }

    step = 'registering';
    registered = await registryChange.registerBank({
      code: bank.code,
      path: bankFile.path,
      content: bankFile.content,
      proof,
    });
    await done(
      `写入 ${bankFile.path}`,
      bankFile.path,
      {
        detail: registered.alreadyDone ? '文件已存在且内容一致' : '已写入',
        alreadyDone: registered.alreadyDone,
      },
      { file: null },
    );

    step = 'verifying';
    seenBy = await estateSees();
    if (seenBy.length < 2) {
      outcome = 'not-verified';
      why = [
        `已登记，但${seenBy.includes('runbooks') ? '' : '流程工作进程、'}${seenBy.includes('comm') ? '' : '通讯区工作进程'}还看不到该行：各区工作进程须读同一个 addedBanksDir`,
      ];
      return;
    }
    outcome = 'added';
    why = [
      `${bank.name}（${bank.code}）已开通：通道两个方向都有报文往来，基础资料已获确认，已纳入巡检与定时任务`,
    ];
  }

  /** Polls until `done` holds or the run's wait is over; returns the last reading. */
  async function waitFor<T>(read: () => Promise<T>, ok: (t: T) => boolean): Promise<T> {
    const deadline = Date.now() + input.waitSeconds * 1000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() >= deadline) return value;
      await sleep(pollEvery);
    }
  }

  /** Which zones' workers now resolve the bank: the runbooks worker (estate) and the comm worker. */
  async function estateSees(): Promise<string[]> {
    const seen: string[] = [];
    if ((await control.describeEstate()).banks.some((b) => b.code === bank.code)) seen.push('runbooks');
    try {
      await commLookup.probeFrontEnd({ bank: bank.code });
      seen.push('comm');
    } catch (err) {
      // The comm worker refuses a bank it does not know as invalid input: it does not see the folder.
      const unknown =
        err instanceof ActivityFailure &&
        err.cause instanceof ApplicationFailure &&
        err.cause.type === ErrorKind.InvalidInput;
      if (!unknown) throw err;
    }
    return seen;
  }

  async function escalate(): Promise<void> {
    await record.notify({
      kind: 'run-escalated',
      title: `新增代理银行需处理：${bank.name}（${bank.code}）— ${addAgentBankOutcomeLabel[outcome ?? 'not-verified']}`,
      lines: why,
      bankCodes: [bank.code],
      link: runLink,
      key: 'escalated',
    });
    await record.audit({
      kind: 'escalation',
      actor: 'system',
      subject: bank.code,
      payload: { outcome, why, survey: s },
      key: 'escalated',
    });
  }

  const final = outcome;
  upsertSearchAttributes([{ key: OutcomeKey, value: final }]);
  const ended = {
    outcome: final,
    why,
    survey: s,
    ...(plan && { plan, planDigest: planDigest(plan) }),
    ...(approval && { approval }),
    actions,
    ...(baseData && { baseData }),
    ...(testMessage && { testMessage }),
    ...(channels && { channels }),
    ...(registered && { registered }),
  };
  const about = {
    runbook,
    workflowId,
    requestedBy: gate.requestedBy(),
    startedAt,
    timeZone: estate.timezone,
  };
  const files = await writeRunReport(about, (r) => addAgentBankReport(r, { ...ended, bank, seenBy }));
  await record.audit({
    kind: 'outcome',
    actor: 'system',
    subject: bank.code,
    payload: { result: final, why, report: files },
    key: 'outcome',
  });
  await condition(allHandlersFinished);
  return { runbook, workflowId, bank: bank.code, ...ended, report: files };
}

/** The new bank must not collide with the estate: its code, queue manager, channels or front end. */
function refuseClashes(input: AddAgentBankParsed, known: EstateBanks): void {
  const problems: string[] = [];
  for (const b of known.banks) {
    if (b.code === input.code) {
      problems.push(
        `input.code: bank code "${input.code}" is already in the estate (${b.name}); expected a new code`,
      );
      continue;
    }
    if (b.qmgr === input.qmgr)
      problems.push(`input.qmgr: ${input.qmgr} is already the queue manager of ${b.code}`);
    for (const [field, value] of [
      ['senderChannel', input.senderChannel],
      ['receiverChannel', input.receiverChannel],
    ] as const) {
      if (value === b.senderChannel || value === b.receiverChannel)
        problems.push(`input.${field}: channel ${value} already belongs to ${b.code}`);
    }
    if (input.xmitq === b.xmitq)
      problems.push(`input.xmitq: ${input.xmitq} is already the transmission queue of ${b.code}`);
    if (b.frontEnd.host === input.frontEnd.host && b.frontEnd.port === input.frontEnd.port)
      problems.push(
        `input.frontEnd.port: ${input.frontEnd.host}:${input.frontEnd.port} is already the front end of ${b.code}`,
      );
  }
  input.programs.forEach((p, i) => {
    if ('pidFile' in p)
      problems.push(...confinedPathProblems(`input.programs[${i}].pidFile`, p.pidFile, known.pidDirs));
  });
  if (input.qmgr === known.financeQmgr)
    problems.push(`input.qmgr: ${input.qmgr} is finance's own queue manager`);
  if (input.xmitq === known.financeQmgr)
    problems.push(`input.xmitq: ${input.xmitq} is finance's own queue manager`);
  if (problems.length) throw invalidInput(problems);
}
