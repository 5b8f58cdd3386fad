/**
 * Named retry and timeout profiles for proxyActivities. Pick by what the activity does:
 * - readOnly: looks only; retry freely within a short budget.
 * - mutation: changes something and is safe to repeat (idempotent, or keyed by an idempotency
 *   key derived from the workflow id); bounded attempts, then the run stops with evidence.
 * - record: appends evidence (audit, notifications); retried for a long time, because a run
 *   must not lose its record over a short database or network outage.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { nonRetryableErrorKinds } from '../../domain/errors.ts';

export function readOnly(): ActivityOptions {
  return {
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '3 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '15 seconds',
      maximumAttempts: 4,
      nonRetryableErrorTypes: nonRetryableErrorKinds,
    },
  };
}

export function mutation(): ActivityOptions {
  return {
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '5 minutes',
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 5,
      nonRetryableErrorTypes: nonRetryableErrorKinds,
    },
  };
}

export function record(): ActivityOptions {
  return {
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '1 hour',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: nonRetryableErrorKinds,
    },
  };
}
