/**
 * 日常巡检 — the daily inspection of the communications estate [contract 2.1.1–4, 2.2.2].
 * Per bank, in parallel with a bounded concurrency: channel status both directions,
 * transmission-queue and dead-letter depth, front-end reachability, send/receive programs,
 * and the day's traffic by kind against the treasury database. Ends with a traffic-light
 * report in Chinese; every finding names the runbook that fixes it.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  log,
  ParentClosePolicy,
  patched,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCalendarActivities } from '../activities/calendar.ts';
import type { createControlActivities } from '../activities/control.ts';
import { dateInZone } from '../domain/calendar/dates.ts';
import { parseInput, invalidInput } from '../domain/errors.ts';
import {
  dailyInspectionInputSchema,
  type BankInspection,
  type DailyInspectionInput,
  type DailyInspectionResult,
  type InspectionProgress,
  type InspectionSkip,
  type StartedFollowUp,
} from '../domain/runbooks/daily-inspection.types.ts';
import { dailyInspectionReport } from '../domain/runbooks/daily-inspection.report.ts';
import { futureDateProblems, unknownBankProblems } from '../domain/runbooks/input-estate.ts';
import { assessBank, worst, type Thresholds } from './daily-inspection.assess.ts';
import { calendarFindings } from './daily-inspection.calendar.ts';
import { inspectBank, inspectInBulk, lookers, type Look } from './daily-inspection.look.ts';
import { followUpsFor, type FollowUp } from './daily-inspection.follow-up.ts';
import { mapWithConcurrency } from '../domain/concurrency.ts';
import { worstOf } from '../domain/runbooks/subsystem-health.assess.ts';
import { defaultWorkThresholds, type SubsystemHealth } from '../domain/runbooks/subsystem-health.types.ts';
import { answerProgress } from './shared/progress.ts';
import { inspectSubsystems, subsystemLookers } from './shared/subsystem-looks.ts';
import { readActivities, recordActivities } from './shared/retry-profiles.ts';
import { countFindings } from './shared/run-metrics.ts';
import { BankCodeKey, LightKey, OutcomeKey, RunbookKey } from './shared/search-attributes.ts';

type Calendar = ReturnType<typeof createCalendarActivities>;
type Control = ReturnType<typeof createControlActivities>;

export async function dailyInspection(rawInput: DailyInspectionInput = {}): Promise<DailyInspectionResult> {
  const input = parseInput(dailyInspectionInputSchema, rawInput);
  const { workflowId } = workflowInfo();
  const control = readActivities<Control>();
  const estate = await control.describeEstate();
  const today = dateInZone(new Date(), estate.timezone);
  const banks = selectBanks(input, estate.banks, today);
  const date = input.date ?? today;
  const startedAt = new Date().toISOString();
  // Runs recorded before the calendar check replay without it.
  const siteFindings = patched('calendar-coverage')
    ? calendarFindings(date, await readActivities<Calendar>().calendarYears())
    : [];
  const progress = trackInspection(banks.length);
  upsertSearchAttributes([
    { key: RunbookKey, value: 'daily-inspection' },
    { key: BankCodeKey, value: banks.map((b) => b.code) },
  ]);

  const look = { ...lookers(estate.taskQueues), date, skip: new Set<InspectionSkip>(input.skip) };
  const inspected = await inspectAll(banks, look, estate, progress);
  // Runs begun before the subsystem section replay without it.
  const subsystems =
    patched('inspection-subsystems') && !look.skip.has('subsystems')
      ? await subsystemSection(estate.taskQueues)
      : undefined;
  const findings = inspected.flatMap((b) => b.findings);
  countFindings(findings);
  const light = worst([
    ...inspected.map((b) => b.light),
    ...siteFindings.map((f) => f.light),
    ...(subsystems ? [worstOf(subsystems)] : []),
  ]);
  const summary: Omit<DailyInspectionResult, 'report'> = {
    runbook: 'daily-inspection',
    workflowId,
    site: estate.site,
    date,
    startedAt,
    finishedAt: new Date().toISOString(),
    light,
    banks: inspected,
    findings,
    siteFindings,
    skipped: [...look.skip],
    ...(subsystems && { subsystems }),
    followUps: [],
  };
  summary.followUps = await startFollowUps(followUpsFor(findings, estate.followUp, date));
  const report = await recordActivities<Control>().writeInspectionReport({
    date,
    workflowId,
    markdown: dailyInspectionReport(summary, estate.timezone),
  });
  const found = findings.length + siteFindings.length + (subsystems?.flatMap((h) => h.findings).length ?? 0);
  upsertSearchAttributes([
    { key: OutcomeKey, value: found === 0 ? 'healthy' : 'findings' },
    { key: LightKey, value: light },
  ]);
  log.info('Inspection finished', { date, light, findings: found });
  return { ...summary, report };
}

/** Every subsystem the site declares, looked at and judged with the thresholds' defaults (subsystem-health's looks). */
async function subsystemSection(queues: { comm: string; db: string }): Promise<SubsystemHealth[]> {
  const looks = subsystemLookers(queues);
  const { expected } = await looks.comm.describeSubsystems({});
  return inspectSubsystems(looks, expected, defaultWorkThresholds);
}

