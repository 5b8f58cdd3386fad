/**
 * `npm run bench -- inspection`: wall time of one daily inspection of 5, 50 and 200 simulated banks
 * (BENCH_BANKS), the median of BENCH_REPEATS runs each after one to warm up, carried out by the
 * production worker (dist/: compiled, prebuilt workflow bundle, no tsx) on a local Temporal dev
 * server, beside a no-op workflow with one no-op activity. Prints the ratio of the largest estate's
 * time to the smallest's against the goal (at most 3×), the CPU time each inspection cost the
 * worker, the dev server and this process (the sandbox, in it), and the machine's load average;
 * asserts nothing.
 */
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import { startSandbox } from '../../sandbox/server.ts';
import { testDataConverter } from '../../test/support/codec.ts';
import { makeTestSite } from '../../test/support/site.ts';
import { startWorkerProcess } from '../../test/support/worker-process.ts';
import { projectSearchAttributes, startDevServer } from '../lib/dev-server.ts';
import { ensureTemporalCli } from '../lib/temporal-cli.ts';
import { loadAverage as load } from './load-average.ts';
import { treeCpuSeconds } from './process-tree.ts';
import { productionWorkerEntry, productionWorkerLaunch } from './production-build.ts';

/** The goal: the largest estate's inspection at most this many times the smallest's. */
const goalRatio = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function runInspectionBench(): Promise<number> {
  const sizes = (process.env.BENCH_BANKS ?? '5,50,200').split(',').map(Number);
  const repeats = Number(process.env.BENCH_REPEATS ?? 3);
  const entry = productionWorkerEntry((l) => console.log(l));
  const launch = productionWorkerLaunch();
  const dataConverter = testDataConverter();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cliPath = await ensureTemporalCli({ log: (l) => console.log(l) });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  const serverAddress = server.address;
  const connection = await Connection.connect({ address: serverAddress });
  const client = new Client({ connection, dataConverter });
  console.log(`load average (1 / 5 / 15 min) at the start: ${load()}`);
  try {
    const noop = await noopWorkflowTimes(client, serverAddress, repeats);
    console.log(
      `no-op workflow + 1 no-op activity: median ${median(noop).toFixed(0)} ms over ${noop.length} runs`,
    );
    const medians = new Map<number, number>();
    for (const n of sizes) {
      const { times, findings, seedMs, cpu } = await inspectionTimes(client, server, n, repeats, {
        entry,
        launch,
      });
      medians.set(n, median(times));
      console.log(
        `inspection of ${String(n).padStart(3)} banks: median ${median(times).toFixed(0)} ms, runs ` +
          `${times.map((t) => t.toFixed(0)).join('/')} ms (no program checks, ${findings} findings; ` +
          `sandbox start+seed ${seedMs.toFixed(0)} ms; load ${load()})\n` +
          `  CPU per inspection: worker ${cpu.worker.toFixed(0)} ms, dev server ${cpu.server.toFixed(0)} ms, ` +
          `sandbox and client ${cpu.sandbox.toFixed(0)} ms`,
      );
    }
    const smallest = Math.min(...sizes);
    const largest = Math.max(...sizes);
    const ratio = (medians.get(largest) ?? NaN) / (medians.get(smallest) ?? NaN);
    console.log(
      `${largest} banks / ${smallest} banks: ${ratio.toFixed(1)}× (goal: at most ${goalRatio}×); ` +
        `load average at the end: ${load()}`,
    );
    return 0;
  } finally {
    await connection.close();
    await server.stop();
  }
}

/** CPU time by component: the worker process, the dev server, this process (sandbox and client). */
type CpuShares = { worker: number; server: number; sandbox: number };

/** CPU seconds used so far by the worker, the dev server and this process. */
function cpuNow(workerPid: number, serverPid: number): CpuShares {
  const own = process.cpuUsage();
  return {
    worker: treeCpuSeconds(workerPid),
    server: treeCpuSeconds(serverPid),
    sandbox: (own.user + own.system) / 1e6,
  };
}

