/**
 * 年终结转 — the year-end rollover (catalog item 11, contract 1.9 and 5.5), multi-day: pre-checks of
 * every bank until all are green at the close of the year's last working day; ⚑ the freeze — the
 * old year frozen, each bank's quota cancellation (额度注销) sent, every voucher unpaid at close
 * carried over or returned by the site's policy; each bank's confirmation waited for with matching
 * totals (a child workflow per bank reminds and escalates the silent); a durable sleep to the
 * opening; ⚑ the opening — the new year prepared (its row, serials restarted per bank and
 * direction, base data confirmed by each bank), opened, and each bank's quota restoration (额度恢复)
 * sent and confirmed; then the report. Every change is made right after the approval that listed
 * it, on that approval's proof. The fiscal year is locked (lock/fiscal-year/<year>) for the run.
 */
import type { createCalendarActivities } from '../activities/calendar.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createYearEndBookActivities } from '../activities/year-end-books.ts';
import { invalidInput, parseInput } from '../domain/errors.ts';
import { unknownBankProblems } from '../domain/runbooks/input-estate.ts';
import { runbook } from '../domain/runbooks/year-end-rollover.plan.ts';
import { yearEndReport } from '../domain/runbooks/year-end-rollover.report.ts';
import {
  yearEndRolloverInputSchema,
  type YearEndInput,
  type YearEndOutcome,
  type YearEndRolloverInput,
  type YearEndRolloverResult,
} from '../domain/runbooks/year-end-rollover.types.ts';
import { preCheckUntilFreeze, type PreChecks } from './year-end-rollover.checks.ts';
import {
  approveFreeze,
  approveOpening,
  bankAnswers,
  carryOver,
  fileNotices,
  freeze,
  openNewYear,
  prepareNewYear,
  sleepUntil,
  type YearEnd,
  type YearFound,
} from './year-end-rollover.steps.ts';
import { readActivities, type ReadProxy } from './shared/retry-profiles.ts';
import { closeRun, holdingLock, openRun } from './shared/runbook-run.ts';

type Control = ReturnType<typeof createControlActivities>;
type Calendar = ReturnType<typeof createCalendarActivities>;
type Books = ReturnType<typeof createYearEndBookActivities>;

export async function yearEndRollover(rawInput: YearEndRolloverInput): Promise<YearEndRolloverResult> {
  const input = parseInput(yearEndRolloverInputSchema, rawInput);
  const checks: PreChecks = { rounds: [], count: 0 };
  const run = await openRun<YearEndInput & { bank?: undefined }, YearFound>({
    runbook,
    input,
    started: rawInput,
    find: (control) => findYear(control, input),
    firstStep: 'pre-checks',
    detail: (found) => ({ fiscalYear: input.fiscalYear, times: found.times, waiting: checks.waiting }),
    subject: `FY${input.fiscalYear}`,
  });
  const y: YearEnd = { run, checks, cancellations: [], carryOver: [], newYear: [], restorations: [] };
  const lock: [string, string] = ['fiscal-year', String(input.fiscalYear)];
  const outcome = await holdingLock(run, lock, `年终结转失败：${input.fiscalYear} 年度`, () => rollOver(y));
  const report = await closeRun(
    run,
    { outcome, subject: `FY${input.fiscalYear}`, payload: { banks: run.bankCodes.length } },
    (r) => yearEndReport(r, { ...facts(y), outcome, plans: run.plans, approvals: run.approvals }),
  );
  return { runbook, workflowId: run.workflowId, outcome, ...facts(y), approvals: run.approvals, report };
}

/** The stages, in the order of the paper procedure; a step that fails or finds what it did not expect pauses and asks. */
async function rollOver(y: YearEnd): Promise<YearEndOutcome> {
  const { run } = y;
  const { hand } = run;
  await preCheckUntilFreeze({ run, banks: run.bankCodes, checks: y.checks }, run.times.freezeAt);
  const freezing = await approveFreeze(y);
  if (typeof freezing === 'string') return freezing;
  await hand.step('freeze', () => freeze(y, freezing.approval));
  await hand.step('file-cancellations', () => fileNotices(y, freezing.approval, freezing.cancellations));
  const cancelled = bankAnswers(y, 'cancellation', freezing.cancellations);
  await hand.step('carry-over', () => carryOver(y, freezing.approval, freezing.policy));
  y.cancellations = await cancelled;

  await sleepUntil(run, 'awaiting-opening', run.times.openAt);
  const opening = await approveOpening(y);
  if (typeof opening === 'string') return opening;
  await hand.step('new-year', () => prepareNewYear(y, opening.approval));
  await hand.step('open', () => openNewYear(y, opening.approval));
  await hand.step('file-restorations', () => fileNotices(y, opening.approval, opening.restorations));
  y.restorations = await bankAnswers(y, 'restoration', opening.restorations);
  return 'rolled-over';
}

function facts(y: YearEnd) {
  return {
    fiscalYear: y.run.input.fiscalYear,
    banks: y.run.bankCodes,
    times: y.run.times,
    preChecks: y.checks.rounds,
    cancellations: y.cancellations,
    carryOver: y.carryOver,
    newYear: y.newYear,
    restorations: y.restorations,
  };
}

/**
 * Finds the estate, the banks and when the year freezes and opens — refusing, before anything is
 * recorded, an unknown bank, a year already closed (or unknown to the treasury database) and a
 * freeze at or after the opening.
 */
async function findYear(control: ReadProxy<Control>, input: YearEndInput): Promise<YearFound> {
  const estate = await control.describeEstate();
  const problems = unknownBankProblems(
    'input.banks',
    input.banks,
    estate.banks.map((b) => b.code),
  );
  if (problems.length > 0) throw invalidInput(problems);
  const banks = input.banks ? estate.banks.filter((b) => input.banks?.includes(b.code)) : estate.banks;
  const bankCodes = banks.map((b) => b.code);
  const { fiscalYear } = input;
  const year = await readActivities<Books>({ taskQueue: estate.taskQueues.db }).fiscalYearState({
    fiscalYear,
  });
  if (year.state === 'closed' || year.state === 'absent')
    throw invalidInput([
      `input.fiscalYear: ${fiscalYear} is ${year.state === 'closed' ? 'already closed' : 'not a fiscal year of the treasury database'}; only a year not yet closed can be rolled over`,
    ]);
  const times = await readActivities<Calendar>().yearEndTimes({
    fiscalYear,
    banks: bankCodes,
    ...(input.freezeAt && { freezeAt: input.freezeAt }),
    ...(input.openAt && { openAt: input.openAt }),
  });
  if (Date.parse(times.openAt) <= Date.parse(times.freezeAt))
    throw invalidInput([
      `${input.openAt ? 'input.openAt' : 'input.freezeAt'}: the year would freeze at ${times.freezeAt} (${times.freezeFrom}), not before it opens at ${times.openAt} (${times.openFrom})`,
    ]);
  const bank = { code: `FY${fiscalYear}`, name: `${fiscalYear} 年度` };
  return { estate, bank, bankCodes, banks, times };
}
