/**
 * The one shape of a runbook (README "Design"): its main function opens the run (`openRun`), does
 * its work holding its lock (`holdingLock`) as named steps — diagnose, plan, `approve`, execute,
 * verify — and closes the run with its report (`closeRun`). The run is the context every step
 * takes: the input, the estate and the bank, the run's record and gate, the plans it showed and
 * the decisions it got. Runs in flight replay against these helpers: the commands they issue, in
 * their order, and the keys they write must not change (test/histories/replay.test.ts).
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createControlActivities, EstateDescription } from '../../activities/control.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import type { ApprovalPlan, GateOutcome } from '../../domain/approvals/gate-types.ts';
import type { HandDecisionView } from '../../domain/approvals/hand-decision.ts';
import { ErrorKind } from '../../domain/errors.ts';
import { abortedReport } from '../../domain/reports/aborted-report.ts';
import type { ReportRun } from '../../domain/reports/runbook-report.ts';
import type { InspectionReportFiles } from '../../domain/runbooks/daily-inspection.types.ts';
import { createApprovalGate, type ApprovalGate } from './approval-gate.ts';
import { acquireLock, type HeldLock } from './locks.ts';
import { abortDecision, createOperatorHand, isRunAborted, type OperatorHand } from './operator-hand.ts';
import { answerProgress, type Tally } from './progress.ts';
import type { RunRequester } from './requester.ts';
import { readActivities, type ReadProxy } from './retry-profiles.ts';
import { createRunRecord, type RunRecord } from './run-record.ts';
import { writeRunReport } from './run-report.ts';
import { announceRun, estateBank } from './runbook-opening.ts';
import { OutcomeKey } from './search-attributes.ts';

type Control = ReturnType<typeof createControlActivities>;

/** What a run is about: the estate as the workers see it, and the bank it works on. */
export interface Found {
  estate: EstateDescription;
  bank: { code: string; name: string };
  /** The banks a run about many banks works on (its search attribute and notices); default the bank. */
  bankCodes?: string[];
}

/** A plan the run showed (in a dry run, the plan it would have asked approval for). */
export interface ShownPlan {
  step: string;
  plan: ApprovalPlan;
  planDigest: string;
}

export interface RunbookRun<I> extends Found {
  runbook: string;
  bankCodes: string[];
  input: I;
  workflowId: string;
  /** The moment the run began, before its first activity: where its report is filed. */
  startedAt: string;
  runLink: string;
  record: RunRecord;
  requester: RunRequester;
  /** Every plan shown and every decision at the gate, in order (`approve` keeps them). */
  plans: ShownPlan[];
  approvals: GateOutcome[];
  /** Names the step the progress query shows. */
  step(name: string): void;
  /** How many vouchers the run has done of how many, for the progress query. */
  vouchers(tally: Tally): void;
  /** The key of a record the run writes once (`outcome`, `escalated`…), unique within the run. */
  key(what: string): string;
  /** Who asked for the run: its requester, or the claimant once claimed. */
  requestedBy(): string;
  /** The operator's hand: its named steps pause and ask instead of failing the run. */
  hand: OperatorHand;
}

export interface GatedRun<I> extends RunbookRun<I> {
  gate: ApprovalGate;
}

export interface Opening<I, F extends Found> {
  runbook: string;
  input: I & { requestedBy: string };
  /** The run's argument exactly as received (a start assertion digests it). */
  started: unknown;
  /** Finds the estate and the bank; by default the input's bank, with `dates` refused when after today. */
  find?: (control: ReadProxy<Control>) => Promise<F>;
  dates?: Record<string, string | undefined>;
  /** The progress query's first step and its detail besides the bank. */
  firstStep: string;
  detail?: (found: F) => Record<string, unknown>;
  /** The subject of the run-started record; the bank code when omitted. */
  subject?: string;
  /** Prefixes the keys of the run's own records (a runbook whose records predate run-scoped keys names its run here). */
  keyPrefix?: string;
}

/**
 * Opens the run: finds what it is about, answers the progress query, establishes and records who
 * asked for it (announceRun), and opens its approval gate — unless `gate: false`, for a runbook
 * that changes nothing an approver must see.
 */