/** The fixed cost of a workflow with one activity on this server (the first run warms up and is not counted). */
async function noopWorkflowTimes(client: Client, address: string, repeats: number): Promise<number[]> {
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue: 'bench-noop',
      workflowsPath: fileURLToPath(new URL('./noop-workflow.ts', import.meta.url)),
      activities: { noop: async () => undefined },
      dataConverter: client.options.dataConverter,
    });
    return await worker.runUntil(async () => {
      const times: number[] = [];
      for (let i = 0; i <= repeats; i++) {
        const t0 = performance.now();
        await client.workflow.execute('benchNoop', {
          taskQueue: 'bench-noop',
          workflowId: `bench-noop-${Date.now()}-${i}`,
        });
        if (i > 0) times.push(performance.now() - t0);
      }
      return times;
    });
  } finally {
    await connection.close();
  }
}

/** `repeats` inspections of an estate of `n` banks, each bank a copy of the test site's first. */
async function inspectionTimes(
  client: Client,
  server: { address: string; pid: number },
  n: number,
  repeats: number,
  worker: { entry: string; launch: ReturnType<typeof productionWorkerLaunch> },
): Promise<{ times: number[]; findings: number; seedMs: number; cpu: CpuShares }> {
  const ts = await makeTestSite({
    temporalAddress: server.address,
    // Hundreds of program processes would measure the machine, not the engine.
    programs: false,
    edit: (raw) => {
      const template = raw.banks[0] as Record<string, unknown>;
      raw.banks = Array.from({ length: n }, (_, i) => ({
        ...template,
        code: `B${String(i + 1).padStart(3, '0')}`,
        name: `模拟银行${i + 1}`,
      }));
    },
  });
  Object.assign(process.env, {
    JINCAI_MQWEB_USER: ts.env.JINCAI_MQWEB_USER,
    JINCAI_MQWEB_PASSWORD: ts.env.JINCAI_MQWEB_PASSWORD,
  });
  const seedStart = performance.now();
  const sandbox = await startSandbox({ site: ts.site, reseed: true });
  // Past the banks' close, a fresh sandbox's first rounds send every bank's reports and write its
  // statements: done here, so they do not land in the inspections measured.
  sandbox.tick();
  await sandbox.statements.step();
  const seedMs = performance.now() - seedStart;
  const child = await startWorkerProcess(
    { ...ts.env, ...worker.launch.env },
    { entry: worker.entry, nodeOptions: worker.launch.nodeOptions },
  );
  try {
    const times: number[] = [];
    let findings = 0;
    let cpuFrom = cpuNow(child.pid as number, server.pid);
    // The first run warms the worker up (JIT, connections, the sandbox's caches) and is not counted.
    for (let i = 0; i <= repeats; i++) {
      if (i === 1) cpuFrom = cpuNow(child.pid as number, server.pid);
      const t0 = performance.now();
      const result: DailyInspectionResult = await client.workflow.execute('dailyInspection', {
        taskQueue: ts.site.temporal.taskQueues.runbooks,
        workflowId: `bench-inspection-${n}-${Date.now()}-${i}`,
        // The banks' part, which grows with them; the subsystems' is the same for any number.
        args: [{ skip: ['subsystems'] }],
      });
      if (i > 0) times.push(performance.now() - t0);
      findings = result.findings.length;
    }
    const cpuTo = cpuNow(child.pid as number, server.pid);
    const each = (k: keyof CpuShares) => ((cpuTo[k] - cpuFrom[k]) * 1000) / Math.max(repeats, 1);
    return {
      times,
      findings,
      seedMs,
      cpu: { worker: each('worker'), server: each('server'), sandbox: each('sandbox') },
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await sandbox.stop();
    ts.cleanup();
  }
}
