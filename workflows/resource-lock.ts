/**
 * A lock on one resource (a channel, a bank's voucher queue…), held by one runbook at a time
 * (DESIGN.md §2, "One runbook per resource at a time"). The holder starts it as a child
 * workflow with the id `lock/<kind>/<name>`: Temporal itself refuses a second child with the
 * same id while the first runs, and ends the lock when its holder closes in any way —
 * completed, failed, terminated — so a crashed run cannot leave a channel locked.
 *
 * Only its holder releases it early: the lock's input keeps the digest of a token only the holder
 * has (drawn by a worker, activities/locks.ts), and the `releaseLock` update's validator refuses
 * any other — with no event in history, logged (workflows/interceptors.ts). A `release` signal,
 * which anyone may send, releases only locks taken before tokens (their holders send it); any
 * other lock logs and ignores it.
 */
import {
  ApplicationFailure,
  condition,
  defineSignal,
  defineUpdate,
  log,
  setHandler,
} from '@temporalio/workflow';
import { planDigest } from '../domain/approvals/decision.ts';
import { ErrorKind } from '../domain/errors.ts';

export const releaseLockSignal = defineSignal('release');
export const releaseLockUpdate = defineUpdate<{ released: string }, [{ token: string }]>('releaseLock');

export interface ResourceLockInput {
  resource: string;
  holder: string;
  /** planDigest of the holder's token (absent on locks taken before tokens). */
  tokenDigest?: string;
}

export async function resourceLock(input: ResourceLockInput): Promise<void> {
  const { resource, tokenDigest } = input;
  let released = false;
  setHandler(releaseLockSignal, () => {
    if (tokenDigest === undefined) released = true;
    else log.warn('lock release refused: a signal does not release a lock', { refused: 'release', resource });
  });
  setHandler(
    releaseLockUpdate,
    () => {
      released = true;
      return { released: resource };
    },
    {
      validator: (arg) => {
        const token: unknown = (arg as { token?: unknown } | undefined)?.token;
        const holds =
          tokenDigest !== undefined &&
          typeof token === 'string' &&
          token.length <= 128 &&
          planDigest(token) === tokenDigest;
        if (holds) return;
        throw ApplicationFailure.create({
          type: ErrorKind.ResourceLocked,
          nonRetryable: true,
          message: `releaseLock refused: only the run holding ${resource} releases it`,
        });
      },
    },
  );
  await condition(() => released);
}
