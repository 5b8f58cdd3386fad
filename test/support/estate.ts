/**
 * A whole estate for an integration test: a temporary site, the sandbox (in-process), a
 * Temporal client that starts runbooks as the front door does (signed-starts.ts), and a worker —
 * in-process, or as a real child process when the test must kill it. Stopping it fails if a change
 * its runs recorded is not in the one mutation record's shape (mutation-records.ts).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createLogger } from '../../connectors/logging/logger.ts';
import { bankInQueue } from '../../sandbox/bank/agent-bank.ts';
import type { ClockState } from '../../sandbox/clock.ts';
import { startSandbox, type SandboxHandle } from '../../sandbox/server.ts';
import { createWorkers } from '../../workers/create-workers.ts';
import { testDataConverter } from './codec.ts';
import { signedStarts } from './signed-starts.ts';
import { unparsedMutationRecords } from './mutation-records.ts';
import { makeTestSite, type RawSite, type TestSite } from './site.ts';
import { testTemporal, type TestTemporal } from './temporal.ts';
import { testBuild, testWorkflowBundle } from './test-build.ts';

export interface TestEstate extends TestSite {
  temporal: TestTemporal;
  sandbox: SandboxHandle;
  client: Client;
  /** Starts the in-process worker (all zones); resolves once it polls. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestEstate(
  options: {
    banks?: string[];
    edit?: (raw: RawSite) => void;
    programs?: boolean;
    /** Run the subsystems' processes (application servers, exchange client) on their own ports. */
    subsystems?: boolean;
    /** Another Temporal server than the test run's (a time-skipping one). */
    temporal?: TestTemporal;
    /** The sandbox's business clock from its start (and its seed): default real time. */
    clock?: ClockState;
  } = {},
): Promise<TestEstate> {
  const temporal = options.temporal ?? (await testTemporal());
  const dataConverter = testDataConverter();
  const { temporal: _server, clock, subsystems, ...siteOptions } = options;
  const ts = await makeTestSite({
    temporalAddress: temporal.address,
    temporalNamespace: temporal.namespace,
    ...(temporal.tls && { temporalTls: temporal.tls }),
    ...siteOptions,
  });
  // The sandbox and the worker read the mqweb credentials from the environment, as at a site.
  Object.assign(process.env, {
    JINCAI_MQWEB_USER: ts.env.JINCAI_MQWEB_USER,
    JINCAI_MQWEB_PASSWORD: ts.env.JINCAI_MQWEB_PASSWORD,
  });
  const sandbox = await startSandbox({
    site: ts.site,
    reseed: true,
    programsBuild: testBuild(),
    ...(clock && { clock }),
    ...(subsystems && { spawnSubsystems: true }),
  });
  settle(sandbox);
  const connection = await Connection.connect(temporal.connectionOptions());
  const client = new Client({
    connection,
    namespace: ts.site.temporal.namespace,
    dataConverter,
    interceptors: { workflow: [signedStarts(ts.site)] },
  });
  let worker:
    { workers: Worker[]; run: Promise<unknown>; close(): Promise<void>; nc: NativeConnection } | undefined;

  return {
    ...ts,
    temporal,
    sandbox,
    client,
    async startWorker() {
      const nc = await NativeConnection.connect(temporal.connectionOptions());
      const zw = await createWorkers({
        site: ts.site,
        connection: nc,
        zones: ['runbooks', 'comm', 'db'],
        log: createLogger('test-worker', 'warn'),
        dataConverter,
        workflowBundle: await testWorkflowBundle('runbooks'),
      });
      worker = { workers: zw.workers, run: Promise.all(zw.workers.map((w) => w.run())), close: zw.close, nc };
    },
    async stop() {
      if (worker) {
        worker.workers.forEach((w) => w.shutdown());
        await worker.run;
        await worker.close();
        await worker.nc.close();
      }
      await connection.close();
      await sandbox.stop();
      await temporal.stop();
      const unparsed = await unparsedMutationRecords(ts.site.audit);
      ts.cleanup();
      if (unparsed.length > 0)
        throw new Error(`changes recorded outside the one mutation record:\n${unparsed.join('\n')}`);
    },
  };
}

/** A call to the sandbox's own API (as a bank's engineers or a test harness would make it): status and body. */
export async function sandboxApi(
  estate: TestEstate,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const auth = Buffer.from(`${estate.env.JINCAI_MQWEB_USER}:${estate.env.JINCAI_MQWEB_PASSWORD}`).toString(
    'base64',
  );
  const res = await fetch(`${estate.sandbox.url}${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * Runs the sandbox's ticks until its banks have taken the messages it restored as in flight and
 * paid what is due — what its timer does in the first tenth of a second, which a loaded machine
 * can delay until a test has read the banks' books — so every test starts from a settled estate.
 */
function settle(sandbox: SandboxHandle): void {
  const books = () =>
    JSON.stringify(
      sandbox.site.banks.map((b) => [
        sandbox.estate.depth(b.qmgr, bankInQueue),
        sandbox.banks.ledger(b.code).countByStatus(),
      ]),
    );
  for (let before = books(), ticks = 0; ticks < 100; ticks++) {
    sandbox.tick();
    const after = books();
    if (after === before) return;
    before = after;
  }
  throw new Error('the sandbox estate did not settle in 100 ticks');
}
