/**
 * What the bank-side checks share (receipts, voids, refunds): opening a run on the shared frame
 * (runbook-run.ts) with its business date and its activities on the db zone, and applying the
 * approved finance-side changes one by one with an audit record each — stopping with the evidence
 * when a record has moved under the run. The runbooks themselves stay the story: look, ask the
 * bank, judge, plan, approve, act, verify.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { createBankCheckActivities } from '../../activities/bank-checks/index.ts';
import type { GateOutcome } from '../../domain/approvals/gate-types.ts';
import { sqlCommand, type PlannedChange } from '../../domain/bank-checks/finance-plan.ts';
import type { MutationResult } from '../../domain/bank-checks/types.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { ErrorKind } from '../../domain/errors.ts';
import { approvedOn } from '../../domain/mutation-record.ts';
import { readActivities, writeActivities, type ReadProxy, type WriteProxy } from './retry-profiles.ts';
import { openRun, type GatedRun } from './runbook-run.ts';
import { estateBank } from './runbook-opening.ts';

type BankChecks = ReturnType<typeof createBankCheckActivities>;

/** The input fields every bank check has. */
export interface BankCheckInput {
  bank: string;
  requestedBy: string;
  date?: string;
  dryRun: boolean;
}

export interface BankCheckRun<I extends BankCheckInput = BankCheckInput> extends GatedRun<I> {
  /** The run's business date: the input's, or today in the site's time zone. */
  date: string;
  /** Read-only looks on the db zone. */
  look: ReadProxy<BankChecks>;
  /** Changes on the db zone: guarded, keyed, bounded retries. */
  change: WriteProxy<BankChecks>;
}

/** Opens a bank check: the input's bank and date (a date after today refused), its gate and record. */
export async function openBankCheck<I extends BankCheckInput>(
  runbook: string,
  input: I,
  started: unknown,
): Promise<BankCheckRun<I>> {
  const run = await openRun({
    runbook,
    input,
    started,
    firstStep: 'diagnosing',
    find: async (control) => {
      const found = await estateBank(control, input.bank, { date: input.date });
      return { ...found, date: input.date ?? dateInZone(new Date(), found.estate.timezone) };
    },
    detail: ({ date }) => ({ date }),
  });
  const db = run.estate.taskQueues.db;
  return {
    ...run,
    look: readActivities<BankChecks>({ taskQueue: db }),
    change: writeActivities<BankChecks>({ taskQueue: db }),
  };
}

export interface Applied {
  results: (MutationResult & { change: PlannedChange; at: string })[];
  /** Set when a change met records other than the plan's: nothing after it was applied. */
  stopped?: { change: PlannedChange; message: string; details: unknown };
}

/** Applies the approved changes in order, auditing each; stops at the first that meets a moved record. */
export async function applyChanges(
  run: Pick<BankCheckRun, 'bank' | 'date' | 'look' | 'change' | 'record' | 'vouchers'>,
  approval: GateOutcome,
  changes: PlannedChange[],
): Promise<Applied> {
  const applied: Applied = { results: [] };
  for (const [i, change] of changes.entries()) {
    run.vouchers({ done: i, total: changes.length });
    // A run over several banks (the official-card check) applies each change at its voucher's bank.
    const bank = change.voucher?.bank ?? run.bank.code;
    let result: MutationResult;
    try {
      result = await run.change.applyMutation({
        bank,
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
    await run.record.mutation(approvedOn(approval), {
      subject: `${bank}/${'receiptNo' in change.mutation ? change.mutation.receiptNo : 'refundNo' in change.mutation ? change.mutation.refundNo : change.mutation.voucherNo}`,
      // The statements as run; the plan's, when the change was found made already.
      action: sqlCommand(result.alreadyDone ? change.sql : result.statements),
      target: 'treasury',
      before: result.before,
      after: result.after,
      alreadyDone: result.alreadyDone,
      key: `mutation/${approval.gateId}/${i}`,
    });
    run.vouchers({ done: i + 1, total: changes.length });
  }
  return applied;
}
