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
import { planDigest } from '../domain/approvals/decision.ts';
import { parseInput } from '../domain/errors.ts';
import {
  baseDataUnverified,
  needsPeople,
  notApprovedWhy,
  registeredEnd,
  testMessageUnverified,
  unstablePlan,
  type OnboardingEnd,
} from '../domain/runbooks/add-agent-bank.outcome.ts';
import { assessReadiness } from '../domain/runbooks/add-agent-bank.plan.ts';
import { addAgentBankOutcomeLabel, addAgentBankReport } from '../domain/runbooks/add-agent-bank.report.ts';
import {
  addAgentBankInputSchema,
  type AddAgentBankInput,
  type AddAgentBankResult,
  type OnboardingSurvey,
  type TreasurySteps,
} from '../domain/runbooks/add-agent-bank.types.ts';
import {
  changing,
  defineChannel,
  estateSees,
  findEstate,
  openOnboarding,
  planFor,
  pushBaseData,
  registerBankFile,
  registerTreasury,
  sendTestMessage,
  surveyEstate,
  type Onboarding,
} from './add-agent-bank.steps.ts';
import {
  approve,
  closeRun,
  escalate,
  holdingLock,
  lastPlan,
  openRun,
  type Approved,
} from './shared/runbook-run.ts';

const runbook = 'add-agent-bank';
/** How often the plan may change under an engineer's feet before the run stops and says so. */
const maxPlanRounds = 3;

/** How a run ended, with what it saw and what its changes gave; `seenBy` goes to the report only. */
type Ended = OnboardingEnd &
  Pick<AddAgentBankResult, 'survey' | 'baseData' | 'testMessage' | 'channels' | 'registered'> & {
    seenBy?: string[];
  };

export async function addAgentBank(rawInput: AddAgentBankInput): Promise<AddAgentBankResult> {
  const input = parseInput(addAgentBankInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => findEstate(control, input),
    firstStep: 'surveying',
  });
  const { bank } = run;
  const o = await openOnboarding(run);
  const failed = `新增代理银行失败：${bank.name}（${bank.code}）`;
  const { seenBy = [], ...ended } = await holdingLock(run, ['bank', bank.code], failed, async () => {
    const end = await onboard(o);
    if (needsPeople(end.outcome))
      await escalate(run, {
        title: `新增代理银行需处理：${bank.name}（${bank.code}）— ${addAgentBankOutcomeLabel[end.outcome]}`,
        lines: end.why,
        subject: bank.code,
        payload: { outcome: end.outcome, why: end.why, survey: end.survey },
      });
    return end;
  });
  const approval = run.approvals.at(-1);
  const facts = { ...ended, ...lastPlan(run), ...(approval && { approval }), actions: o.actions };
  const files = await closeRun(
    run,
    { outcome: ended.outcome, subject: bank.code, payload: { why: ended.why } },
    (report) => addAgentBankReport(report, { ...facts, bank, seenBy }),
  );
  return { runbook, workflowId: run.workflowId, bank: bank.code, ...facts, report: files };
}

/**
 * Survey, judge, plan, approve, look again, execute — planning again (at most `maxPlanRounds`
 * times) when what the second look calls for is not the plan that was approved.
 */
async function onboard(o: Onboarding): Promise<Ended> {
  let survey = await surveyEstate(o);
  for (let round = 1; round <= maxPlanRounds; round++) {
    const readiness = assessReadiness(o.run.bank, survey);
    if (readiness.kind !== 'ready') return { outcome: readiness.kind, why: readiness.why, survey };
    const planned = planFor(o, survey, readiness.notes);
    const approval = await approve(o.run, 'execute', planned.plan);
    if (typeof approval === 'string') return { outcome: approval, why: [notApprovedWhy[approval]], survey };
    // Look again before leaping: act only on the plan that was approved.
    o.run.step('checking');
    survey = await surveyEstate(o);
    const again = assessReadiness(o.run.bank, survey);
    if (again.kind === 'ready' && planDigest(planFor(o, survey, again.notes).plan) === approval.planDigest)
      return execute(o, planned.steps, approval, survey);
  }
  return { ...unstablePlan(maxPlanRounds), survey };
}

/**
 * The approved changes, in order, each verified before the next: the channel defined and started,
 * the bank in the treasury, its base data acknowledged, the test message answered, its file
 * written and seen by every zone's workers.
 */
async function execute(
  o: Onboarding,
  steps: TreasurySteps,
  approval: Approved,
  survey: OnboardingSurvey,
): Promise<Ended> {
  const { input, step } = o.run;
  const c = changing(o, approval);
  step('defining');
  await defineChannel(o, c, survey);
  step('registering-treasury');
  await registerTreasury(o, steps, c, survey);
  step('pushing-base-data');
  const baseData = await pushBaseData(o, steps, c, survey);
  const unacked = baseDataUnverified(baseData, input.waitSeconds);
  if (unacked) return { ...unacked, survey, baseData };
  step('test-message');
  const tested = await sendTestMessage(o, steps, c);
  const unanswered = testMessageUnverified(
    o.run.bank,
    tested.testMessage,
    tested.channels.receiver,
    input.waitSeconds,
  );
  if (unanswered) return { ...unanswered, survey, baseData, ...tested };
  step('registering');
  const registered = await registerBankFile(o, c);
  step('verifying');
  const seenBy = await estateSees(o);
  return { ...registeredEnd(o.run.bank, seenBy), survey, baseData, ...tested, registered, seenBy };
}
