/**
 * `npm run bench -- inspection`: wall time of one daily inspection of 5, 50 and 200 simulated
 * banks on a local Temporal dev server, beside a no-op workflow with one no-op activity as the
 * baseline. Prints figures; asserts nothing.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createLogger } from '../connectors/logging/logger.ts';
import { startSandbox } from '../sandbox/server.ts';
import { makeTestSite } from '../test/support/site.ts';
import { createWorkers } from '../workers/create-workers.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { projectSearchAttributes, startDevServer } from './lib/dev-server.ts';
import { ensureTemporalCli } from './lib/temporal-cli.ts';

const { args, checkOnly } = commandLine();
const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
const benchmarks = ['inspection', 'resend', 'reconciliation', 'worker-start'];
const [which = 'inspection', ...extra] = positionals;
if (!benchmarks.includes(which) || extra.length > 0) {
  console.error(`Unknown benchmark "${positionals.join(' ')}"; available: ${benchmarks.join(', ')}`);
  process.exit(2);
}
if (checkOnly) {
  console.log(argumentsOk(`run the ${which} benchmark`));
  process.exit(0);
}
if (which === 'resend') process.exit(await (await import('./bench/resend.ts')).runResendBench());
if (which === 'reconciliation')
  process.exit(await (await import('./bench/reconciliation.ts')).runReconciliationBench());
if (which === 'worker-start')
  process.exit(await (await import('./bench/worker-start.ts')).runWorkerStartBench());
const sizes = (process.env.BENCH_BANKS ?? '5,50,200').split(',').map(Number);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);

Runtime.install({ logger: new DefaultLogger('WARN') });
const cliPath = await ensureTemporalCli({ log: (l) => console.log(l) });
const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
const log = createLogger('bench', 'warn');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

try {
  // Baseline: the fixed cost of a workflow with one activity on this server.
  const nc = await NativeConnection.connect({ address: server.address });
  const baseline = await Worker.create({
    connection: nc,
    taskQueue: 'bench-noop',
    workflowsPath: fileURLToPath(new URL('./bench/noop-workflow.ts', import.meta.url)),
    activities: { noop: async () => undefined },
  });
  const noopTimes = await baseline.runUntil(async () => {
    const times: number[] = [];
    for (let i = 0; i < repeats + 1; i++) {
      const t0 = performance.now();
      await client.workflow.execute('benchNoop', {
        taskQueue: 'bench-noop',
        workflowId: `bench-noop-${Date.now()}-${i}`,
      });
      if (i > 0) times.push(performance.now() - t0); // the first run warms the worker up
    }
    return times;
  });
  await nc.close();
  console.log(
    `\nno-op workflow + 1 no-op activity: median ${median(noopTimes).toFixed(0)} ms over ${noopTimes.length} runs`,
  );

  for (const n of sizes) {
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
    const seedMs = performance.now() - seedStart;
    const wnc = await NativeConnection.connect({ address: server.address });
    const { workers, close } = await createWorkers({
      site: ts.site,
      connection: wnc,
      zones: ['runbooks', 'comm', 'db'],
      log,
      // Plain payloads, like the baseline and this client: the bench measures the engine, not the codec.
      dataConverter: {},
    });
    const running = Promise.all(workers.map((w) => w.run()));
    const times: number[] = [];
    let findings = 0;
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      const result = await client.workflow.execute('dailyInspection', {
        taskQueue: ts.site.temporal.taskQueues.runbooks,
        workflowId: `bench-inspection-${n}-${Date.now()}-${i}`,
        args: [{}],
      });
      times.push(performance.now() - t0);
      findings = result.findings.length;
    }
    workers.forEach((w) => w.shutdown());
    await running;
    await close();
    await wnc.close();
    await sandbox.stop();
    ts.cleanup();
    console.log(
      `inspection of ${String(n).padStart(3)} banks: median ${median(times).toFixed(0)} ms, runs ${times.map((t) => t.toFixed(0)).join('/')} ms` +
        ` (concurrency ${ts.site.inspection.concurrency}, no program checks, ${findings} findings; sandbox start+seed ${seedMs.toFixed(0)} ms)`,
    );
  }
} finally {
  await connection.close();
  await server.stop();
}