export function openRun<I, F extends Found = Found>(
  opening: Opening<I, F> & { gate: false },
): Promise<RunbookRun<I> & F>;
export function openRun<I, F extends Found>(
  opening: Opening<I, F> & Required<Pick<Opening<I, F>, 'find'>>,
): Promise<GatedRun<I> & F>;
export function openRun<I extends { bank?: string }, F extends Found = Found>(
  opening: Opening<I, F>,
): Promise<GatedRun<I> & F>;
export async function openRun<I, F extends Found>(
  opening: Opening<I & { bank?: string }, F> & { gate?: false },
): Promise<RunbookRun<I> & F & { gate?: ApprovalGate }> {
  const { runbook, input, keyPrefix = '' } = opening;
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const control = readActivities<Control>();
  const found = opening.find
    ? await opening.find(control)
    : ((await estateBank(control, input.bank ?? '', opening.dates)) as F);
  const { estate, bank } = found;
  const bankCodes = found.bankCodes ?? [bank.code];
  let step = opening.firstStep;
  let vouchers: Tally | undefined;
  answerProgress(() => ({
    runbook,
    step,
    ...(vouchers && { vouchers }),
    detail: { bank: bank.code, ...opening.detail?.(found) },
  }));
  const record = createRunRecord(runbook);
  const requester = await announceRun(record, {
    runbook,
    bankCodes,
    input,
    started: opening.started,
    ...(opening.subject !== undefined && { subject: opening.subject }),
    key: `${keyPrefix}run-started`,
  });
  const gate =
    opening.gate === false
      ? undefined
      : createApprovalGate({ runbook, requester, bankCodes: noticeBanks(bankCodes), record });
  const requestedBy = () => gate?.requestedBy() ?? requester.user;
  const hand = createOperatorHand({
    runbook,
    record,
    bankCodes: noticeBanks(bankCodes),
    requestedBy,
    progress: {
      now: () => step,
      set: (name) => {
        step = name;
      },
    },
  });
  return {
    ...found,
    runbook,
    bankCodes,
    input,
    workflowId,
    startedAt,
    runLink: `${estate.runLinkBase}${encodeURIComponent(workflowId)}`,
    record,
    requester,
    plans: [],
    approvals: [],
    step: (name) => {
      step = name;
    },
    vouchers: (tally) => {
      vouchers = tally;
    },
    key: (what) => `${keyPrefix}${what}`,
    requestedBy,
    hand,
    ...(gate && { gate }),
  };
}

/**
 * Runs `body` holding the lock `lock/<kind>/<name>`: one run per resource at a time. A failure
 * (the lock held by another run included) is told to the people (`run-failed`, titled `failed`)
 * and thrown; the lock is released either way. An operator's abort at a paused step runs the
 * compensations still pending while the lock is held, closes the run with its report, and ends
 * it as aborted (`RunAborted`, the report's files in its details).
 */
export async function holdingLock<T>(
  run: RunbookRun<unknown>,
  [kind, name]: [kind: string, name: string],
  failed: string,
  body: () => Promise<T>,
): Promise<T> {
  let lock: HeldLock | undefined;
  try {
    lock = await acquireLock(kind, name);
    return await body();
  } catch (err) {
    if (isRunAborted(err)) throw await closeAborted(run, abortDecision(err));
    await run.record.notify({
      kind: 'run-failed',
      title: failed,
      lines: [String((err as Error).message ?? err)],
      bankCodes: noticeBanks(run.bankCodes),
      link: run.runLink,
      key: run.key('failed'),
    });
    throw err;
  } finally {
    await lock?.release();
  }
}

/** Undoes what the run changed (its pending compensations), reports the abort, and gives the failure that ends the run. */
async function closeAborted(
  run: RunbookRun<unknown>,
  decision: HandDecisionView,
): Promise<ApplicationFailure> {
  const compensations = await run.hand.unwind();
  const report = await closeRun(
    run,
    {
      outcome: 'aborted',
      subject: decision.step,
      payload: {
        abortedBy: decision.user,
        reason: decision.reason ?? null,
        step: decision.step,
        compensations,
      },
    },
    (r) =>
      abortedReport(r, {
        runbook: run.runbook,
        decision,
        compensations,
        ...lastPlan(run),
        votes: run.approvals.flatMap((a) => a.votes),
      }),
  );
  return ApplicationFailure.create({
    type: ErrorKind.RunAborted,
    nonRetryable: true,
    message: `运行已中止 / Run aborted by ${decision.user} at step ${decision.step}: ${decision.reason ?? ''}`,
    details: [{ ...decision, compensations, report }],
  });
}

