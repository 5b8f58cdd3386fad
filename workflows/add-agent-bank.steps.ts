/**
 * Adding an agent bank's steps (add-agent-bank.ts tells them in order): find the estate the bank
 * joins, survey both sides, plan, then each change — define and start the channel, register the
 * bank in the treasury, push its base data, exchange the test message, write its file — recorded
 * as the one mutation record, and the check that every zone's workers see it. Workflow code.
 */
import { ActivityFailure, ApplicationFailure, sleep } from '@temporalio/workflow';
import type { createBankOnboardingDbActivities } from '../activities/bank-onboarding-db.ts';
import type { createBankOnboardingMqActivities } from '../activities/bank-onboarding-mq.ts';
import type { createBankRegistryActivities } from '../activities/bank-registry.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createHostActivities } from '../activities/host.ts';
import { ErrorKind, invalidInput } from '../domain/errors.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import { clashProblems } from '../domain/runbooks/add-agent-bank.clashes.ts';
import { testMessageStatus } from '../domain/runbooks/add-agent-bank.outcome.ts';
import {
  mqObjects,
  mqscFor,
  newBankOf,
  onboardingPlan,
  startMqsc,
  treasurySteps,
} from '../domain/runbooks/add-agent-bank.plan.ts';
import type {
  AddAgentBankResult,
  addAgentBankInputSchema,
  BaseDataPushState,
  EstateBanks,
  MqObjectSpec,
  NewBank,
  OnboardingSurvey,
  TestMessageState,
  TreasurySteps,
} from '../domain/runbooks/add-agent-bank.types.ts';
import { awaitAnswers, questionPrefix } from './shared/ask-bank.ts';
import { readActivities, writeActivities, type ReadProxy } from './shared/retry-profiles.ts';
import { thisRunTag } from './shared/run-tag.ts';
import type { Approved, GatedRun } from './shared/runbook-run.ts';

type Control = ReturnType<typeof createControlActivities>;
type Registry = ReturnType<typeof createBankRegistryActivities>;
type OnboardMq = ReturnType<typeof createBankOnboardingMqActivities>;
type OnboardDb = ReturnType<typeof createBankOnboardingDbActivities>;
type Host = ReturnType<typeof createHostActivities>;
export type Input = ReturnType<typeof addAgentBankInputSchema.parse>;

const pollEvery = '3 seconds';

/** An onboarding run: the run and the bank, the activities, what it defines and writes, and the changes made. */
export interface Onboarding {
  run: GatedRun<Input> & { bank: NewBank; known: EstateBanks };
  acts: ReturnType<typeof onboardingActivities>;
  objects: MqObjectSpec[];
  /** This run's part of the treasury ids it writes (pushes, the test message's voucher number). */
  runTag: string;
  /** The prefix of the test message's query id. */
  testPrefix: string;
  bankFile: { path: string; content: string };
  actions: AddAgentBankResult['actions'];
}

/**
 * The estate the bank joins: refused as bad input when the bank clashes with it, and as a site
 * configuration error when the site names no folder for added banks.
 */
export async function findEstate(control: ReadProxy<Control>, input: Input) {
  const estate = await control.describeEstate();
  const known = await readActivities<Registry>().estateBanks();
  const problems = clashProblems(input, known);
  if (problems.length) throw invalidInput(problems);
  if (!known.addedBanksDir) {
    throw ApplicationFailure.create({
      type: ErrorKind.ConfigurationError,
      nonRetryable: true,
      message:
        'addedBanksDir: the site file names no folder for added banks, so the bank could not be registered',
    });
  }
  return { estate, bank: newBankOf(input), known };
}

