/**
 * What the bank-side checks that settle open requests (voids, refunds) and repair receipts share
 * once the plan is made: the reason finding, the wording of a declined approval, the outcome after
 * applying and verifying, the wait for the bank to settle, and the result pieces built from the
 * plan and the applied changes (their report: domain/bank-checks/settle-report.ts).
 * Pure code and the workflow `sleep`: safe in the workflow bundle.
 */
import { sleep } from '@temporalio/workflow';
import type { ApprovalPlan, Bilingual } from '../../domain/approvals/gate-types.ts';
import type { PlannedChange } from '../../domain/bank-checks/finance-plan.ts';
import type { MutationResult } from '../../domain/bank-checks/types.ts';
import { applyChanges, type Applied, type BankCheckRun } from './bank-check-run.ts';
import { approve, type NotApproved } from './runbook-run.ts';

/** The plan finding naming why the run was started, when the requester said. */
export function reasonFinding(reason: string | undefined): Bilingual[] {
  return reason ? [{ zh: `发起原因：${reason}`, en: `Reason given: ${reason}` }] : [];
}

/** How asking approval for a plan and applying it ended. */
export type ApprovedStep =
  { kind: 'declined'; outcome: NotApproved } | { kind: 'moved' } | { kind: 'applied'; applied: Applied };

/**
 * Shows `plan` at the gate's `step` (a dry run stops there); once approved, looks again before
 * leaping — `stillAsPlanned` reads the records the plan was made from — and applies the changes
 * only when nothing moved (`moved`: the caller plans again).
 */
export async function approveAndApply(
  run: BankCheckRun,
  step: string,
  plan: ApprovalPlan,
  changes: PlannedChange[],
  stillAsPlanned: () => Promise<boolean>,
): Promise<ApprovedStep> {
  const approval = await approve(run, step, plan);
  if (typeof approval === 'string') return { kind: 'declined', outcome: approval };
  run.step('executing');
  if (!(await stillAsPlanned())) return { kind: 'moved' };
  return { kind: 'applied', applied: await applyChanges(run, approval, changes) };
}

/** Why nothing was applied when approval did not come: `plan` names the plan (处理计划, 登记计划). */
export function declinedWhy(outcome: 'rejected' | 'expired', plan: string): string {
  return outcome === 'rejected' ? `审批人驳回了${plan}` : '审批超时，未执行';
}

/**
 * The outcome once the approved changes ran: stopped on a moved record, not verified, or done —
 * `done` when nothing was left out of the plan, `partly` when `others` items still need a person.
 */
export function appliedOutcome<const O extends string>(
  applied: Applied,
  verified: { ok: boolean }[],
  others: number,
  words: { done: O; partly: O; notVerified: string; doneWhy: string; othersWhy: (others: number) => string },
): { outcome: O | 'unexpected-state' | 'not-verified'; why: string } {
  if (applied.stopped) {
    return { outcome: 'unexpected-state', why: `执行中发现记录已变化，已停止：${applied.stopped.message}` };
  }
  if (verified.some((v) => !v.ok)) return { outcome: 'not-verified', why: words.notVerified };
  return {
    outcome: others ? words.partly : words.done,
    why: `${words.doneWhy}${others ? words.othersWhy(others) : ''}`,
  };
}

/**
 * Checks until every item is settled or `seconds` are up, two seconds apart (a workflow timer):
 * changes that settle at once pass on the first look, a re-sent request gets time for the bank.
 */
export async function checkUntilSettled<C extends { settled: boolean }>(
  check: () => Promise<C[]>,
  seconds: number,
): Promise<C[]> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const checks = await check();
    if (checks.every((c) => c.settled) || Date.now() + 2000 > deadline) return checks;
    await sleep('2 seconds');
  }
}

/** The applied changes' results as the run's result carries them (without the plan's change and time). */
export function resultsOf(applied: Applied | undefined): MutationResult[] {
  return (applied?.results ?? []).map(({ change: _change, at: _at, ...r }) => r);
}
