/**
 * Taking and releasing a resource lock from inside a runbook (see workflows/resource-lock.ts).
 * The run draws a token (activities/locks.ts) and starts the lock with the token's digest; it
 * releases the lock with the token, through the lock's validated update. A lock held by another
 * of the project's runs fails the caller with ResourceLocked, naming the lock's id, before
 * anything has been changed; a lock someone else started under that id is refused (recorded,
 * logged, terminated) and taken.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ParentClosePolicy,
  patched,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createLockActivities } from '../../activities/locks.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import { ErrorKind } from '../../domain/errors.ts';
import type { resourceLock, ResourceLockInput } from '../resource-lock.ts';
import { releaseLockSignal } from '../resource-lock.ts';
import { readActivities, recordActivities, writeActivities } from './retry-profiles.ts';

type Locks = ReturnType<typeof createLockActivities>;

export interface HeldLock {
  id: string;
  release(): Promise<void>;
}

export async function acquireLock(kind: string, name: string): Promise<HeldLock> {
  const id = `lock/${kind}/${name}`;
  const args = { resource: `${kind}/${name}`, holder: workflowInfo().workflowId };
  // Runs begun before lock tokens replay as they were decided: released by a signal.
  if (!patched('resource-lock-token')) return untokenedLock(id, kind, name, args);

  const { token } = await readActivities<Locks>().newLockToken();
  const start = () => startLock(id, { ...args, tokenDigest: planDigest(token) });
  let runId: string;
  try {
    runId = await start();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const { by } = await writeActivities<Locks>().refuseForeignLock({ lockId: id });
    if (by !== undefined) throw locked(kind, name, id, by);
    // The foreign lock is gone; another of our runs may still have been quicker.
    runId = await start().catch((again: unknown) => {
      throw again instanceof WorkflowExecutionAlreadyStartedError ? locked(kind, name, id) : again;
    });
  }
  // Retried for as long as a record would be; a lock that has ended already counts as released.
  const release = recordActivities<Locks>();
  return { id, release: () => release.releaseLock({ lockId: id, runId, token }) };
}

async function startLock(id: string, input: ResourceLockInput): Promise<string> {
  const child = await startChild<typeof resourceLock>('resourceLock', {
    workflowId: id,
    args: [input],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
  });
  return child.firstExecutionRunId;
}

async function untokenedLock(
  id: string,
  kind: string,
  name: string,
  args: ResourceLockInput,
): Promise<HeldLock> {
  try {
    const child = await startChild<typeof resourceLock>('resourceLock', {
      workflowId: id,
      args: [args],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
    });
    return { id, release: () => child.signal(releaseLockSignal) };
  } catch (err) {
    throw err instanceof WorkflowExecutionAlreadyStartedError ? locked(kind, name, id) : err;
  }
}

function locked(kind: string, name: string, id: string, by?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorKind.ResourceLocked,
    nonRetryable: true,
    message: `${kind} ${name} is locked by ${by ?? 'another run'} (${id}); wait for it to finish`,
    details: [id],
  });
}
