/**
 * `runbook list`: the runbooks' runs, newest first — by workflow type from the registry, so the locks
 * they hold and the batches they start as child workflows never show among them. A filter is a
 * field of `RunListFilter` that adds one clause to the visibility query.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { formatInstant } from '../../domain/display.ts';
import { runbookRegistry } from './runbook-registry.ts';

export interface RunListFilter {
  /** One runbook by its name (`channel-recovery`). */
  runbook?: string;
}

export class RunListFilterError extends Error {}

const quote = (value: string) => `'${value}'`;

/** The visibility query for the runs the filter selects; an unknown runbook is refused by name. */
export function runListQuery(filter: RunListFilter): string {
  if (filter.runbook !== undefined && !(filter.runbook in runbookRegistry)) {
    throw new RunListFilterError(
      `--runbook: unknown runbook "${filter.runbook}"; expected one of ${Object.keys(runbookRegistry).join(', ')}`,
    );
  }
  const types =
    filter.runbook === undefined
      ? Object.values(runbookRegistry).map((e) => e.workflowType)
      : [runbookRegistry[filter.runbook]?.workflowType ?? ''];
  const clauses = [`WorkflowType IN (${types.map(quote).join(', ')})`];
  return clauses.join(' AND ');
}

const runbookOfType = (type: string) =>
  Object.entries(runbookRegistry).find(([, e]) => e.workflowType === type)?.[0] ?? type;

/** One run: when it started, its state, the runbook, its outcome (or light) and whether it waits for a decision. */
export function runListLine(run: WorkflowExecutionInfo, timeZone: string): string {
  const attribute = (key: string) => String(run.searchAttributes?.[key]?.[0] ?? '');
  const outcome = attribute('Light') || attribute('Outcome') || '-';
  const waiting = run.searchAttributes?.PendingApproval?.[0] === true ? '  [awaiting approval]' : '';
  return `${formatInstant(run.startTime.toISOString(), timeZone)}  ${run.status.name.padEnd(10)}  ${runbookOfType(run.type).padEnd(27)}  ${outcome.padEnd(14)}  ${run.workflowId}${waiting}`;
}
