/**
 * Steps the bank-side checks (receipts, voids, refunds) take from their open run: the approval
 * gate for the run's bank, and asking the bank about items with the note on questions that never
 * left finance. Safe in the workflow bundle.
 */
import type { BankQuestion } from '../../domain/bank-checks/types.ts';
import { createApprovalGate, type ApprovalGate } from './approval-gate.ts';
import { askBank, unsentNote, type AskOutcome } from './ask-bank.ts';
import type { BankCheckRun } from './bank-check-run.ts';

/** The approval gate of a run on one bank: the requester cannot approve, votes go to the run record. */
export function bankCheckGate(run: BankCheckRun): ApprovalGate {
  return createApprovalGate({
    runbook: run.runbook,
    requester: run.requester,
    bankCodes: [run.bank.code],
    record: run.record,
  });
}

/** Asks the run's bank `questions` through the db zone and waits; `notes` tell of questions never sent. */
export async function askRunBank(
  run: BankCheckRun,
  prefix: string,
  questions: BankQuestion[],
  waitSeconds: number,
): Promise<{ asked: AskOutcome; notes: string[] }> {
  const asked = await askBank({
    dbQueue: run.estate.taskQueues.db,
    bank: run.bank.code,
    prefix,
    questions,
    waitSeconds,
  });
  return { asked, notes: unsentNote(asked, asked.answers.size + asked.unanswered.length, run.bank.name) };
}
