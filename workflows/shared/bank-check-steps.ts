/**
 * Asking the bank about a bank check's items (receipts, voids, refunds), with the note on
 * questions that never left finance. Safe in the workflow bundle.
 */
import type { BankQuestion } from '../../domain/bank-questions.ts';
import { askBank, unsentNote, type AskOutcome } from './ask-bank.ts';
import type { BankCheckRun } from './bank-check-run.ts';

/** Asks the run's bank `questions` through the db zone and waits; `notes` tell of questions never sent. */
export async function askRunBank(
  run: BankCheckRun,
  prefix: string,
  questions: BankQuestion[],
  waitSeconds: number,
): Promise<{ asked: AskOutcome; notes: string[] }> {
  const asked = await askBank(
    { dbQueue: run.estate.taskQueues.db, bank: run.bank.code },
    prefix,
    questions,
    waitSeconds,
  );
  return { asked, notes: unsentNote(asked, asked.answers.size + asked.unanswered.length, run.bank.name) };
}
