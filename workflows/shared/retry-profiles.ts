/**
 * Named retry and timeout profiles for proxyActivities. Pick by what the activity does:
 * - readOnly: looks only; retry freely within a short budget.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { nonRetryableErrorKinds } from './errors.ts';

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
