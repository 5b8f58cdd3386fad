/**
 * Lock activities (runbooks queue) for workflows/shared/locks.ts:
 * - `newLockToken`: the holder's token, drawn here at random. A workflow's own random numbers come
 *   from a seed derived from its run, so anyone who knows the run could compute them; this one
 *   exists only in the holder's (encrypted) history, and the lock keeps only its digest.
 * - `releaseLock`: the release, through the lock's `releaseLock` update with the token (a workflow
 *   cannot send an update itself).
 * - `refuseForeignLock`: what to do when a lock id is taken. A lock one of the project's runs holds
 *   (a `resourceLock` on the runbooks queue, the child of a project run) is respected; anything else
 *   under a runbook's lock id — pre-started by someone with access to Temporal — is recorded in the
 *   audit trail (`lock-refused`), logged and terminated, and the caller takes the lock.
 */
import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AuditWriter } from '../connectors/audit/store.ts';
import type { CurrentRunReader } from '../connectors/temporal/current-run.ts';
import type { RunFacts, RunFactsReader } from '../connectors/temporal/run-facts.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { records, writes } from './activity-kinds.ts';

/** The workflow type of a resource lock (workflows/resource-lock.ts). */
export const lockWorkflowType = 'resourceLock';

export interface HeldLockRef {
  lockId: string;
  /** The lock's run, as started: a later lock under the same id is another holder's. */
  runId: string;
}

export function createLockActivities(deps: {
  site: SiteConfig;
  client: Client;
  current: CurrentRunReader;
  runs: RunFactsReader;
  isProjectRun(facts: RunFacts): boolean;
  audit: AuditWriter;
  log: Logger;
}) {
  const { site, client, current, runs, isProjectRun, audit, log } = deps;
  return {
    async newLockToken(): Promise<{ token: string }> {
      return { token: randomBytes(32).toString('hex') };
    },

    /** A record: retried for as long as evidence is, since a lock must not stay held over an outage. */
    releaseLock: records(async ({ lockId, runId, token }: HeldLockRef & { token: string }): Promise<void> => {
      try {
        await client.workflow.getHandle(lockId, runId).executeUpdate('releaseLock', { args: [{ token }] });
      } catch (err) {
        // Ended already (its holder closed, or an earlier attempt released it): nothing to release.
        if (err instanceof WorkflowNotFoundError) return;
        // Refused: the lock still ends when its holder closes (it is a child the holder's close terminates).
        if (err instanceof WorkflowUpdateFailedError) {
          log.warn(
            { lockId, runId, err: err.cause?.message },
            'lock release refused; it ends with its holder',
          );
          return;
        }
        throw err;
      }
    }),

    /**
     * A write: it terminates a lock someone else started under the id. `by`: the project run
     * holding the lock; absent when the id is free now (a foreign lock is ended).
     */
    refuseForeignLock: writes(async ({ lockId }: { lockId: string }): Promise<{ by?: string }> => {
      const lock = await current.current(lockId);
      if (!lock?.running) return {};
      const parent = lock.parent && (await runs.facts(lock.parent));
      const ours =
        lock.workflowType === lockWorkflowType &&
        lock.taskQueue === site.temporal.taskQueues.runbooks &&
        parent !== undefined &&
        isProjectRun(parent);
      if (ours && lock.parent) return { by: lock.parent.workflowId };

      const { workflowExecution: taker, workflowType } = Context.current().info;
      const found = {
        lockId,
        runId: lock.runId,
        workflowType: lock.workflowType,
        taskQueue: lock.taskQueue,
        parent: lock.parent ?? null,
      };
      log.warn(
        { refused: 'foreign lock', ...found, takenBy: taker?.workflowId },
        'foreign lock refused: terminated',
      );
      await audit.append({
        workflowId: taker?.workflowId ?? lockId,
        ...(taker && { runId: taker.runId }),
        runbook: workflowType ?? lockWorkflowType,
        kind: 'lock-refused',
        actor: 'system',
        subject: lockId,
        payload: found,
        idempotencyKey: `${taker?.workflowId}/${taker?.runId}/lock-refused/${lock.runId}`,
      });
      try {
        await client.workflow
          .getHandle(lockId, lock.runId)
          .terminate(
            `not a lock of this site's runbooks; ${taker?.workflowId ?? 'a runbook'} takes ${lockId}`,
          );
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return {};
    }),
  };
}
