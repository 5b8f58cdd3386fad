/**
 * The year-end rollover in tests: starting it as the front door does, waiting for the sandbox's
 * traffic of the year to settle (vouchers in flight keep the pre-checks red), and what the
 * treasury database and the banks' own books say afterwards.
 */
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { SandboxHandle } from '../../sandbox/server.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { progressQuery, type RunbookProgress } from '../../workflows/shared/progress.ts';
import { HistoryWatch } from './history-watch.ts';
import { patienceMs } from './patience.ts';
import { signedStartMemo } from './signed-starts.ts';

interface Estate {
  client: Client;
  sandbox: SandboxHandle;
  site: SiteConfig;
}

/**
 * Starts a rollover as the front door does, signed now — or at `signedAt`, the instant the
 * Temporal server's clock shows when it is not the machine's (a time-skipping server).
 */
export function startRollover(
  estate: Estate,
  workflowId: string,
  input: Record<string, unknown>,
  signedAt?: Date,
): Promise<WorkflowHandle> {
  const args = {
    requestedBy: 'eng',
    remindAfterMinutes: 1,
    escalateAfterMinutes: 2,
    recheckMinutes: 1,
    ...input,
  };
  const options = { taskQueue: estate.site.temporal.taskQueues.runbooks, workflowId, args: [args] };
  if (!signedAt) return estate.client.workflow.start('yearEndRollover', options);
  const { namespace, dataConverter } = estate.client.options;
  const unsigned = new Client({ connection: estate.client.connection, namespace, dataConverter });
  const memo = signedStartMemo(estate.site, {
    workflowType: 'yearEndRollover',
    workflowId,
    taskQueue: options.taskQueue,
    input: args,
    user: args.requestedBy,
    issuedAt: signedAt.toISOString(),
  });
  return unsigned.workflow.start('yearEndRollover', { ...options, memo });
}

/** The coming year-end a test can run through: this year's, unless its 28 December has begun. */
export function comingYearEnd(now = new Date()): number {
  const year = now.getUTCFullYear();
  return now < new Date(`${year}-12-27T16:00:00Z`) ? year : year + 1;
}

/** Waits until the run's progress shows `step`. */
export function waitForStep(client: Client, workflowId: string, step: string): Promise<RunbookProgress> {
  return waitForProgress(client, workflowId, step, (p) => p.step === step);
}

/** Waits until the run's progress shows what `seen` looks for (`what`, for the error). */
export async function waitForProgress(
  client: Client,
  workflowId: string,
  what: string,
  seen: (progress: RunbookProgress) => boolean,
): Promise<RunbookProgress> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + patienceMs;
  const watch = new HistoryWatch(client, workflowId);
  for (;;) {
    const progress = await handle.query(progressQuery).catch(() => undefined);
    if (progress && seen(progress)) return progress;
    if (Date.now() > deadline) throw new Error(`${workflowId} did not reach ${what} (at ${progress?.step})`);
    await watch.next(progress !== undefined);
  }
}

/** Waits until no voucher of `year` is in flight: what the banks took at the sandbox's start is settled. */
export async function trafficSettled(sandbox: SandboxHandle, year: number): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const row = await sandbox.treasury
      .selectFrom('vouchers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('fiscal_year', '=', year)
      .where('status', 'in', ['pending_send', 'sent', 'accepted'])
      .executeTakeFirstOrThrow();
    if (Number(row.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`${row.n} voucher(s) of ${year} still in flight`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** What the rollover left: the years' states, the notices, finance's quotas and each bank's own books. */
export async function rolloverFacts(estate: { sandbox: SandboxHandle }, year: number) {
  const db = estate.sandbox.treasury;
  const years = Object.fromEntries(
    (
      await db
        .selectFrom('fiscal_years')
        .selectAll()
        .where('year', 'in', [year, year + 1])
        .execute()
    ).map((r) => [r.year, r.state]),
  );
  const notices = await db
    .selectFrom('quota_year_notices')
    .selectAll()
    .where('notice_id', 'like', `YE${year}-%`)
    .orderBy('notice_id')
    .execute();
  const quotas = await db
    .selectFrom('quotas')
    .selectAll()
    .where('fiscal_year', 'in', [year, year + 1])
    .execute();
  const unpaid = await db
    .selectFrom('vouchers')
    .select('voucher_no')
    .where('fiscal_year', '=', year)
    .where('status', 'in', ['draft', 'pending_send', 'timed_out'])
    .execute();
  const books = estate.sandbox.banks;
  return {
    years,
    notices,
    openQuotas: (y: number) => quotas.filter((q) => q.fiscal_year === y && q.status === 'active').length,
    issued: (y: number) =>
      quotas.filter((q) => q.fiscal_year === y).reduce((t, q) => t + Number(q.amount_fen), 0),
    unpaid: () => unpaid.length,
    /** How many notices of each kind the bank decided (answered once each, whatever was re-sent). */
    bankAnswers(bank: string) {
      const kinds = books
        .bank(bank)
        .yearEnd.answeredNotices()
        .map((n) => n.kind);
      return {
        cancellation: kinds.filter((k) => k === 'cancellation').length,
        restoration: kinds.filter((k) => k === 'restoration').length,
      };
    },
    bankRestarted: (bank: string, y: number) => books.bank(bank).yearEnd.restartedSerials(y),
  };
}
