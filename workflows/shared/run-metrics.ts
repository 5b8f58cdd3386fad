/**
 * What runs count on the worker's metrics endpoint, from workflow code: the SDK's workflow meter
 * adds the namespace, task queue and workflow type, and records nothing while a run replays, so a
 * run recovered on another worker is not counted twice. Nothing here is a command: runs in flight
 * replay unchanged.
 */
import { metricMeter } from '@temporalio/workflow';
import { businessMetrics, type MetricDescriptor } from '../../domain/business-metrics.ts';
import type { Finding } from '../../domain/runbooks/daily-inspection.types.ts';

const counter = (m: MetricDescriptor) => metricMeter.createCounter(m.name, m.unit, m.description);
const seconds = (m: MetricDescriptor) => metricMeter.createHistogram(m.name, 'float', m.unit, m.description);

export function countRunStarted(runbook: string): void {
  counter(businessMetrics.runsStarted).add(1, { runbook });
}

export function countRunEnded(runbook: string, outcome: string, tookSeconds: number): void {
  counter(businessMetrics.runsEnded).add(1, { runbook, outcome });
  seconds(businessMetrics.runDuration).record(tookSeconds, { runbook, outcome });
}

export function countApprovalWait(
  runbook: string,
  step: string,
  outcome: string,
  waitedSeconds: number,
): void {
  seconds(businessMetrics.approvalWait).record(waitedSeconds, { runbook, step, outcome });
}

export function countFindings(findings: readonly Finding[]): void {
  const found = counter(businessMetrics.findings);
  for (const f of findings) found.add(1, { check: f.check, bank: f.bank, light: f.light });
}

export function countVouchersResent(bank: string, vouchers: number): void {
  counter(businessMetrics.vouchersResent).add(vouchers, { bank });
}

/** A reconciliation's differences of one bank, by type. */
export function countReconciliationDifferences(bank: string, counts: Partial<Record<string, number>>): void {
  const differences = counter(businessMetrics.reconciliationDifferences);
  for (const [type, n] of Object.entries(counts)) if (n) differences.add(n, { bank, type });
}
