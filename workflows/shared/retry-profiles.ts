/**
 * The retry and timeout profile of each kind of activity, bound to it: an activity declares its
 * kind where it is defined (activities/activity-kinds.ts), and a workflow reaches it only through
 * the proxy of that kind, which carries the activities of that kind and no other. The linter keeps
 * `proxyActivities` to this file.
 * - reads (`readActivities`): look only; retried freely within a short budget.
 * - writes (`writeActivities`): change something and are safe to repeat (idempotent, or keyed by
 *   an idempotency key derived from the workflow id); bounded attempts, then the run stops with
 *   evidence.
 * - records (`recordActivities`): append evidence (audit, notifications, reports); retried for a
 *   long time, because a run must not lose its record over a short database or network outage.
 */
import { proxyActivities, type ActivityInterfaceFor, type ActivityOptions } from '@temporalio/workflow';
import type { activityKind, ActivityKind } from '../../activities/activity-kinds.ts';
import { nonRetryableErrorKinds } from '../../domain/errors.ts';

const profiles: Record<ActivityKind, ActivityOptions> = {
  read: {
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '3 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '15 seconds',
      maximumAttempts: 4,
      nonRetryableErrorTypes: nonRetryableErrorKinds,
    },
  },
  write: {
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '5 minutes',
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 5,
      nonRetryableErrorTypes: nonRetryableErrorKinds,
    },
  },
  record: {
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: nonRetryableErrorKinds,
    },
  },
};

type KindOf<F> = F extends { readonly [activityKind]: infer K } ? K : 'read';

/** The activities of `A` declared as `K`. */
export type ActivitiesOf<A, K extends ActivityKind> = {
  [N in keyof A as KindOf<A[N]> extends K ? N : never]: A[N];
};

/** Where the activities run: the task queue of the zone that reaches their system (default: the workflow's). */
export interface ActivityPlace {
  taskQueue?: string;
}

/** The read activities of `A`, on the read profile. */
export function readActivities<A>(place: ActivityPlace = {}) {
  return proxyActivities<ActivitiesOf<A, 'read'>>({ ...profiles.read, ...place });
}

/**
 * The read activities of `A` for looks that ask many systems in one go (every bank's queue manager
 * in one activity): the read profile, with a minute per attempt instead of ten seconds.
 */
export function bulkReadActivities<A>(place: ActivityPlace = {}) {
  return proxyActivities<ActivitiesOf<A, 'read'>>({
    ...profiles.read,
    startToCloseTimeout: '1 minute',
    ...place,
  });
}

/**
 * The read activities of `A` for work that reads a large file (a million-line statement): up to
 * an hour an attempt, alive as long as it heartbeats. A worker that dies is noticed within the
 * heartbeat timeout, and the next attempt takes up from the last heartbeat's checkpoint.
 */
export function longReadActivities<A>(place: ActivityPlace = {}) {
  return proxyActivities<ActivitiesOf<A, 'read'>>({
    ...profiles.read,
    startToCloseTimeout: '1 hour',
    scheduleToCloseTimeout: '3 hours',
    heartbeatTimeout: '15 seconds',
    ...place,
  });
}

/**
 * The write activities of `A` for changes that take as long as their size (an application's
 * backup, a package's files, a table's copy): the mutation profile, with up to an hour an attempt,
 * alive as long as it heartbeats, so a worker that dies is noticed within the heartbeat timeout.
 */
export function longWriteActivities<A>(place: ActivityPlace = {}) {
  return proxyActivities<ActivitiesOf<A, 'write'>>({
    ...profiles.write,
    startToCloseTimeout: '1 hour',
    scheduleToCloseTimeout: '3 hours',
    heartbeatTimeout: '15 seconds',
    ...place,
  });
}

/** The write activities of `A`, on the mutation profile. */
export function writeActivities<A>(place: ActivityPlace = {}) {
  return proxyActivities<ActivitiesOf<A, 'write'>>({ ...profiles.write, ...place });
}

/** The record activities of `A`, on the record profile. */
export function recordActivities<A>(place: ActivityPlace = {}) {
  return proxyActivities<ActivitiesOf<A, 'record'>>({ ...profiles.record, ...place });
}

/** What `readActivities<A>()` gives: the read activities of `A`. */
export type ReadProxy<A> = ActivityInterfaceFor<ActivitiesOf<A, 'read'>>;
/** What `writeActivities<A>()` gives: the write activities of `A`. */
export type WriteProxy<A> = ActivityInterfaceFor<ActivitiesOf<A, 'write'>>;
/** What `recordActivities<A>()` gives: the record activities of `A`. */
export type RecordProxy<A> = ActivityInterfaceFor<ActivitiesOf<A, 'record'>>;
