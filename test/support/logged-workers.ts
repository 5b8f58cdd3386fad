/**
 * The project's real workers (createWorkers, so the guard in front of every activity) for a test
 * that reads what they log: their pino lines are captured as objects, e.g. `activity refused`.
 */
import { Writable } from 'node:stream';
import type { NativeConnection } from '@temporalio/worker';
import { createLogger } from '../../connectors/logging/logger.ts';
import { createWorkers, type Zone } from '../../workers/create-workers.ts';
import { testDataConverter } from './codec.ts';
import type { TestEstate } from './estate.ts';

export interface LoggedWorkers {
  /** Every line logged so far, parsed. */
  lines: Record<string, unknown>[];
  /** Starts real workers for the zones; they stop with `stop`. */
  start(zones: Zone[]): Promise<void>;
  stop(): Promise<void>;
}

export function loggedWorkers(estate: TestEstate, connection: NativeConnection): LoggedWorkers {
  const lines: Record<string, unknown>[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const running: { stop(): Promise<void> }[] = [];
  return {
    lines,
    async start(zones) {
      const zw = await createWorkers({
        site: estate.site,
        connection,
        zones,
        log: createLogger('worker', 'warn', capture),
        dataConverter: testDataConverter(),
      });
      const run = Promise.all(zw.workers.map((w) => w.run()));
      running.push({
        async stop() {
          zw.workers.forEach((w) => w.shutdown());
          await run;
          await zw.close();
        },
      });
    },
    async stop() {
      for (const r of running.splice(0).reverse()) await r.stop();
    },
  };
}
