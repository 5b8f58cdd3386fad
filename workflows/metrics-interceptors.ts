/**
 * Counts every runbook run as it starts and as it ends (workers/workflow-bundle.ts builds this
 * module into every bundle): the runbook from the catalog by workflow type — the locks and batches
 * runbooks start are not runs of their own — and the outcome the run set as its `Outcome` search
 * attribute; `failed` when it failed, `cancelled` when it was cancelled. A run whose workflow task
 * fails (a defect, retried by Temporal) has not ended. Nothing here adds a command, so runs recorded
 * before it replay unchanged.
 */
import { TemporalFailure } from '@temporalio/common';
import { isCancellation, workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { runbookEntries } from './catalog.ts';
import { countRunEnded, countRunStarted } from './shared/run-metrics.ts';
import { OutcomeKey } from './shared/search-attributes.ts';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        const info = workflowInfo();
        const runbook = runbookEntries().find((e) => e.workflowType === info.workflowType)?.id;
        if (!runbook) return next(input);
        countRunStarted(runbook);
        const took = () => (Date.now() - info.runStartTime.getTime()) / 1000;
        try {
          const result = await next(input);
          countRunEnded(runbook, workflowInfo().typedSearchAttributes.get(OutcomeKey) ?? 'unknown', took());
          return result;
        } catch (err) {
          if (isCancellation(err)) countRunEnded(runbook, 'cancelled', took());
          else if (err instanceof TemporalFailure) countRunEnded(runbook, 'failed', took());
          throw err;
        }
      },
    },
  ],
});
