/**
 * `npm run bench -- resend`: one failed-voucher resend over 10,000 timed-out vouchers at one
 * sandbox bank, on a local Temporal dev server, through the real send/receive program, started
 * and approved as the inbox signs them, carried out by the production worker (dist/: compiled,
 * prebuilt workflow bundle, no tsx). Prints the wall time (diagnosis, then execution) and the
 * worker's peak resident memory (its whole process tree, sampled from /proc) against their goals,
 * the CPU time the run cost the worker, the dev server, the sandbox and its send/receive program,
 * the longest histories and the largest event in them (against the server's blob limit) and the
 * machine's load average, and checks the bank's books: every voucher paid exactly once. The
 * vouchers not accepted are listed (the first ten): the sandbox seeds a few of the previous working
 * day's vouchers rejected for reasons only people can settle, which the run finds and holds too.
 * The run takes batches of 500 (the runbook's largest), four at work: each batch is two child
 * workflows and some twenty activities whatever its size, so fewer, larger batches cost the worker
 * and the dev server less for the same vouchers. BENCH_VOUCHERS changes the count, BENCH_BATCH and
 * BENCH_CONCURRENCY the batches (200 and 8 before).
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { VoucherResendResult } from '../../domain/runbooks/voucher-resend.types.ts';
import { runTag } from '../../domain/run-tag.ts';
import { addTimedOutVouchers } from '../../sandbox/failed-vouchers.ts';
import { startSandbox } from '../../sandbox/server.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../../test/support/approvals.ts';
import { testDataConverter } from '../../test/support/codec.ts';
import { signedStarts } from '../../test/support/signed-starts.ts';
import { makeTestSite } from '../../test/support/site.ts';
import { workingTodayCalendar } from '../../test/support/open-all-day.ts';
import { resendSite } from '../../test/support/voucher-resend.ts';
import { startWorkerProcess } from '../../test/support/worker-process.ts';
import { projectSearchAttributes, startDevServer } from '../lib/dev-server.ts';
import { describeLargest, largestEvent } from '../lib/largest-event.ts';
import { ensureTemporalCli } from '../lib/temporal-cli.ts';
import { loadAverage } from './load-average.ts';
import { treeCpuSeconds, treeMemory } from './process-tree.ts';
import { productionWorkerEntry, productionWorkerLaunch } from './production-build.ts';

/** CPU seconds used so far: the worker, the dev server, this process (the sandbox) and its other children (the programs). */
function cpuNow(workerPid: number, serverPid: number) {
  const own = process.cpuUsage();
  const worker = treeCpuSeconds(workerPid);
  const server = treeCpuSeconds(serverPid);
  const sandbox = (own.user + own.system) / 1e6;
  return { worker, server, sandbox, programs: treeCpuSeconds(process.pid) - sandbox - worker - server };
}

function cpuSpent(from: ReturnType<typeof cpuNow>, to: ReturnType<typeof cpuNow>): ReturnType<typeof cpuNow> {
  return {
    worker: to.worker - from.worker,
    server: to.server - from.server,
    sandbox: to.sandbox - from.sandbox,
    programs: to.programs - from.programs,
  };
}

/** The issue's goals for 10,000 vouchers. */
const goals = { wallSeconds: 60, peakMb: 300 };
const mb = (mib: number) => (mib * 1024 * 1024) / 1e6;

