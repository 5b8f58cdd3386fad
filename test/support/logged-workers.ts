/**
 * The project's real workers (createWorkers, so the guard in front of every activity) for a test
 * that reads what they log: their pino lines are captured as objects, e.g. `activity refused`.
 */
import { Writable } from 'node:stream';
import { NativeConnection } from '@temporalio/worker';
import { createLogger } from '../../connectors/logging/logger.ts';
import { createWorkers, type Zone } from '../../workers/create-workers.ts';
import { addTestUsers } from './approvals.ts';
import { testDataConverter } from './codec.ts';
import { startTestEstate, type TestEstate } from './estate.ts';

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

export interface LoggedEstate {
  estate: TestEstate;
  workers: LoggedWorkers;
  /** Stops the workers, their connection and the estate. */
  stop(): Promise<void>;
}

/** An estate with the test users and the real workers of every zone, whose lines the test reads. */
export async function loggedEstate(options: Parameters<typeof startTestEstate>[0]): Promise<LoggedEstate> {
  const estate = await startTestEstate(options);
  await addTestUsers(estate.site);
  const nc = await NativeConnection.connect(estate.temporal.connectionOptions());
  const workers = loggedWorkers(estate, nc);
  await workers.start(['runbooks', 'comm', 'db']);
  return {
    estate,
    workers,
    async stop() {
      await workers.stop();
      await nc.close();
      await estate.stop();
    },
  };
}