function onboardingActivities(queues: { comm: string; db: string }) {
  return {
    control: readActivities<Control>(),
    registry: readActivities<Registry>(),
    registryChange: writeActivities<Registry>(),
    mq: readActivities<OnboardMq>({ taskQueue: queues.comm }),
    mqChange: writeActivities<OnboardMq>({ taskQueue: queues.comm }),
    commLookup: readActivities<Host>({ taskQueue: queues.comm }),
    db: readActivities<OnboardDb>({ taskQueue: queues.db }),
    dbChange: writeActivities<OnboardDb>({ taskQueue: queues.db }),
  };
}

/** The run's onboarding: its activities, the MQ objects it defines, its ids, and the bank's file as it will be written. */
export async function openOnboarding(run: Onboarding['run']): Promise<Onboarding> {
  const { bank } = run;
  const acts = onboardingActivities(run.estate.taskQueues);
  const runTag = thisRunTag('add-agent-bank-run-tag', (runId) => runId.replace(/-/g, '').slice(0, 8));
  const testPrefix = questionPrefix('onboarding-test');
  const bankFile = await acts.registry.renderBankFile({ bank, workflowId: run.workflowId });
  return {
    run,
    acts,
    objects: mqObjects(bank, run.input.bankInQueue),
    runTag,
    testPrefix,
    bankFile,
    actions: [],
  };
}

/** Both sides as they are: finance's MQ objects, the bank's queue manager, front end and programs, the treasury rows. */
export async function surveyEstate({ run, acts, objects }: Onboarding): Promise<OnboardingSurvey> {
  const { bank } = run;
  const [found, bankSide, frontEnd, programs, treasury] = await Promise.all([
    acts.mq.surveyFinanceObjects({ objects }),
    acts.mq.surveyBankSide({ bank }),
    acts.mq.probeNewFrontEnd({ frontEnd: bank.frontEnd }),
    acts.mq.checkNewPrograms({ programs: bank.programs }),
    acts.db.surveyNewBankTreasury({ code: bank.code }),
  ]);
  return { financeQmgr: run.known.financeQmgr, objects: found, bankSide, frontEnd, programs, treasury };
}

/** The treasury steps and the plan the survey `s` calls for. */
export function planFor(o: Onboarding, s: OnboardingSurvey, notes: string[]) {
  const { bank, input } = o.run;
  const steps = treasurySteps(bank, s, o.runTag, o.testPrefix);
  return {
    steps,
    plan: onboardingPlan({
      bank,
      objects: o.objects,
      survey: s,
      steps,
      notes,
      bankFile: o.bankFile,
      reason: input.reason,
    }),
  };
}

/**
 * Changing under an approval: the proof each change activity checks, and `done`, which records a
 * change made — the report's action and the one mutation record, numbered in order.
 */
export interface Changing {
  proof: Approved['proof'];
  done(
    command: string,
    target: string,
    result: { detail: string; alreadyDone: boolean },
    prior: object,
  ): Promise<void>;
}

export function changing(o: Onboarding, approval: Approved): Changing {
  const on = approvedOn(approval);
  let n = 0;
  return {
    proof: approval.proof,
    async done(command, target, result, prior) {
      o.actions.push({ command, target, detail: result.detail, at: new Date().toISOString() });
      await o.run.record.mutation(on, {
        subject: o.run.bank.code,
        action: command,
        target,
        before: prior,
        after: { answer: result.detail },
        alreadyDone: result.alreadyDone,
        key: `mutation/${approval.gateId}/${n++}`,
      });
    },
  };
}

/** Defines finance's MQ objects for the bank, then starts its sender channel. */
export async function defineChannel(o: Onboarding, { proof, done }: Changing, before: OnboardingSurvey) {
  const { bank, known } = o.run;
  for (const [i, spec] of o.objects.entries()) {
    const r = await o.acts.mqChange.defineFinanceObject({ spec, proof });
    await done(mqscFor(spec), known.financeQmgr, r, { state: before.objects[i]?.state ?? 'absent' });
  }
  const started = await o.acts.mqChange.startNewSender({ channel: bank.senderChannel, proof });
  await done(startMqsc(bank.senderChannel), known.financeQmgr, started, {
    alreadyRunning: started.alreadyDone,
  });
}

