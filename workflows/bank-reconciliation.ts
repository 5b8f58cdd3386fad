/**
 * 银行对账与重新对账 — bank reconciliation and re-reconciliation (catalog item 6, contract 2.2.1,
 * 2.2.3): for one bank, one kind of statement and one business day or a range of at most 31 days,
 * get each day's statement whole (asking the bank again for it or its missing packages, waiting
 * durably), compare it with the finance side in both directions in a long-running activity that
 * resumes where a killed worker left it, reply to the bank (XCheckResult, XDiffNum, each
 * difference), make the result the day's standing one, then offer the only safe fixes — receipts
 * the bank's paid line proves, the runbooks that own a class of differences — through the approval
 * gate. A re-reconciliation (`again`) discards the standing result (its outcome record keeps it),
 * asks for the statement again and names what changed. One run per bank and kind at a time
 * (lock/statements/<bank>/<kind>).
 */
import type { createBankCheckActivities } from '../activities/bank-checks/index.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createStatementActivities } from '../activities/statements/index.ts';
import { ActivityFailure, ApplicationFailure, patched } from '@temporalio/workflow';
import { ErrorKind, invalidInput, parseInput } from '../domain/errors.ts';
import { daysOutcome } from '../domain/runbooks/bank-reconciliation.plan.ts';
import { bankReconciliationReport } from '../domain/runbooks/bank-reconciliation.report.ts';
import {
  bankReconciliationInputSchema,
  type BankReconciliationInput,
  type BankReconciliationResult,
  type DayReconciliation,
} from '../domain/runbooks/bank-reconciliation.types.ts';
import { reconActivities, reconcileDay, type Recon, type ReconInput } from './bank-reconciliation.day.ts';
import { settleDifferences } from './bank-reconciliation.fixes.ts';
import { readActivities, type ReadProxy } from './shared/retry-profiles.ts';
import { countReconciliationDifferences } from './shared/run-metrics.ts';
import { closeRun, escalate, holdingLock, lastPlan, openRun } from './shared/runbook-run.ts';
import { estateBank } from './shared/runbook-opening.ts';

type Control = ReturnType<typeof createControlActivities>;
type Statements = ReturnType<typeof createStatementActivities>;
type BankChecks = ReturnType<typeof createBankCheckActivities>;

const runbook = 'bank-reconciliation';

export async function bankReconciliation(
  rawInput: BankReconciliationInput,
): Promise<BankReconciliationResult> {
  const input = parseInput(bankReconciliationInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    firstStep: 'fetching',
    find: (control) => findDays(control, input),
    detail: ({ setup }) => ({ kind: input.kind, from: setup.days[0]?.date, to: setup.days.at(-1)?.date }),
  });
  const c = reconActivities(run);
  const { bank } = run;
  const failed = `银行对账失败：${bank.name} ${input.kind}`;
  const ended = await holdingLock(run, ['statements', `${bank.code}/${input.kind}`], failed, async () => {
    const days: DayReconciliation[] = [];
    for (const day of run.setup.days) days.push(await reconcileDay(c, day));
    for (const d of days)
      if (d.compared && !input.dryRun) countReconciliationDifferences(bank.code, d.compared.counts);
    const fixed = await settleDifferences(c, days);
    const judged = daysOutcome(days);
    const outcome = fixed.outcome ?? judged.outcome;
    const why = fixed.why ? `${judged.why}；${fixed.why}` : judged.why;
    await tellPeople(c, days, outcome);
    const vouchers = await sampleVouchers(c, days);
    return { ...fixed, outcome, why, days, vouchers };
  });
  const discarded = ended.days.flatMap((d) =>
    d.sinceLast ? [{ date: d.date, ...d.sinceLast.previous }] : [],
  );
  const files = await closeRun(
    run,
    { outcome: ended.outcome, subject: `${bank.code}/${input.kind}`, payload: { why: ended.why, discarded } },
    (report) =>
      bankReconciliationReport(report, {
        bankName: bank.name,
        input,
        ...ended,
        ...lastPlan(run),
        votes: run.approvals.at(-1)?.votes ?? [],
      }),
  );
  const approval = run.approvals.at(-1);
  return {
    runbook,
    workflowId: run.workflowId,
    bank: bank.code,
    kind: input.kind,
    again: input.again,
    ...ended,
    ...lastPlan(run),
    ...(approval && { approval }),
    report: files,
  };
}

/** The input's bank (unknown, or a day after today, refused), its statement format and the days to reconcile (default: the statement due). */
async function findDays(control: ReadProxy<Control>, input: ReconInput) {
  const found = await estateBank(control, input.bank, { date: input.date, to: input.to });
  const taskQueue = found.estate.taskQueues.db;
  const setup = await readActivities<Statements>({ taskQueue })
    .statementSetup(await daysAsked(input, taskQueue))
    .catch(refuseAsInput);
  return { ...found, setup };
}

/**
 * The days the input names, for statementSetup to settle (an absent date: the statement due). Runs
 * begun before it did named the days themselves: the report day when no date was given, to = from.
 */
async function daysAsked(input: ReconInput, taskQueue: string) {
  const { bank, kind } = input;
  if (patched('bank-reconciliation-statement-due')) return { bank, kind, from: input.date, to: input.to };
  const from = input.date ?? (await readActivities<BankChecks>({ taskQueue }).reportDay({})).date;
  return { bank, kind, from, to: input.to ?? from };
}

/** A kind the bank does not send, as the activity found it: the run's own bad input, before any side effect. */
function refuseAsInput(err: unknown): never {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type === ErrorKind.InvalidInput)
    throw invalidInput((cause.details as string[] | undefined) ?? [cause.message]);
  throw err;
}

/** A statement missing or unreadable, or differences no runbook may settle: the people are told, the evidence kept. */
async function tellPeople(c: Recon, days: DayReconciliation[], outcome: string): Promise<void> {
  const broken = days.filter((d) => d.outcome === 'statement-missing' || d.outcome === 'unreadable');
  const manual = days.filter((d) => (d.compared?.sample ?? []).some((x) => x.fix === null));
  if (broken.length === 0 && manual.length === 0) return;
  await escalate(c.run, {
    title: `${c.run.bank.name} ${c.run.input.kind} 对账需人工处理`,
    lines: [...broken, ...manual].map((d) => `${d.date}：${d.why}`),
    subject: `${c.run.bank.code}/${c.run.input.kind}`,
    payload: {
      outcome,
      days: [...broken, ...manual].map((d) => ({ date: d.date, outcome: d.outcome, why: d.why })),
    },
  });
}

/** The finance-side vouchers of the differences the report lists, with their payees masked. */
async function sampleVouchers(c: Recon, days: DayReconciliation[]) {
  const voucherNos = [
    ...new Set(
      days.flatMap((d) => (d.compared?.sample ?? []).filter((x) => x.finance).map((x) => x.voucherNo)),
    ),
  ].filter(Boolean);
  return voucherNos.length ? c.checks.readVouchers({ bank: c.run.bank.code, voucherNos }) : [];
}
