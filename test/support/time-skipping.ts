/**
 * A time-skipping test environment (Temporal's Java test server, scripts/lib/time-skipping-server.ts)
 * whose server has as long as it needs to start. The SDK gives a server it spawns a fixed 5 s to
 * answer, which a JVM starting on a loaded two-core machine misses; so the server is started here,
 * with a deadline of its own, and the SDK is handed its port and a stand-in executable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { probeTcp } from '../../connectors/host/local-host.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { ensureTimeSkippingServer, standInExecutable } from '../../scripts/lib/time-skipping-server.ts';

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
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
