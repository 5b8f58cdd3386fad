/**
 * The frame the bank-side checks share (receipts, voids, refunds): opening a run (input checked
 * against the estate, progress, search attributes, run-started in the audit trail), applying the
 * approved finance-side changes one by one with an audit record each — stopping with the
 * evidence when a record has moved under the run — and closing it with the report and outcome.
 * The runbooks themselves stay the story: look, ask the bank, judge, plan, approve, act, verify.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBankCheckActivities } from '../../activities/bank-checks/index.ts';
import type { createControlActivities, EstateDescription } from '../../activities/control.ts';
import type { GateOutcome } from '../../domain/approvals/gate-types.ts';
import type { PlannedChange } from '../../domain/bank-checks/finance-plan.ts';
import type { MutationResult } from '../../domain/bank-checks/types.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { ErrorKind } from '../../domain/errors.ts';
import type { ReportRun } from '../../domain/reports/runbook-report.ts';
import type { InspectionReportFiles } from '../../domain/runbooks/daily-inspection.types.ts';
import { progressQuery } from './progress.ts';
import { mutation, readOnly } from './retry-profiles.ts';
import type { RunRequester } from './requester.ts';
import { createRunRecord, type RunRecord } from './run-record.ts';
import { writeRunReport } from './run-report.ts';
import { announceRun, estateBank } from './runbook-opening.ts';
import { OutcomeKey } from './search-attributes.ts';

type Control = ReturnType<typeof createControlActivities>;
type BankChecks = ReturnType<typeof createBankCheckActivities>;

export interface BankCheckRun {
  runbook: string;
  workflowId: string;
  runLink: string;
  startedAt: string;
  estate: EstateDescription;
  bank: { code: string; name: string };
  /** The run's business date: the input's, or today in the site's time zone. */
  date: string;
  record: RunRecord;
  /** Who asked for the run, as its opening established it. */
  requester: RunRequester;
  control: Control;
  /** Read-only looks on the db zone. */
  look: BankChecks;
  /** Changes on the db zone: guarded, keyed, bounded retries. */
  change: BankChecks;
  step(name: string): void;
}

export async function openBankCheckRun(
  runbook: string,
  input: { bank: string; requestedBy: string; date?: string },
  started: unknown,
): Promise<BankCheckRun> {
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const control = proxyActivities<Control>(readOnly());
  const { estate, bank } = await estateBank(control, input.bank, { date: input.date });
  const date = input.date ?? dateInZone(new Date(), estate.timezone);
  const record = createRunRecord(runbook);
  let step = 'diagnosing';
  setHandler(progressQuery, () => ({ runbook, step, detail: { bank: bank.code, date } }));
  const requester = await announceRun(record, { runbook, bankCodes: [bank.code], input, started });
  return {
    runbook,
    workflowId,
    runLink: `${estate.runLinkBase}${encodeURIComponent(workflowId)}`,
    startedAt,
    estate,
    bank,
    date,
    record,
    requester,
    control,
    look: proxyActivities<BankChecks>({ ...readOnly(), taskQueue: estate.taskQueues.db }),
    change: proxyActivities<BankChecks>({ ...mutation(), taskQueue: estate.taskQueues.db }),
    step: (name) => {
      step = name;
    },
  };
}

export interface Applied {
  results: (MutationResult & { change: PlannedChange; at: string })[];
  /** Set when a change met records other than the plan's: nothing after it was applied. */
  stopped?: { change: PlannedChange; message: string; details: unknown };
}

/** Applies the approved changes in order, auditing each; stops at the first that meets a moved record. */
export async function applyChanges(
  run: BankCheckRun,
  approval: GateOutcome,
  changes: PlannedChange[],
): Promise<Applied> {
  const applied: Applied = { results: [] };
  for (const [i, change] of changes.entries()) {
    let result: MutationResult;
    try {
      result = await run.change.applyMutation({
        bank: run.bank.code,
        mutation: change.mutation,
        proof: approval.proof,
      });
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === ErrorKind.UnexpectedState) {
        applied.stopped = { change, message: cause.message, details: cause.details?.[0] ?? null };
        break;
      }
      throw err;
    }
    applied.results.push({ ...result, change, at: new Date().toISOString() });
    await run.record.audit({
      kind: 'mutation',
      actor: 'system',
      subject: `${run.bank.code}/${'receiptNo' in change.mutation ? change.mutation.receiptNo : 'refundNo' in change.mutation ? change.mutation.refundNo : change.mutation.voucherNo}`,
      payload: {
        action: change.mutation.kind,
        target: 'treasury',
        statements: result.statements,
        rows: result.rows,
        alreadyDone: result.alreadyDone,
        before: result.before,
        after: result.after,
        approvedBy: approval.votes.map((v) => v.user),
        planDigest: approval.planDigest,
      },
      key: `mutation/${approval.gateId}/${i}`,
    });
  }
  return applied;
}

/** Tells people about what the run could not settle and records it as an escalation. */
export async function escalate(
  run: BankCheckRun,
  title: string,
  lines: string[],
  payload: Record<string, unknown>,
) {
  await run.record.notify({
    kind: 'run-escalated',
    title,
    lines,
    bankCodes: [run.bank.code],
    link: run.runLink,
    key: 'escalated',
  });
  await run.record.audit({
    kind: 'escalation',
    actor: 'system',
    subject: `${run.bank.code}/${run.date}`,
    payload,
    key: 'escalated',
  });
}

export async function notifyFailed(run: BankCheckRun, title: string, err: unknown) {
  await run.record.notify({
    kind: 'run-failed',
    title,
    lines: [String((err as Error).message ?? err)],
    bankCodes: [run.bank.code],
    link: run.runLink,
    key: 'failed',
  });
}

/** Writes the report, records the outcome and waits for in-flight handlers; returns the files. */
export async function closeBankCheckRun(
  run: BankCheckRun,
  requestedBy: string,
  ended: { outcome: string; why: string },
  report: (reportRun: ReportRun) => string,
): Promise<InspectionReportFiles> {
  run.step('reporting');
  upsertSearchAttributes([{ key: OutcomeKey, value: ended.outcome }]);
  const about = {
    runbook: run.runbook,
    workflowId: run.workflowId,
    requestedBy,
    startedAt: run.startedAt,
    timeZone: run.estate.timezone,
  };
  const files = await writeRunReport(run.control, about, report);
  await run.record.audit({
    kind: 'outcome',
    actor: 'system',
    subject: `${run.bank.code}/${run.date}`,
    payload: { result: ended.outcome, why: ended.why, report: files },
    key: 'outcome',
  });
  await condition(allHandlersFinished);
  return files;
}
