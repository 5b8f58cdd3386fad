/**
 * The round loop of the bank checks that settle finance's open items with the bank (receipts,
 * voids, refunds): hold the lock, then for up to three rounds look at the finance side, ask the
 * bank about each item, judge from its answers, stop when there is nothing to do or nothing to
 * do automatically, show the plan with its SQL, stop there on a dry run, ask approval, look again,
 * apply, verify; escalate what is left for a person, and close with the report. A runbook gives
 * its own story as a `SettleCheck`: how it finds and judges its items, its words, what verifying
 * means. Runs in flight replay against this loop: its commands and their order, audit keys, query
 * ids and lock names must not change (test/histories/replay.test.ts holds recorded runs to them).
 */
import type { ApprovalPlan, Bilingual, GateOutcome } from '../../domain/approvals/gate-types.ts';
import { financePlan, withSql, type PlannedChange } from '../../domain/bank-checks/finance-plan.ts';
import { queryIdFor, queryPrefix } from '../../domain/bank-checks/query-ids.ts';
import type { PlanOutcome, SettleEnd } from '../../domain/bank-checks/settle-report.ts';
import type { BankAnswer, BankQuestion, MutationResult } from '../../domain/bank-checks/types.ts';
import type { ReportRun } from '../../domain/reports/runbook-report.ts';
import type { InspectionReportFiles } from '../../domain/runbooks/daily-inspection.types.ts';
import {
  appliedOutcome,
  approveAndApply,
  declinedWhy,
  planWithDigest,
  reasonFinding,
  resultsOf,
} from './bank-check-outcome.ts';
import {
  closeBankCheckRun,
  escalate,
  notifyFailed,
  type Applied,
  type BankCheckRun,
} from './bank-check-run.ts';
import { askRunBank, bankCheckGate } from './bank-check-steps.ts';
import { acquireLock, type HeldLock } from './locks.ts';

const maxPlanRounds = 3;

/** The input fields the loop reads (each runbook's schema has them). */
export interface SettleInput {
  requestedBy: string;
  reason?: string;
  dryRun: boolean;
  answerWaitSeconds: number;
}

/** What a round judged, as far as the loop needs it; a runbook adds its own findings. */
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

export interface SettleCheck<O extends string, J extends Judgement, X> {
  /** lock/<lock>/<bank>: the resource the run holds while it works. */
  lock: string;
  /** Names the round's query ids (domain/bank-checks/query-ids.ts). */
  queryPurpose: string;
  /** The approval gate's step. */
  gateStep: string;
  /** This check's own outcomes: all changed, some left for a person, nothing open, nothing to change. */
  outcomes: { done: O; partly: O; nothing: O; reportOnly: O };
  /** Looks at the finance side; `queryId` names the question about a ref this round. */
  find(queryId: (ref: string) => string): Promise<Survey<J>>;
  /** Reads the records the plan was made from again: whether everything still stands as planned. */
  stillAsPlanned(judged: J): Promise<boolean>;
  /** Checks the applied changes took (waiting for the bank where a change needs it). */
  verify(applied: Applied, judged: J): Promise<Verified[]>;
  /** Items to escalate whatever the outcome, with the reports the escalation records (none: only a stop escalates). */
  heldForAPerson?(judged: J): { lines: string[]; reports: unknown[] };
  words: {
    nothingWhy(judged: J): string;
    reportOnlyWhy(judged: J): string;
    planTitle(judged: J): Bilingual;
    /** The plan's findings before the items left out and the reason given. */
    findings(judged: J): Bilingual[];
    leftOut(others: number): Bilingual;
    dryRunWhy(judged: J): string;
    /** The plan in a declined approval's why (处理计划, 登记计划). */
    planName: string;
    movedWhy: string;
    notVerified: string;
    doneWhy(applied: Applied): string;
    othersWhy(others: number): string;
    stillMovingWhy(rounds: number): string;
    escalated: string;
    failed: string;
  };
  /** The report (domain/runbooks/<runbook>.report.ts) from how the run ended and its last judgement. */
  report(run: ReportRun, end: SettleEnd<O | PlanOutcome>, judged: J): string;
  /** The runbook's own result fields. */
  result(judged: J, applied: Applied | undefined): X;
}

export type SettleResult<O extends string, X> = {
  workflowId: string;
  bank: string;
  date: string;
  outcome: O | PlanOutcome;
  why: string;
} & X & {
    plan?: ApprovalPlan;
    planDigest?: string;
    approval?: GateOutcome;
    results: MutationResult[];
    report: InspectionReportFiles;
  };

