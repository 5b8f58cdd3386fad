/**
 * Asking a bank and waiting for its answers, durably: file the questions (the send/receive
 * program sends them), then look every few seconds until every question is answered or the
 * wait is over. Only counts cross the history while waiting; the answers are read once.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { createBankCheckActivities } from '../../activities/bank-checks/index.ts';
import type { BankAnswer, BankQuestion } from '../../domain/bank-checks/types.ts';
import { mutation, readOnly } from './retry-profiles.ts';

type BankChecks = ReturnType<typeof createBankCheckActivities>;

export interface AskOutcome {
  answers: Map<string, BankAnswer>;
  unanswered: BankQuestion[];
  /** How many of the questions the program had sent when the wait ended. */
  sent: number;
}

export async function askBank(options: {
  dbQueue: string;
  bank: string;
  prefix: string;
  questions: BankQuestion[];
  waitSeconds: number;
}): Promise<AskOutcome> {
  const { bank, prefix, questions } = options;
  if (questions.length === 0) return { answers: new Map(), unanswered: [], sent: 0 };
  const look = proxyActivities<BankChecks>({ ...readOnly(), taskQueue: options.dbQueue });
  const file = proxyActivities<BankChecks>({ ...mutation(), taskQueue: options.dbQueue });
  await file.askBank({ bank, questions });
  const deadline = Date.now() + options.waitSeconds * 1000;
  const pollMs = Math.min(30_000, Math.max(2000, (options.waitSeconds * 1000) / 30));
  let counts = await look.countAnswers({ bank, prefix });
  while (counts.answered < questions.length && Date.now() < deadline) {
    await sleep(Math.min(pollMs, deadline - Date.now()));
    counts = await look.countAnswers({ bank, prefix });
  }
  const read = await look.readAnswers({ bank, prefix });
  const asked = new Set(questions.map((q) => q.queryId));
  const answers = new Map(read.filter((a) => asked.has(a.queryId)).map((a) => [a.queryId, a]));
  return { answers, unanswered: questions.filter((q) => !answers.has(q.queryId)), sent: counts.sent };
}

/** A report line when some questions never left finance: the bank's send/receive program is not sending. */
export function unsentNote(outcome: AskOutcome, asked: number, bankName: string): string[] {
  const unsent = asked - outcome.sent;
  return unsent > 0 ? [`${unsent} 个状态查询未能发出，请检查${bankName}的收发程序`] : [];
}
