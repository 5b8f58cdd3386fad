/**
 * A time-skipping test environment (Temporal's Java test server, scripts/lib/time-skipping-server.ts)
 * whose server has as long as it needs to start. The SDK gives a server it spawns a fixed 5 s to
 * answer, which a JVM starting on a loaded two-core machine misses; so the server is started here,
 * with a deadline of its own, and the SDK is handed its port and a stand-in executable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout } from 'node:timers/promises';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { probeTcp } from '../../connectors/host/local-host.ts';
import { projectSearchAttributes, type SearchAttributeType } from '../../scripts/lib/dev-server.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { ensureTimeSkippingServer, standInExecutable } from '../../scripts/lib/time-skipping-server.ts';
import type { TestTemporal } from './temporal.ts';

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  /** host:port of the server, for clients and workers of one's own. */
  address: string;
  /** Tears the environment down and stops its server. */
  teardown(): Promise<void>;
}

/** A time-skipping environment whose clock starts at `initialTime` (an ISO instant with offset). */
export async function startTimeSkipping(options: {
  initialTime: string;
  startTimeoutMs?: number;
}): Promise<TimeSkipping> {
  const wrapper = await ensureTimeSkippingServer({ log: (line) => console.log(line) });
  const port = await freePort();
  const server = spawn(wrapper, [String(port), '--initial-time', options.initialTime], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const kill = () => server.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await listening(server, port, options.startTimeoutMs ?? 120_000, () => output);
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { port, executable: { type: 'existing-path', path: await standInExecutable() } },
    });
    return {
      env,
      address: `127.0.0.1:${port}`,
      async teardown() {
        await env.teardown();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function listening(server: ChildProcess, port: number, timeoutMs: number, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null)
      throw new Error(`the time-skipping server exited before it listened on ${port}:\n${output()}`);
    if ((await probeTcp('127.0.0.1', port, 1_000)).reachable) return;
    if (Date.now() > deadline)
      throw new Error(
        `the time-skipping server did not listen on ${port} within ${timeoutMs} ms:\n${output()}`,
      );
    await setTimeout(100);
  }
}

/**
 * A time-skipping server as a test estate's Temporal (test/support/estate.ts): its `default`
 * namespace with the project's search attributes registered, torn down with the estate.
 */
export async function timeSkippingTemporal(ts: TimeSkipping): Promise<TestTemporal> {
  const namespace = 'default';
  await ts.env.connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      Object.entries(projectSearchAttributes).map(([name, type]) => [name, indexedValueType(type)]),
    ),
  });
  return {
    address: ts.address,
    namespace,
    connectionOptions: () => ({ address: ts.address }),
    stop: () => ts.teardown(),
  };
}

function indexedValueType(type: SearchAttributeType): proto.temporal.api.enums.v1.IndexedValueType {
  const { IndexedValueType } = proto.temporal.api.enums.v1;
  const byName: Record<SearchAttributeType, proto.temporal.api.enums.v1.IndexedValueType> = {
    Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
    Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
    Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  };
  return byName[type];
}
