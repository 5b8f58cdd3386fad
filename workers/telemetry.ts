/**
 * The worker's Prometheus endpoint (`metrics.workerPort`): the Temporal SDK's own metrics from the
 * Runtime's exporter, and on the same endpoint the runbooks' — counted in workflow code
 * (workflows/shared/run-metrics.ts) and by this process through the Runtime's meter
 * (worker-metrics.ts). Names follow Prometheus' conventions: counters end in `_total`, durations
 * are seconds and say so.
 */
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { SiteConfig } from '../temporal.config.ts';

/** Bucket bounds in seconds: the SDK's default (50 ms to 10 s) fits none of these. */
const buckets: Record<string, number[]> = {
  jincai_mq_command_duration: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  jincai_run_duration: [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600],
  jincai_approval_wait: [60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600],
};

/**
 * Installs the process's Temporal Runtime with `logger`, exporting metrics to Prometheus unless
 * the site turned them off; call before any connection. A port already taken is named as the site
 * file's field.
 */
export function installRuntime(site: SiteConfig, logger: RuntimeOptions['logger']): void {
  const { enabled, host, workerPort } = site.metrics;
  const bindAddress = `${host.includes(':') ? `[${host}]` : host}:${workerPort}`;
  try {
    Runtime.install({
      ...(logger && { logger }),
      ...(enabled && {
        telemetryOptions: {
          metrics: {
            prometheus: {
              bindAddress,
              countersTotalSuffix: true,
              unitSuffix: true,
              useSecondsForDurations: true,
              histogramBucketOverrides: buckets,
            },
          },
        },
      }),
    });
  } catch (err) {
    throw new Error(`metrics.workerPort: cannot serve metrics at ${bindAddress}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
