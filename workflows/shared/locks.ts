/**
 * Taking and releasing a resource lock from inside a runbook (see workflows/resource-lock.ts).
 * A lock held by another run fails the caller with ResourceLocked, naming the lock's id, before
 * anything has been changed.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ParentClosePolicy,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { ErrorKind } from '../../domain/errors.ts';
import type { resourceLock } from '../resource-lock.ts';
import { releaseLockSignal } from '../resource-lock.ts';

export interface HeldLock {
  id: string;
  release(): Promise<void>;
}

export async function acquireLock(kind: string, name: string): Promise<HeldLock> {
  const id = `lock/${kind}/${name}`;
  let child: ChildWorkflowHandle<typeof resourceLock>;
  try {
    child = await startChild<typeof resourceLock>('resourceLock', {
      workflowId: id,
      args: [{ resource: `${kind}/${name}`, holder: workflowInfo().workflowId }],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.create({
        type: ErrorKind.ResourceLocked,
        nonRetryable: true,
        message: `${kind} ${name} is locked by another run (${id}); wait for it to finish`,
        details: [id],
      });
    }
    throw err;
  }
  return { id, release: () => child.signal(releaseLockSignal) };
}
