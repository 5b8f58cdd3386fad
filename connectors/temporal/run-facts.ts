/**
 * What Temporal itself says about a run: its workflow type, task queue, parent, and the run id of
 * its start (a reset keeps it, a new start under the same workflow id does not), read from the
 * run's first history event through the worker's own connection. None of these ever change for
 * a run, so answers are cached by workflow and run id. The worker's guard asks this instead of trusting what
 * an activity's input says about its caller.
 */
import type { WorkflowService } from '@temporalio/client';

export interface RunFacts {
  workflowType: string;
  taskQueue: string;
  parent?: { workflowId: string; runId: string };
  /** The run id recorded when the run was started (kept across resets). */
  originalRunId: string;
  /** When the run was started (its first event). */
  startTimeMs: number;
}

export interface RunFactsReader {
  /** The facts of a run, or undefined when Temporal knows no such run. */
  facts(run: { workflowId: string; runId: string }): Promise<RunFacts | undefined>;
}

/** gRPC INVALID_ARGUMENT (not a run id) and NOT_FOUND: the namespace has no such execution. */
const noSuchRun = new Set([3, 5]);
const cacheLimit = 10_000;

export function createRunFactsReader(service: WorkflowService, namespace: string): RunFactsReader {
  const cache = new Map<string, RunFacts>();
  return {
    async facts({ workflowId, runId }) {
      const key = `${workflowId}\n${runId}`;
      const cached = cache.get(key);
      if (cached) return cached;
      let event;
      try {
        const page = await service.getWorkflowExecutionHistory({
          namespace,
          execution: { workflowId, runId },
          maximumPageSize: 1,
        });
        event = page.history?.events?.[0];
      } catch (err) {
        if (noSuchRun.has((err as { code?: number }).code ?? 0)) return undefined;
        throw err;
      }
      const first = event?.workflowExecutionStartedEventAttributes;
      if (!first) return undefined;
      const parent = first.parentWorkflowExecution;
      const facts: RunFacts = {
        workflowType: first.workflowType?.name ?? '',
        taskQueue: first.taskQueue?.name ?? '',
        ...(parent?.workflowId &&
          parent.runId && { parent: { workflowId: parent.workflowId, runId: parent.runId } }),
        originalRunId: first.originalExecutionRunId || runId,
        startTimeMs:
          Number(event?.eventTime?.seconds ?? 0) * 1000 + Math.round((event?.eventTime?.nanos ?? 0) / 1e6),
      };
      if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
      cache.set(key, facts);
      return facts;
    },
  };
}
