/**
 * One business day of a bank reconciliation: get the statement whole (asking the bank for it, or
 * for its missing packages, and waiting durably), compare it with the finance side in a
 * long-running activity, ask again once for a statement a transfer broke, reply to the bank, and
 * make the result the day's standing one. A re-reconciliation first reads the standing result it
 * discards, asks for the statement again and waits for the new one, and in the end names what
 * changed. A dry run asks nothing, replies nothing and records nothing.
 */
import { sleep } from '@temporalio/workflow';
import type { createBankCheckActivities } from '../activities/bank-checks/index.ts';
import type { createStatementActivities } from '../activities/statements/index.ts';
import {
  askAgainFor,
  faultWhy,
  judgeCompared,
  standingOf,
} from '../domain/runbooks/bank-reconciliation.plan.ts';
import type {
  BankReconciliationInput,
  DayReconciliation,
  StatementArrival,
  StatementSetup,
} from '../domain/runbooks/bank-reconciliation.types.ts';
import type { bankReconciliationInputSchema } from '../domain/runbooks/bank-reconciliation.types.ts';
import {
  longReadActivities,
  readActivities,
  writeActivities,
  type ReadProxy,
  type WriteProxy,
} from './shared/retry-profiles.ts';
import type { GatedRun } from './shared/runbook-run.ts';

type Statements = ReturnType<typeof createStatementActivities>;
type BankChecks = ReturnType<typeof createBankCheckActivities>;
export type ReconInput = ReturnType<typeof bankReconciliationInputSchema.parse>;
export type { BankReconciliationInput };

/** A reconciliation run and the activities it works through, all on the db zone. */
export interface Recon {
  run: GatedRun<ReconInput> & { setup: StatementSetup };
  look: ReadProxy<Statements>;
  compare: ReadProxy<Statements>;
  send: WriteProxy<Statements>;
  checks: ReadProxy<BankChecks>;
  change: WriteProxy<BankChecks>;
  /** How many differences a day's result keeps for the report (the files keep them all). */
  sampleSize: number;
}

export function reconActivities(run: Recon['run']): Recon {
  const taskQueue = run.estate.taskQueues.db;
  const workingDays = run.setup.days.filter((d) => d.workingDay).length;
  return {
    run,
    look: readActivities<Statements>({ taskQueue }),
    compare: longReadActivities<Statements>({ taskQueue }),
    send: writeActivities<Statements>({ taskQueue }),
    checks: readActivities<BankChecks>({ taskQueue }),
    change: writeActivities<BankChecks>({ taskQueue }),
    // A month of days stays well inside a result's size: fewer kept per day the more days.
    sampleSize: Math.max(10, Math.min(100, Math.floor(300 / Math.max(1, workingDays)))),
  };
}

export async function reconcileDay(
  c: Recon,
  day: { date: string; workingDay: boolean },
): Promise<DayReconciliation> {
  const { run } = c;
  const { input } = run;
  const at = { bank: run.bank.code, kind: input.kind, date: day.date };
  if (!day.workingDay)
    return { date: day.date, outcome: 'not-a-working-day', why: '非工作日，银行不出对账单', requested: [] };
  run.step(`fetching:${day.date}`);
  const previous = input.again ? await c.look.readStandingResult(at) : null;
  const requested: DayReconciliation['requested'] = [];
  const ask = async (why: string, packages?: number[]) => {
    const requestId = `${run.key(`statement/${day.date}/${why}`).replace(/[^A-Za-z0-9._-]+/g, '-')}`;
    await c.send.requestStatement({ ...at, requestId, ...(packages && { packages }) });
    requested.push({ id: requestId, ...(packages && { packages }) });
  };
  let arrival = await c.look.lookForStatement(at);
  if (input.again && !input.dryRun) {
    await ask('again');
    arrival = await waitForStatement(c, at, arrival.arrivedAt);
  } else if (!arrival.complete && !input.dryRun) {
    await ask('missing', arrival.files > 0 ? arrival.missingPackages : undefined);
    arrival = await waitForStatement(c, at);
  }
  if (!arrival.complete)
    return {
      date: day.date,
      outcome: 'statement-missing',
      why:
        arrival.files === 0 ? '未收到对账单' : `对账单缺包：第 ${arrival.missingPackages.join('、')} 包未到`,
      requested,
    };

  run.step(`comparing:${day.date}`);
  let compared = await c.compare.compareStatement({ ...at, sampleSize: c.sampleSize });
  if ('fault' in compared && askAgainFor(compared.fault) && !input.dryRun) {
    await ask('broken');
    await waitForStatement(c, at, arrival.arrivedAt);
    compared = await c.compare.compareStatement({ ...at, sampleSize: c.sampleSize });
  }
  const ended: DayReconciliation =
    'fault' in compared
      ? {
          date: day.date,
          outcome: 'unreadable',
          why: faultWhy(compared.fault),
          requested,
          fault: compared.fault,
        }
      : { date: day.date, ...judgeCompared(compared.compared), requested, compared: compared.compared };
  if (input.dryRun) return ended;
  return answerAndRecord(c, ended, previous);
}

/** Replies to the bank (a compared statement), makes the result the standing one, and names what changed. */
async function answerAndRecord(
  c: Recon,
  day: DayReconciliation,
  previous: Awaited<ReturnType<Recon['look']['readStandingResult']>>,
): Promise<DayReconciliation> {
  const { run } = c;
  const at = { bank: run.bank.code, kind: run.input.kind, date: day.date };
  const compared = day.compared;
  const header = compared?.statement?.header;
  if (compared && header) {
    run.step(`replying:${day.date}`);
    day.reply = await c.send.sendStatementReply({
      ...at,
      header,
      diffNum: compared.differences,
      differenceLog: compared.differenceLog,
    });
  }
  const standing = standingOf(day, { workflowId: run.workflowId, at: new Date().toISOString() });
  if (standing)
    await c.send.recordReconciliation({
      ...at,
      result: standing,
      differenceLog: compared?.differenceLog ?? null,
    });
  if (previous && compared) {
    const { differenceLog: previousLog, ...before } = previous;
    day.sinceLast = await c.look.changesSince({
      previous: before,
      previousLog,
      currentLog: compared.differenceLog,
    });
  } else if (previous) {
    const { differenceLog: _log, ...before } = previous;
    day.sinceLast = { previous: before, settled: [], appeared: [], settledMore: 0, appearedMore: 0 };
  }
  return day;
}

/**
 * Looks until the statement is complete (and, when `newerThan` is given, newer than that) or the
 * input's wait is over, about thirty looks per wait, at least 2 s and at most 15 min apart.
 */
async function waitForStatement(
  c: Recon,
  at: { bank: string; kind: ReconInput['kind']; date: string },
  newerThan?: string,
): Promise<StatementArrival> {
  const { waitSeconds } = c.run.input;
  const deadline = Date.now() + waitSeconds * 1000;
  const pollMs = Math.min(900_000, Math.max(2000, (waitSeconds * 1000) / 30));
  for (;;) {
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    const arrival = await c.look.lookForStatement(at);
    const fresh = !newerThan || (arrival.arrivedAt !== undefined && arrival.arrivedAt > newerThan);
    if ((arrival.complete && fresh) || Date.now() >= deadline)
      return fresh ? arrival : { ...arrival, complete: false };
  }
}
