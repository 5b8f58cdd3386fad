/**
 * Builds the workers of one process: which task queues it serves is a deployment choice (one
 * process for everything in the embedded default; one per network zone at a real site), the
 * activities each queue carries are not.
 */
import { fileURLToPath } from 'node:url';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createControlActivities } from '../activities/control.ts';
import { createHostActivities } from '../activities/host.ts';
import { createMqActivities } from '../activities/mq.ts';
import { createTreasuryActivities } from '../activities/treasury.ts';
import { createWorkingDayCalendar } from '../connectors/calendar/working-days.ts';
import { createLocalHost } from '../connectors/host/local-host.ts';
import { createMqAdmin } from '../connectors/mq/create-mq-admin.ts';
import { openTreasuryDb } from '../connectors/treasury/database.ts';
import type { SiteConfig } from '../temporal.config.ts';

export const zones = ['runbooks', 'comm', 'db'] as const;
export type Zone = (typeof zones)[number];

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface ZoneWorkers {
  workers: Worker[];
  /** Releases connectors (database pools) once the workers have stopped. */
  close(): Promise<void>;
}

export async function createWorkers(options: {
  site: SiteConfig;
  connection: NativeConnection;
  zones: readonly Zone[];
  log: Logger;
  workflowBundle?: WorkerOptions['workflowBundle'];
}): Promise<ZoneWorkers> {
  const { site, connection, log } = options;
  const base = { connection, namespace: site.temporal.namespace };
  const queues = site.temporal.taskQueues;
  const workers: Worker[] = [];
  const closers: (() => Promise<void>)[] = [];

  for (const zone of options.zones) {
    if (zone === 'runbooks') {
      workers.push(
        await Worker.create({
          ...base,
          taskQueue: queues.runbooks,
          ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
          activities: createControlActivities({ site }),
        }),
      );
    } else if (zone === 'comm') {
      workers.push(
        await Worker.create({
          ...base,
          taskQueue: queues.comm,
          activities: {
            ...createMqActivities({ mq: createMqAdmin(site.mq), site }),
            ...createHostActivities({ host: createLocalHost(), site }),
          },
        }),
      );
    } else {
      const db = await openTreasuryDb(site.treasury);
      closers.push(() => db.destroy());
      workers.push(
        await Worker.create({
          ...base,
          taskQueue: queues.db,
          activities: createTreasuryActivities({
            db,
            site,
            calendar: createWorkingDayCalendar(site.calendar.files),
          }),
        }),
      );
    }
    log.info({ zone, taskQueue: queues[zone] }, 'worker ready');
  }
  return {
    workers,
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}
