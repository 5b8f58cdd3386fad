/**
 * A lock on one resource (a channel, a bank's voucher queue…), held by one runbook at a time
 * (DESIGN.md §2, "One runbook per resource at a time"). The holder starts it as a child
 * workflow with the id `lock/<kind>/<name>`: Temporal itself refuses a second child with the
 * same id while the first runs, and ends the lock when its holder closes in any way —
 * completed, failed, terminated — so a crashed run cannot leave a channel locked.
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const releaseLockSignal = defineSignal('release');

export interface ResourceLockInput {
  resource: string;
  holder: string;
}

export async function resourceLock(_input: ResourceLockInput): Promise<void> {
  let released = false;
  setHandler(releaseLockSignal, () => {
    released = true;
  });
  await condition(() => released);
}
