/**
 * Whether an approved run still holds its resource locks, asked of Temporal where a change is
 * about to happen (the proof check calls it): every lock child the run's history shows as running
 * must be the current, running run under that lock id, started by this very run on the runbooks
 * queue. So a run reset past the taking of its lock (the lock ended with the run it was reset
 * from) or one whose lock ended and was taken by another changes nothing. Every change happens
 * under a lock: an approved run that holds none is refused too.
 */
import { lockWorkflowType } from '../activities/locks.ts';
import type { CurrentRunReader } from '../connectors/temporal/current-run.ts';

/** Why `approved` does not hold its locks now, or undefined when it does. */
export type LockCheck = (approved: { workflowId: string; runId: string }) => Promise<string | undefined>;

export function createLockCheck(runs: CurrentRunReader, runbooksQueue: string): LockCheck {
  return async (approved) => {
    const locks = (await runs.pendingChildren(approved)).filter((c) => c.workflowType === lockWorkflowType);
    const run = `${approved.workflowId} run ${approved.runId}`;
    if (locks.length === 0) return `${run} holds no resource lock`;
    for (const lock of locks) {
      const now = await runs.current(lock.workflowId);
      const held =
        now?.running === true &&
        now.runId === lock.runId &&
        now.workflowType === lockWorkflowType &&
        now.taskQueue === runbooksQueue &&
        now.parent?.workflowId === approved.workflowId &&
        now.parent.runId === approved.runId;
      if (!held) return `${run} does not hold ${lock.workflowId} (its lock has ended); start a new run`;
    }
    return undefined;
  };
}