export async function runResendBench(): Promise<number> {
  const count = Number(process.env.BENCH_VOUCHERS ?? 10_000);
  const batchSize = Number(process.env.BENCH_BATCH ?? 500);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
  const entry = productionWorkerEntry((l) => console.log(l));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cliPath = await ensureTemporalCli({ log: (l) => console.log(l) });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  const calendar = workingTodayCalendar();
  const dataConverter = testDataConverter();
  const ts = await makeTestSite({
    temporalAddress: server.address,
    banks: ['ICBC'],
    edit: resendSite(calendar.file),
  });
  Object.assign(process.env, {
    JINCAI_MQWEB_USER: ts.env.JINCAI_MQWEB_USER,
    JINCAI_MQWEB_PASSWORD: ts.env.JINCAI_MQWEB_PASSWORD,
  });
  await addTestUsers(ts.site);
  // A brisker sandbox than the default: the bench measures the engine, not the simulated bank's pace.
  const sandbox = await startSandbox({ site: ts.site, reseed: true, tickMs: 20, programIntervalMs: 20 });
  const connection = await Connection.connect({ address: server.address });
  // Started as the inbox starts runs: signed for the engineer, so no claim is awaited.
  const client = new Client({
    connection,
    dataConverter,
    interceptors: { workflow: [signedStarts(ts.site)] },
  });
  const launch = productionWorkerLaunch();
  const worker = await startWorkerProcess(
    { ...ts.env, ...launch.env },
    { entry, nodeOptions: launch.nodeOptions },
  );
  const pid = worker.pid as number;
  const atStart = treeMemory(pid);
  let runPeak = atStart.rss;
  const sampler = setInterval(() => (runPeak = Math.max(runPeak, treeMemory(pid).rss)), 250);
  try {
    const bank = ts.site.banks[0];
    if (!bank) throw new Error('the bench site has no bank');
    const t0 = performance.now();
    const vouchers = await addTimedOutVouchers(sandbox.treasury, sandbox.banks.books, bank, {
      count,
      now: new Date(),
      timeZone: ts.site.site.timezone,
    });
    console.log(
      `\n${vouchers.length} timed-out vouchers at ${bank.code} in ${(performance.now() - t0).toFixed(0)} ms`,
    );

    const id = `voucher-resend/${bank.code}/bench-${Date.now()}`;
    const loadAtStart = loadAverage();
    const cpuAtStart = cpuNow(pid, server.pid);
    const started = performance.now();
    const handle = await client.workflow.start('voucherResend', {
      taskQueue: ts.site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [
        {
          bank: bank.code,
          requestedBy: 'eng',
          batchSize,
          concurrency,
          answerWaitSeconds: 300,
          verifySeconds: 900,
        },
      ],
    });
    const gate = await Promise.race([
      waitForGate(client, id, 30 * 60_000),
      handle.result().then((r: VoucherResendResult) => {
        throw new Error(`the run ended (${r.outcome}) without asking for approval`);
      }),
    ]);
    const planned = performance.now();
    await decide(client, id, signedBy(ts.site, gate, 'wang'));
    const result: VoucherResendResult = await handle.result();
    const done = performance.now();

    const paid = sandbox.banks.books.db
      .prepare(
        'SELECT COUNT(DISTINCT voucher_no) AS vouchers, COUNT(*) AS payments FROM bank_payments WHERE bank_code = ? AND voucher_no LIKE ?',
      )
      .get(bank.code, `${vouchers[0]?.slice(0, -5)}%`) as { vouchers: number; payments: number };
    const events = async (wid: string) =>
      (await client.workflow.getHandle(wid).fetchHistory()).events?.length ?? 0;
    // The children's ids carry the run's tag (domain/run-tag.ts).
    const run = runTag((await handle.describe()).runId);
    const parent = await events(id);
    const batches = Math.ceil(count / batchSize);
    const children = await Promise.all([1, batches].map((b) => events(`${id}/${run}/batch-${b}`)));
    clearInterval(sampler);

    const cpu = cpuSpent(cpuAtStart, cpuNow(pid, server.pid));
    const wall = (done - started) / 1000;
    const exactlyOnce = paid.vouchers === count && paid.payments === count;
    const end = treeMemory(pid);
    console.log(
      [
        `load average (1 / 5 / 15 min): ${loadAtStart} at the start, ${loadAverage()} at the end`,
        `voucher resend of ${count} vouchers: ${wall.toFixed(1)} s wall ` +
          `(find, classify, ask the bank: ${((planned - started) / 1000).toFixed(1)} s; ` +
          `approve, resend, verify: ${((done - planned) / 1000).toFixed(1)} s)`,
        `outcome ${result.outcome}; ${JSON.stringify(result.counts)}`,
        ...result.vouchers
          .filter((v) => v.outcome !== 'accepted')
          .slice(0, 10)
          .map((v) => `  ${v.voucherNo}: ${v.outcome} (${v.detail ?? ''})`),
        `bank books: ${paid.vouchers} vouchers paid, ${paid.payments} payments (exactly once: ${exactlyOnce})`,
        `production worker (${Object.entries(launch.env)
          .map(([k, v]) => `${k}=${v} `)
          .join(
            '',
          )}node ${launch.nodeOptions.join(' ')}) memory: peak RSS ${runPeak.toFixed(0)} MiB = ${mb(runPeak).toFixed(0)} MB over its ` +
          `${end.processes} process(es) (${atStart.rss.toFixed(0)} MiB when it started; main process high-water mark ` +
          `${end.peak.toFixed(0)} MiB)`,
        `CPU: worker ${cpu.worker.toFixed(1)} s, dev server ${cpu.server.toFixed(1)} s, sandbox ` +
          `${cpu.sandbox.toFixed(1)} s (banks, mqweb, the bench's client), send/receive program ` +
          `${cpu.programs.toFixed(1)} s; ${(cpu.worker + cpu.server + cpu.sandbox + cpu.programs).toFixed(1)} s in all`,
        `history events: parent ${parent}, batch 1 ${children[0]}, batch ${batches} ${children[1]} (${batches} batches; limit 51,200 each)`,
        describeLargest(await largestEvent(client)),
        `goals for 10,000 vouchers: wall ${(wall / goals.wallSeconds).toFixed(2)}× of ${goals.wallSeconds} s, ` +
          `peak RSS ${(mb(runPeak) / goals.peakMb).toFixed(2)}× of ${goals.peakMb} MB, paid exactly once: ${exactlyOnce}` +
          (count === 10_000 ? '' : ` (this run: ${count} vouchers)`),
      ].join('\n'),
    );
    return exactlyOnce ? 0 : 1;
  } finally {
    clearInterval(sampler);
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await connection.close();
    await sandbox.stop();
    await server.stop();
    ts.cleanup();
    calendar.remove();
  }
}
