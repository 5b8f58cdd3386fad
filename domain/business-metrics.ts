/**
 * The runbooks' own metrics on the worker's Prometheus endpoint, declared once for the workflow
 * code that counts most of them and the worker process that counts the rest (and shows every bank's
 * counters at zero from its start, so a board has a line to draw before the first event). Labels
 * are few and bounded — runbook, outcome, bank, check, step — never a run, voucher or person.
 * The exporter adds `_total` to a counter's name and the unit to a histogram's (`_seconds`); a
 * gauge's name is as written.
 */

export interface MetricDescriptor {
  name: string;
  unit: string;
  description: string;
}

const metric = (name: string, unit: string, description: string): MetricDescriptor => ({
  name,
  unit,
  description,
});

export const businessMetrics = {
  runsStarted: metric('jincai_runs_started', 'runs', 'Runbook runs started, by runbook'),
  runsEnded: metric(
    'jincai_runs_ended',
    'runs',
    'Runbook runs ended, by runbook and outcome (failed: the run failed; cancelled)',
  ),
  runDuration: metric('jincai_run_duration', 'seconds', 'How long runbook runs took, by runbook and outcome'),
  approvalWait: metric(
    'jincai_approval_wait',
    'seconds',
    'How long an approval gate waited for its outcome, by runbook, step and outcome',
  ),
  approvalsWaiting: metric('jincai_approvals_waiting', 'approvals', 'Approval gates waiting now, by runbook'),
  oldestApprovalWait: metric(
    'jincai_approval_oldest_wait_seconds',
    'seconds',
    'Age of the oldest approval gate waiting now, by runbook (0: none waits)',
  ),
  findings: metric(
    'jincai_inspection_findings',
    'findings',
    'Daily inspection findings, by check, bank and light',
  ),
  vouchersResent: metric(
    'jincai_vouchers_resent',
    'vouchers',
    'Vouchers put back to be sent again under their own numbers after the bank had no record of them, by bank',
  ),
  reconciliationDifferences: metric(
    'jincai_reconciliation_differences',
    'differences',
    "Differences between finance's records and a bank's statement, by bank and type",
  ),
} as const;
