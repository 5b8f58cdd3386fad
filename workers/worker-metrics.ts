/**
 * What the worker process counts itself on its metrics endpoint, beside what runs count in
 * workflow code (workflows/shared/run-metrics.ts): the approval gates waiting now and the oldest
 * one's age, looked up every `metrics.approvalsEvery` by the runbooks zone, and each bank's
 * counters shown at zero from the start, so a board has a line before the first event.
 */
import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import type { Logger } from 'pino';
import { businessMetrics } from '../domain/business-metrics.ts';
import { differenceTypes } from '../domain/reconciliation/classify.ts';
import { approvalStateQuery } from '../workflows/shared/approval-definitions.ts';

/** Shows the per-bank counters of the db zone's work at zero until something is counted. */
export function showBankCountersAtZero(meter: MetricMeter, banks: readonly string[]): void {
  const { vouchersResent, reconciliationDifferences } = businessMetrics;
  const resent = meter.createCounter(vouchersResent.name, vouchersResent.unit, vouchersResent.description);
  const differences = meter.createCounter(
    reconciliationDifferences.name,
    reconciliationDifferences.unit,
    reconciliationDifferences.description,
  );
  for (const bank of banks) {
    resent.add(0, { bank });
    for (const type of differenceTypes) differences.add(0, { bank, type });
  }
}

/** At most this many waiting runs are looked at in one round. */
const maxRuns = 1000;
const queryTimeoutMs = 10_000;

/**
 * Counts the approval gates waiting, by runbook, now and then every `everyMs`: the runs visibility
 * lists as `PendingApproval`, each asked for its `approvalState` (visibility lags a run a little;
 * the run's own answer decides). Every runbook's gauges are set each round, 0 when none waits.
 * Returns what stops it.
 */
export function watchApprovalsWaiting(options: {
  client: Client;
  meter: MetricMeter;
  runbooks: readonly string[];
  everyMs: number;
  log: Logger;
}): () => Promise<void> {
  const { client, meter, log } = options;
  const { approvalsWaiting, oldestApprovalWait } = businessMetrics;
  const waitingNow = meter.createGauge(
    approvalsWaiting.name,
    'int',
    approvalsWaiting.unit,
    approvalsWaiting.description,
  );
  const oldest = meter.createGauge(
    oldestApprovalWait.name,
    'float',
    oldestApprovalWait.unit,
    oldestApprovalWait.description,
  );

  async function look(): Promise<void> {
    const waiting = new Map(options.runbooks.map((r) => [r, { count: 0, oldestMs: 0 }]));
    const now = Date.now();
    let seen = 0;
    const query = 'PendingApproval = true AND ExecutionStatus = "Running"';
    for await (const run of client.workflow.list({ query })) {
      if (++seen > maxRuns) break;
      const handle = client.workflow.getHandle(run.workflowId, run.runId);
      const state = await client
        .withDeadline(Date.now() + queryTimeoutMs, () => handle.query(approvalStateQuery))
        .catch(() => undefined);
      const pending = state?.pending;
      const tally = pending && waiting.get(pending.runbook);
      if (!pending || !tally) continue;
      tally.count += 1;
      tally.oldestMs = Math.max(tally.oldestMs, now - Date.parse(pending.openedAt));
    }
    for (const [runbook, { count, oldestMs }] of waiting) {
      waitingNow.set(count, { runbook });
      oldest.set(oldestMs / 1000, { runbook });
    }
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const next = () => {
    round = look()
      .catch((err: unknown) => log.warn({ err }, 'approvals waiting not counted this round'))
      .finally(() => {
        if (!stopped) timer = setTimeout(next, options.everyMs);
      });
  };
  next();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await round;
  };
}
