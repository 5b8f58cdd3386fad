/** Baseline for benchmarks: a workflow that calls one activity that does nothing. */
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

export async function benchNoop(): Promise<void> {
  await noop();
}
