/**
 * Sending an update (a decision, a claim) to a run whose workflow task has just failed or timed
 * out — its worker killed or restarted mid-task, a loaded machine — is refused by the server with
 * FAILED_PRECONDITION "Workflow Task in failed state" until the task is retried, a few seconds
 * later. Nothing was admitted, so the same signed update is sent again after a pause; any other
 * error, and this one once `patienceMs` is spent, is the caller's.
 */
import { ServiceError } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';

export function isWorkflowTaskFailed(err: unknown): boolean {
  return err instanceof ServiceError && /Workflow Task in failed state/.test(String(err.cause?.message));
}

export async function updateOnceTaskRecovers<T>(
  send: () => Promise<T>,
  { patienceMs = 30_000, pauseMs = 500 }: { patienceMs?: number; pauseMs?: number } = {},
): Promise<T> {
  const until = Date.now() + patienceMs;
  for (;;) {
    try {
      return await send();
    } catch (err) {
      if (!isWorkflowTaskFailed(err) || Date.now() + pauseMs > until) throw err;
      await sleep(pauseMs);
    }
  }
}