/** The progress query's answer, kept as each bank's inspection starts and ends. */
function trackInspection(total: number) {
  const progress: InspectionProgress = { total, done: 0, running: [], findings: 0 };
  answerProgress(() => ({
    runbook: 'daily-inspection',
    step: progress.done < progress.total ? 'inspecting' : 'reporting',
    banks: { done: progress.done, total: progress.total },
    detail: progress,
  }));
  return {
    /** Shows the banks' inspections as running. */
    started(banks: string[]): void {
      progress.running.push(...banks);
    },
    /** Counts an assessed bank and its findings as done. */
    finished(assessed: BankInspection): BankInspection {
      progress.running = progress.running.filter((c) => c !== assessed.bank);
      progress.done += 1;
      progress.findings += assessed.findings.length;
      return assessed;
    },
  };
}

/** Every bank inspected and assessed: in bulk, or one bank at a time as runs recorded before the bulk looks replay. */
async function inspectAll(
  banks: { code: string; name: string }[],
  look: Look,
  estate: { concurrency: number; thresholds: Thresholds },
  progress: ReturnType<typeof trackInspection>,
): Promise<BankInspection[]> {
  const assess = (b: BankInspection) => progress.finished(assessBank(b, estate.thresholds));
  if (patched('inspection-in-bulk')) {
    progress.started(banks.map((b) => b.code));
    return inspectInBulk(banks, look, estate.concurrency, assess);
  }
  return mapWithConcurrency(banks, estate.concurrency, async (bank) => {
    progress.started([bank.code]);
    return assess(await inspectBank(bank, look));
  });
}

/** Starts each follow-up as an independent run (it outlives the inspection); a running one is left be. */
async function startFollowUps(followUps: FollowUp[]): Promise<StartedFollowUp[]> {
  const started: StartedFollowUp[] = [];
  for (const f of followUps) {
    try {
      await startChild(f.workflowType, {
        workflowId: f.workflowId,
        args: [f.input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started.push({ runbook: f.runbook, bank: f.bank, workflowId: f.workflowId, status: 'started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      started.push({ runbook: f.runbook, bank: f.bank, workflowId: f.workflowId, status: 'already-running' });
    }
  }
  return started;
}

/** The banks to inspect (the input's, or every configured bank); an unknown code or a future date is bad input. */
function selectBanks(
  input: { banks?: string[]; date?: string },
  configured: { code: string; name: string }[],
  today: string,
): { code: string; name: string }[] {
  const known = new Map(configured.map((b) => [b.code, b]));
  const problems = [
    ...unknownBankProblems('input.banks', input.banks, [...known.keys()]),
    ...futureDateProblems({ date: input.date }, today),
  ];
  if (problems.length > 0) throw invalidInput(problems);
  return input.banks
    ? input.banks.map((code) => known.get(code) as { code: string; name: string })
    : configured;
}