/** The agent bank's row and its base-data version rows in the treasury database. */
export async function registerTreasury(
  o: Onboarding,
  steps: TreasurySteps,
  { proof, done }: Changing,
  before: OnboardingSurvey,
) {
  const { bank } = o.run;
  const made = await o.acts.dbChange.registerAgentBank({
    code: bank.code,
    name: bank.name,
    versions: steps.insertVersions,
    proof,
  });
  for (const a of made) await done(a.command, 'treasury', a, { agentBank: before.treasury.agentBank });
}

/** Asks for the base-data pushes and waits for the bank to acknowledge or reject each; their last states. */
export async function pushBaseData(
  o: Onboarding,
  steps: TreasurySteps,
  { proof, done }: Changing,
  before: OnboardingSurvey,
): Promise<BaseDataPushState[]> {
  const { bank } = o.run;
  const asked = await o.acts.dbChange.requestOnboardingPushes({
    code: bank.code,
    pushes: steps.pushes,
    proof,
  });
  for (const a of asked) await done(a.command, 'treasury', a, { versions: before.treasury.versions });
  return waitFor(
    o,
    () => o.acts.db.onboardingPushStates({ code: bank.code, pushes: steps.pushes }),
    (states) => states.every((p) => p.status === 'acked' || p.status === 'rejected'),
  );
}

/** Sends the test message (a status query) and waits for the bank's answer; then reads both channels. */
export async function sendTestMessage(
  o: Onboarding,
  steps: TreasurySteps,
  { proof, done }: Changing,
): Promise<{ testMessage: TestMessageState; channels: { sender: string; receiver: string } }> {
  const { bank, input, estate } = o.run;
  const test = steps.testQuery;
  const query = await o.acts.dbChange.requestOnboardingTestQuery({ code: bank.code, query: test, proof });
  await done(query.command, 'treasury', query, { testQuery: null });
  const desk = { dbQueue: estate.taskQueues.db, bank: bank.code };
  const asked = await awaitAnswers(desk, o.testPrefix, [test], input.waitSeconds);
  const answer = asked.answers.get(test.queryId) ?? null;
  const status = testMessageStatus(answer !== null, asked.sent);
  const testMessage = { queryId: test.queryId, voucherNo: test.voucherNo, status, answer };
  return { testMessage, channels: await o.acts.mq.newBankChannels({ bank }) };
}

/** Writes the bank's file into the added banks' folder, from where the workers, the inspection and the schedules read it. */
export async function registerBankFile(o: Onboarding, { proof, done }: Changing) {
  const { path, content } = o.bankFile;
  const registered = await o.acts.registryChange.registerBank({
    code: o.run.bank.code,
    path,
    content,
    proof,
  });
  await done(
    `写入 ${path}`,
    path,
    {
      detail: registered.alreadyDone ? '文件已存在且内容一致' : '已写入',
      alreadyDone: registered.alreadyDone,
    },
    { file: null },
  );
  return registered;
}

/** Which zones' workers now resolve the bank: the runbooks worker (estate) and the comm worker. */
export async function estateSees(o: Onboarding): Promise<string[]> {
  const { bank } = o.run;
  const seen: string[] = [];
  if ((await o.acts.control.describeEstate()).banks.some((b) => b.code === bank.code)) seen.push('runbooks');
  try {
    await o.acts.commLookup.probeFrontEnd({ bank: bank.code });
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

/** Polls until `ok` holds or the run's wait is over; returns the last reading. */
async function waitFor<T>(o: Onboarding, read: () => Promise<T>, ok: (t: T) => boolean): Promise<T> {
  const deadline = Date.now() + o.run.input.waitSeconds * 1000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() >= deadline) return value;
    await sleep(pollEvery);
  }
}