/** Runs the settling check `check` on the opened `run` and returns its result (the runbook adds its name). */
export async function runSettleCheck<O extends string, J extends Judgement, X>(
  run: BankCheckRun,
  input: SettleInput,
  check: SettleCheck<O, J, X>,
): Promise<SettleResult<O, X>> {
  const { bank, date, look, runbook } = run;
  const { words } = check;
  const gate = bankCheckGate(run);

  let judged: J;
  let plan: ApprovalPlan | undefined;
  let approval: GateOutcome | undefined;
  let applied: Applied | undefined;
  let verified: Verified[] = [];
  let outcome: O | PlanOutcome | undefined;
  let why = '';
  let askNotes: string[] = [];
  let lock: HeldLock | undefined;

  try {
    lock = await acquireLock(check.lock, bank.code);
    let round = 0;
    do {
      round++;
      run.step('diagnosing');
      const prefix = queryPrefix(run.workflowId, check.queryPurpose, round);
      const survey = await check.find((ref) => queryIdFor(prefix, ref));

      run.step('asking-bank');
      const { asked, notes } = await askRunBank(run, prefix, survey.questions, input.answerWaitSeconds);
      askNotes = notes;
      judged = await survey.judge((ref) => asked.answers.get(queryIdFor(prefix, ref)));
      const planned = judged.changes;
      if (judged.items === 0) {
        outcome = check.outcomes.nothing;
        why = words.nothingWhy(judged);
        break;
      }
      if (planned.length === 0) {
        outcome = check.outcomes.reportOnly;
        why = words.reportOnlyWhy(judged);
        break;
      }
      const sql = await look.describeMutations({
        bank: bank.code,
        mutations: planned.map((p) => p.mutation),
      });
      const changes = withSql(planned, sql);
      const others = judged.items - planned.length;
      plan = financePlan({
        runbook,
        title: words.planTitle(judged),
        bank,
        findings: [
          ...words.findings(judged),
          ...(others ? [words.leftOut(others)] : []),
          ...reasonFinding(input.reason),
        ],
        changes,
      });
      if (input.dryRun) {
        outcome = 'planned';
        why = words.dryRunWhy(judged);
        break;
      }
      // Look again before leaping: apply only if every planned record stands as planned.
      const current = judged;
      const step = await approveAndApply(run, gate, check.gateStep, plan, changes, () =>
        check.stillAsPlanned(current),
      );
      approval = step.approval;
      if (step.kind === 'declined') {
        outcome = step.outcome;
        why = declinedWhy(step.outcome, words.planName);
        break;
      }
      if (step.kind === 'moved') {
        why = words.movedWhy;
        continue;
      }
      applied = step.applied;

      run.step('verifying');
      verified = await check.verify(applied, judged);
      ({ outcome, why } = appliedOutcome(applied, verified, others, {
        done: check.outcomes.done,
        partly: check.outcomes.partly,
        notVerified: words.notVerified,
        doneWhy: words.doneWhy(applied),
        othersWhy: words.othersWhy,
      }));
    } while (!outcome && round < maxPlanRounds);
    if (!outcome) {
      outcome = 'unexpected-state';
      why = words.stillMovingWhy(maxPlanRounds);
    }
    const held = check.heldForAPerson?.(judged);
    if (outcome === 'unexpected-state' || (held && held.lines.length > 0)) {
      await escalate(run, words.escalated, [why, ...(held?.lines ?? [])], {
        why,
        ...(held && { reports: held.reports }),
        stopped: applied?.stopped ?? null,
      });
    }
  } catch (err) {
    await notifyFailed(run, words.failed, err);
    throw err;
  } finally {
    await lock?.release();
  }

  const end: SettleEnd<O | PlanOutcome> = {
    outcome,
    why,
    askNotes,
    ...(input.reason && { reason: input.reason }),
    verified,
    ...(applied && { applied }),
    ...planWithDigest(plan),
    votes: approval?.votes ?? [],
  };
  const files = await closeBankCheckRun(run, gate.requestedBy(), end, (reportRun) =>
    check.report(reportRun, end, judged),
  );
  return {
    workflowId: run.workflowId,
    bank: bank.code,
    date,
    outcome,
    why,
    ...check.result(judged, applied),
    ...planWithDigest(plan),
    ...(approval && { approval }),
    results: resultsOf(applied),
    report: files,
  };
}
