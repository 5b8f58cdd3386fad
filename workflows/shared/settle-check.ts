/**
 * The rounds of the bank checks that settle finance's open items with the bank (receipts, voids,
 * refunds), run holding the check's lock: for up to three rounds look at the finance side, ask the
 * bank about each item, judge from its answers, stop when there is nothing to do or nothing to do
 * automatically, show the plan with its SQL, stop there on a dry run, ask approval, look again,
 * apply, verify; then escalate what is left for a person. A runbook gives its own steps as a
 * `SettleCheck` — how it finds and judges its items, how it looks again, what verifying means —
 * and its words (`SettleCheckWords`). Runs in flight replay against these rounds: their commands
 * and their order, audit keys, query ids and lock names must not change
 * (test/histories/replay.test.ts holds recorded runs to them).
 */
import type { Bilingual, GateOutcome } from '../../domain/approvals/gate-types.ts';
import { financePlan, withSql, type PlannedChange } from '../../domain/bank-checks/finance-plan.ts';
import { queryIdFor } from '../../domain/bank-questions.ts';
import type { PlanOutcome, SettleEnd } from '../../domain/bank-checks/settle-report.ts';
import type { MutationResult } from '../../domain/bank-checks/types.ts';
import type { BankAnswer, BankQuestion } from '../../domain/bank-questions.ts';
import type { ReportRun } from '../../domain/reports/runbook-report.ts';
import type { InspectionReportFiles } from '../../domain/runbooks/daily-inspection.types.ts';
import {
  appliedOutcome,
  approveAndApply,
  declinedWhy,
  reasonFinding,
  resultsOf,
} from './bank-check-outcome.ts';
import { questionPrefix } from './ask-bank.ts';
import type { Applied, BankCheckRun } from './bank-check-run.ts';
import { askRunBank } from './bank-check-steps.ts';
import { closeRun, escalate, lastPlan } from './runbook-run.ts';

const maxPlanRounds = 3;

/** The input fields the rounds read (each runbook's schema has them). */
export interface SettleInput {
  bank: string;
  requestedBy: string;
  date?: string;
  reason?: string;
  dryRun: boolean;
  answerWaitSeconds: number;
}

/** What a round judged, as far as the rounds need it; a runbook adds its own findings. */
export interface Judgement {
  /** How many items needed the bank's word (none: nothing to do). */
  items: number;
  /** The changes the bank's answers allow, in plan order; the other items are left for a person. */
  changes: Omit<PlannedChange, 'sql'>[];
}

/** One round's look at the finance side: the questions for the bank, and the judgement on its answers. */
export interface Survey<J extends Judgement> {
  questions: BankQuestion[];
  /** `answer` gives the bank's answer about the item a question named (its `queryId` ref). */
  judge(answer: (ref: string) => BankAnswer | undefined): Promise<J>;
}

/** A line and a check per applied change; `detail` goes to the report. */
export interface Verified {
  ok: boolean;
  detail: string;
}

/** A check's words: the why of each ending, and the plan's title and findings. */
export interface SettleCheckWords<J extends Judgement> {
  nothingWhy(judged: J): string;
  reportOnlyWhy(judged: J): string;
  planTitle(judged: J): Bilingual;
  /** The plan's findings before the items left out and the reason given. */
  findings(judged: J): Bilingual[];
  leftOut(others: number): Bilingual;
  dryRunWhy(judged: J): string;
  /** The plan in a declined approval's why (处理计划, 登记计划). */
  planName: string;
  notVerified: string;
  doneWhy(applied: Applied): string;
  othersWhy(others: number): string;
  stillMovingWhy(rounds: number): string;
  escalated: string;
}

export interface SettleCheck<O extends string, J extends Judgement> {
  /** Names the round's query ids (questionPrefix in ask-bank.ts). */
  queryPurpose: string;
  /** The approval gate's step. */
  gateStep: string;
  /** This check's own outcomes: all changed, some left for a person, nothing open, nothing to change. */
  outcomes: { done: O; partly: O; nothing: O; reportOnly: O };
  words: SettleCheckWords<J>;
  /** Looks at the finance side; `queryId` names the question about a ref this round. */
  find(queryId: (ref: string) => string): Promise<Survey<J>>;
  /** Reads the records the plan was made from again: whether everything still stands as planned. */
  stillAsPlanned(judged: J): Promise<boolean>;
  /** Checks the applied changes took (waiting for the bank where a change needs it). */
  verify(applied: Applied, judged: J): Promise<Verified[]>;
  /** Items to escalate whatever the outcome, with the reports the escalation records (none: only a stop escalates). */
  heldForAPerson?(judged: J): { lines: string[]; reports: unknown[] };
}

/** How the rounds ended: the report's end, the last judgement, what was applied. */
export interface Settled<O extends string, J extends Judgement> {
  end: SettleEnd<O | PlanOutcome>;
  judged: J;
  applied?: Applied;
}

