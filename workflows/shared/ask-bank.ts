/**
 * Asking a bank and waiting for its answers, durably, the one way every runbook does it: file the
 * questions (the bank's send/receive program sends them), then look every few seconds until each
 * is answered or the wait is over, and read the answers once. Only counts cross the history while
 * waiting. Query ids come from `questionPrefix`: this run, a purpose and a round.
 */
import { patched, sleep, workflowInfo } from '@temporalio/workflow';
import type { createBankQuestionActivities } from '../../activities/bank-questions.ts';
import {
  questionFor,
  queryPrefix,
  refOf,
  type BankAnswer,
  type BankQuestion,
  type BankSubject,
} from '../../domain/bank-questions.ts';
import { readActivities, writeActivities } from './retry-profiles.ts';

type BankQuestions = ReturnType<typeof createBankQuestionActivities>;

/** The bank asked, and the db-zone queue that reaches the treasury its questions are filed in. */
export interface BankDesk {
  dbQueue: string;
  bank: string;
}

export interface AskOutcome {
  /** The answers, by query id. */
  answers: Map<string, BankAnswer>;
  unanswered: BankQuestion[];
  /** How many of the questions the program had sent when the wait ended. */
  sent: number;
}

/**
 * The prefix of this run's query ids for `purpose` in `round`. It names the run, so a later run
 * under the same workflow id never reads the answers an earlier one was given; runs begun before
 * it did keep the ids they filed (test/histories holds them to it).
 */
export function questionPrefix(purpose: string, round = 1): string {
  const { workflowId, runId } = workflowInfo();
  const runKey = patched('bank-query-ids-per-run') ? `${workflowId}/${runId}` : workflowId;
  return queryPrefix(runKey, purpose, round);
}

/** Files `questions` with the bank (a retry or a second ask files nothing twice). */
export async function fileQuestions(desk: BankDesk, questions: BankQuestion[]): Promise<void> {
  const file = writeActivities<BankQuestions>({ taskQueue: desk.dbQueue });
  await file.askBank({ bank: desk.bank, questions });
}

/** The answers filed so far for `questions` (all under `prefix`), by query id. */
export async function answersTo(
  desk: BankDesk,
  prefix: string,
  questions: readonly BankQuestion[],
): Promise<Map<string, BankAnswer>> {
  const look = readActivities<BankQuestions>({ taskQueue: desk.dbQueue });
  const asked = new Set(questions.map((q) => q.queryId));
  const read = await look.readAnswers({ bank: desk.bank, prefix });
  return new Map(read.filter((a) => asked.has(a.queryId)).map((a) => [a.queryId, a]));
}

/**
 * The waits between two looks at the answers: from half a second, doubling, up to two seconds —
 * banks answer within a second or two — or up to a sixtieth of a long wait (at most 30 s). Runs
 * begun before looked every thirtieth of the wait, every 2 to 30 s, and replay as they did.
 */
function looks(waitSeconds: number): () => number {
  if (!patched('bank-answers-looked-at-sooner')) {
    const every = Math.min(30_000, Math.max(2000, (waitSeconds * 1000) / 30));
    return () => every;
  }
  const cap = Math.min(30_000, Math.max(2000, (waitSeconds * 1000) / 60));
  let next = 500;
  return () => {
    const wait = next;
    next = Math.min(next * 2, cap);
    return wait;
  };
}

/** Waits up to `waitSeconds` for the filed `questions` (all under `prefix`) to be answered. */
export async function awaitAnswers(
  desk: BankDesk,
  prefix: string,
  questions: BankQuestion[],
  waitSeconds: number,
): Promise<AskOutcome> {
  const look = readActivities<BankQuestions>({ taskQueue: desk.dbQueue });
  const deadline = Date.now() + waitSeconds * 1000;
  const nextWait = looks(waitSeconds);
  let counts = await look.countAnswers({ bank: desk.bank, prefix });
  while (counts.answered < questions.length && Date.now() < deadline) {
    await sleep(Math.min(nextWait(), deadline - Date.now()));
    counts = await look.countAnswers({ bank: desk.bank, prefix });
  }
  const answers = await answersTo(desk, prefix, questions);
  return { answers, unanswered: questions.filter((q) => !answers.has(q.queryId)), sent: counts.sent };
}

/** Asks the bank `questions` (all under `prefix`) and waits up to `waitSeconds` for its answers. */
export async function askBank(
  desk: BankDesk,
  prefix: string,
  questions: BankQuestion[],
  waitSeconds: number,
): Promise<AskOutcome> {
  if (questions.length === 0) return { answers: new Map(), unanswered: [], sent: 0 };
  await fileQuestions(desk, questions);
  return awaitAnswers(desk, prefix, questions, waitSeconds);
}

/**
 * Asks about each subject until the bank answers: up to `rounds` rounds of `waitSeconds`, each
 * asking again only what is still unanswered; an earlier round's late answer counts too, and of
 * two answers about one thing the later one. Answers by the subject's ref (refOf).
 */
export async function askUntilAnswered(
  desk: BankDesk,
  purpose: string,
  subjects: readonly BankSubject[],
  options: { rounds: number; waitSeconds: number },
): Promise<Map<string, BankAnswer>> {
  const answers = new Map<string, BankAnswer>();
  const refs = new Map<string, string>();
  const earlier: { prefix: string; questions: BankQuestion[] }[] = [];
  const take = (found: Map<string, BankAnswer>) => {
    for (const [queryId, a] of found) {
      const ref = refs.get(queryId) as string;
      const known = answers.get(ref);
      if (!known || a.answeredAt > known.answeredAt) answers.set(ref, a);
    }
  };
  for (let round = 1; round <= options.rounds; round++) {
    const missing = subjects.filter((s) => !answers.has(refOf(s)));
    if (missing.length === 0) break;
    const prefix = questionPrefix(purpose, round);
    const questions = missing.map((s) => questionFor(prefix, s));
    for (const q of questions) refs.set(q.queryId, refOf(q));
    take((await askBank(desk, prefix, questions, options.waitSeconds)).answers);
    for (const e of earlier)
      if (subjects.some((s) => !answers.has(refOf(s)))) take(await answersTo(desk, e.prefix, e.questions));
    earlier.push({ prefix, questions });
  }
  return answers;
}

/** A report line when some questions never left finance: the bank's send/receive program is not sending. */
export function unsentNote(outcome: AskOutcome, asked: number, bankName: string): string[] {
  const unsent = asked - outcome.sent;
  return unsent > 0 ? [`${unsent} 个状态查询未能发出，请检查${bankName}的收发程序`] : [];
}