/** The banks a notice names: all of them, or none (meaning the estate) when more than a notice may list. */
export function noticeBanks(codes: string[]): string[] {
  return codes.length <= maxNoticeBanks ? codes : [];
}
const maxNoticeBanks = 100;

/** An approval the run may act on. */
export type Approved = GateOutcome & { outcome: 'approved' };
/** Why a plan was not approved: a dry run stops at its plan; an approver refused it; nobody decided in time. */
export type NotApproved = 'planned' | 'rejected' | 'expired';

/** Shows the plan at the gate's `step` (kept on the run either way); a dry run ends there. */
export async function approve(
  run: GatedRun<{ dryRun: boolean }>,
  step: string,
  plan: ApprovalPlan,
): Promise<Approved | NotApproved> {
  run.plans.push({ step, plan, planDigest: planDigest(plan) });
  if (run.input.dryRun) return 'planned';
  run.step(`awaiting-approval:${step}`);
  const outcome = await run.gate.request(step, plan);
  run.approvals.push(outcome);
  return outcome.outcome === 'approved' ? { ...outcome, outcome: 'approved' } : outcome.outcome;
}

/** The last plan shown, with its digest, for a result or a report (none: no plan was made). */
export function lastPlan(run: RunbookRun<unknown>): { plan?: ApprovalPlan; planDigest?: string } {
  const shown = run.plans.at(-1);
  return shown ? { plan: shown.plan, planDigest: shown.planDigest } : {};
}

/** What the people are told, and the audit trail records, when a run stops for a person. */
export interface Escalation {
  title: string;
  lines: string[];
  /** The audit record's subject and payload: the evidence. */
  subject: string;
  payload: unknown;
}

export async function notifyEscalation(run: RunbookRun<unknown>, e: Escalation): Promise<void> {
  await run.record.notify({
    kind: 'run-escalated',
    title: e.title,
    lines: e.lines,
    bankCodes: noticeBanks(run.bankCodes),
    link: run.runLink,
    key: run.key('escalated'),
  });
}

export async function auditEscalation(run: RunbookRun<unknown>, e: Escalation): Promise<void> {
  await run.record.audit({
    kind: 'escalation',
    actor: 'system',
    subject: e.subject,
    payload: e.payload,
    key: run.key('escalated'),
  });
}

/** Stops for a person: tells the people, then records the evidence. */
export async function escalate(run: RunbookRun<unknown>, e: Escalation): Promise<void> {
  await notifyEscalation(run, e);
  await auditEscalation(run, e);
}

/** How a run ended, as its outcome record says it. */
export interface RunEnd {
  outcome: string;
  /** The outcome record's subject. */
  subject: string;
  /** What the outcome record says besides the result and the report's files. */
  payload: Record<string, unknown>;
}

/**
 * Closes the run: its outcome as a search attribute, its report (the runbook's report module,
 * `markdown`), the outcome in the audit trail, then `after` (a notice that needs the report), and
 * waits for handlers still running. Returns the report's files.
 */
export async function closeRun(
  run: RunbookRun<unknown>,
  end: RunEnd,
  markdown: (reportRun: ReportRun) => string,
  after?: () => Promise<void>,
): Promise<InspectionReportFiles> {
  run.step('reporting');
  upsertSearchAttributes([{ key: OutcomeKey, value: end.outcome }]);
  const hand = run.hand.history();
  const about = {
    runbook: run.runbook,
    workflowId: run.workflowId,
    requestedBy: run.requestedBy(),
    startedAt: run.startedAt,
    timeZone: run.estate.timezone,
    ...(hand.length > 0 && { hand }),
  };
  const files = await writeRunReport(about, markdown);
  await run.record.audit({
    kind: 'outcome',
    actor: 'system',
    subject: end.subject,
    payload: { result: end.outcome, ...end.payload, report: files },
    key: run.key('outcome'),
  });
  await after?.();
  await condition(allHandlersFinished);
  return files;
}
