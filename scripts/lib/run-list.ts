/**
 * `runbook list`: the runbooks' runs, newest first — by workflow type from the catalog, so the locks
 * they hold and the batches they start as child workflows never show among them. A filter is a
 * field of `RunListFilter` that adds one clause to the visibility query.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { formatInstant } from '../../domain/display.ts';
import { runbookEntries, runbookEntry } from '../../workflows/catalog.ts';

export interface RunListFilter {
  /** One runbook by its name (`channel-recovery`). */
  runbook?: string;
  /**
   * Runs that ended so (the `Outcome` search attribute: `recovered`, `findings`…); `failed` and
   * `cancelled` are the runs Temporal closed so, which set no outcome.
   */
  outcome?: string;
  /** Only runs waiting now at an approval gate (`PendingApproval`). */
  awaitingApproval?: boolean;
}

export class RunListFilterError extends Error {}

const quote = (value: string) => `'${value}'`;

/** The visibility query for the runs the filter selects; an unknown runbook is refused by name. */
export function runListQuery(filter: RunListFilter): string {
  const chosen = filter.runbook === undefined ? runbookEntries() : [runbookEntry(filter.runbook)];
  if (chosen.includes(undefined)) {
    throw new RunListFilterError(
      `--runbook: unknown runbook "${filter.runbook}"; expected one of ${runbookEntries()
        .map((e) => e.id)
        .join(', ')}`,
    );
  }
  const types = chosen.flatMap((e) => (e ? [e.workflowType] : []));
  const clauses = [`WorkflowType IN (${types.map(quote).join(', ')})`];
  if (filter.outcome !== undefined) clauses.push(outcomeClause(filter.outcome));
  if (filter.awaitingApproval) clauses.push(`PendingApproval = true AND ExecutionStatus = 'Running'`);
  return clauses.join(' AND ');
}

/** Temporal's own word for runs that ended without an outcome of theirs. */
const closedWithout: Record<string, string> = { failed: 'Failed', cancelled: 'Canceled' };

function outcomeClause(outcome: string): string {
  const status = closedWithout[outcome];
  if (status) return `ExecutionStatus = '${status}'`;
  // The value goes into the query as it is: only an outcome's own shape is taken.
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(outcome))
    throw new RunListFilterError(
      `--outcome: "${outcome}" is not an outcome (lower-case words joined by "-", such as recovered or completed-with-holds)`,
    );
  return `Outcome = ${quote(outcome)}`;
}

const runbookOfType = (type: string) => runbookEntries().find((e) => e.workflowType === type)?.id ?? type;

/** One run: when it started, its state, the runbook, its outcome (or light) and whether it waits for a decision. */
export function runListLine(run: WorkflowExecutionInfo, timeZone: string): string {
  const attribute = (key: string) => String(run.searchAttributes?.[key]?.[0] ?? '');
  const outcome = attribute('Light') || attribute('Outcome') || '-';
  const waiting = run.searchAttributes?.PendingApproval?.[0] === true ? '  [awaiting approval]' : '';
  return `${formatInstant(run.startTime.toISOString(), timeZone)}  ${run.status.name.padEnd(10)}  ${runbookOfType(run.type).padEnd(27)}  ${outcome.padEnd(14)}  ${run.workflowId}${waiting}`;
}