/** Runs the rounds of `check` on the opened `run`, which holds the check's lock. */
export async function settleInRounds<O extends string, J extends Judgement>(
  run: BankCheckRun<SettleInput>,
  check: SettleCheck<O, J>,
): Promise<Settled<O, J>> {
  const { input } = run;
  const { words } = check;
  let judged: J;
  let applied: Applied | undefined;
  let verified: Verified[] = [];
  let ended: { outcome: O | PlanOutcome; why: string } | undefined;
  let askNotes: string[] = [];
  let round = 0;
  do {
    round++;
    run.step('diagnosing');
    const prefix = questionPrefix(check.queryPurpose, round);
    const survey = await check.find((ref) => queryIdFor(prefix, ref));

    run.step('asking-bank');
    const { asked, notes } = await askRunBank(run, prefix, survey.questions, input.answerWaitSeconds);
    askNotes = notes;
    judged = await survey.judge((ref) => asked.answers.get(queryIdFor(prefix, ref)));
    const planned = judged.changes;
    if (judged.items === 0) {
      ended = { outcome: check.outcomes.nothing, why: words.nothingWhy(judged) };
      break;
    }
    if (planned.length === 0) {
      ended = { outcome: check.outcomes.reportOnly, why: words.reportOnlyWhy(judged) };
      break;
    }
    const changes = withSql(
      planned,
      await run.look.describeMutations({
        bank: run.bank.code,
        mutations: planned.map((p) => p.mutation),
      }),
    );
    const others = judged.items - planned.length;
    const plan = financePlan({
      runbook: run.runbook,
      title: words.planTitle(judged),
      bank: run.bank,
      findings: [
        ...words.findings(judged),
        ...(others ? [words.leftOut(others)] : []),
        ...reasonFinding(input.reason),
      ],
      changes,
    });
    // Look again before leaping: apply only if every planned record stands as planned.
    const current = judged;
    const step = await approveAndApply(run, check.gateStep, plan, changes, () =>
      check.stillAsPlanned(current),
    );
    if (step.kind === 'declined') {
      ended = {
        outcome: step.outcome,
        why: step.outcome === 'planned' ? words.dryRunWhy(judged) : declinedWhy(step.outcome, words.planName),
      };
      break;
    }
    if (step.kind === 'moved') continue;
    applied = step.applied;
    run.step('verifying');
    verified = await check.verify(applied, judged);
    ended = appliedOutcome(applied, verified, others, {
      done: check.outcomes.done,
      partly: check.outcomes.partly,
      notVerified: words.notVerified,
      doneWhy: words.doneWhy(applied),
      othersWhy: words.othersWhy,
    });
  } while (!ended && round < maxPlanRounds);
  const { outcome, why } = ended ?? {
    outcome: 'unexpected-state' as const,
    why: words.stillMovingWhy(maxPlanRounds),
  };
  const held = check.heldForAPerson?.(judged);
  if (outcome === 'unexpected-state' || (held && held.lines.length > 0)) {
    await escalate(run, {
      title: words.escalated,
      lines: [why, ...(held?.lines ?? [])],
      subject: `${run.bank.code}/${run.date}`,
      payload: { why, ...(held && { reports: held.reports }), stopped: applied?.stopped ?? null },
    });
  }
  const end: SettleEnd<O | PlanOutcome> = {
    outcome,
    why,
    askNotes,
    ...(input.reason && { reason: input.reason }),
    verified,
    ...(applied && { applied }),
    ...lastPlan(run),
    votes: run.approvals.at(-1)?.votes ?? [],
  };
  return { end, judged, ...(applied && { applied }) };
}

/** The result fields every settling check returns; each adds its name and its own fields. */
export interface SettledResult<O extends string> {
  workflowId: string;
  bank: string;
  date: string;
  outcome: O | PlanOutcome;
  why: string;
  plan?: SettleEnd<O>['plan'];
  planDigest?: string;
  approval?: GateOutcome;
  results: MutationResult[];
  report: InspectionReportFiles;
}

/** Closes a settling check: its report (`markdown`) and outcome; returns its result fields. */
export async function closeSettled<O extends string, J extends Judgement>(
  run: BankCheckRun<SettleInput>,
  settled: Settled<O, J>,
  markdown: (reportRun: ReportRun) => string,
): Promise<SettledResult<O>> {
  const { outcome, why } = settled.end;
  const report = await closeRun(
    run,
    { outcome, subject: `${run.bank.code}/${run.date}`, payload: { why } },
    markdown,
  );
  const approval = run.approvals.at(-1);
  return {
    workflowId: run.workflowId,
    bank: run.bank.code,
    date: run.date,
    outcome,
    why,
    ...lastPlan(run),
    ...(approval && { approval }),
    results: resultsOf(settled.applied),
    report,
  };
}
