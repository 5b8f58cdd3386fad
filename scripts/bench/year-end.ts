/**
 * `npm run bench -- year-end`: the wall time and the largest history of one year-end rollover of
 * 5, 50 and 200 simulated banks (BENCH_BANKS), carried out by the production worker (dist/) on a
 * local Temporal dev server, in compressed time: the freeze and the opening due at once, both plans
 * approved as soon as they are asked for (signed as the front door signs). The banks are open all
 * day; the send/receive program's round runs for every bank in this process (hundreds of program
 * processes would measure the machine, not the engine). Prints, per estate, the wall time from the
 * start to the result, the rollover's own history and the largest history of a bank's wait (events
 * and size, against Temporal's limits), the largest single event, and the machine's load; asserts
 * nothing.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { openSqlite } from '../../connectors/treasury/database.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { mapWithConcurrency } from '../../domain/concurrency.ts';
import type { YearEndRolloverResult } from '../../domain/runbooks/year-end-rollover.types.ts';
import { createMessagingClient } from '../../sandbox/programs/messaging-client.ts';
import type { ProgramContext } from '../../sandbox/programs/outbound.ts';
import { programRound } from '../../sandbox/programs/program-round.ts';
import { startSandbox } from '../../sandbox/server.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../../test/support/approvals.ts';
import { testDataConverter } from '../../test/support/codec.ts';
import { openAllDay, workingTodayCalendar } from '../../test/support/open-all-day.ts';
import { signedStarts } from '../../test/support/signed-starts.ts';
import { makeTestSite } from '../../test/support/site.ts';
import { startWorkerProcess } from '../../test/support/worker-process.ts';
import { projectSearchAttributes, startDevServer } from '../lib/dev-server.ts';
import { ensureTemporalCli } from '../lib/temporal-cli.ts';
import { inFlightSettled } from '../lib/year-in-flight.ts';
import { loadAverage as load } from './load-average.ts';
import { productionWorkerEntry, productionWorkerLaunch } from './production-build.ts';

type History = proto.temporal.api.history.v1.IHistory;
interface Worker {
  entry: string;
  launch: ReturnType<typeof productionWorkerLaunch>;
  dataConverter: DataConverter;
}

/** Temporal's default limits on one workflow's history (it warns at a fifth of each). */
const limits = { events: 51_200, bytes: 50 * 1024 * 1024 };

export async function runYearEndBench(): Promise<number> {
  const sizes = (process.env.BENCH_BANKS ?? '5,50,200').split(',').map(Number);
  const worker = { entry: productionWorkerEntry((l) => console.log(l)), launch: productionWorkerLaunch() };
  // The payload key (in process.env) the worker processes get with the environment, and the client.
  const dataConverter = testDataConverter();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cliPath = await ensureTemporalCli({ log: (l) => console.log(l) });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  console.log(`load average (1 / 5 / 15 min) at the start: ${load()}`);
  console.log(`Temporal's limits on one history: ${limits.events} events, ${limits.bytes / 1024 / 1024} MiB`);
  try {
    for (const n of sizes) console.log(await rollover(server.address, n, { ...worker, dataConverter }));
    console.log(`load average at the end: ${load()}`);
    return 0;
  } finally {
    await server.stop();
  }
}

/** One rollover of an estate of `n` banks, each a copy of the test site's first: its figures, one line. */
async function rollover(address: string, n: number, worker: Worker): Promise<string> {
  const calendar = workingTodayCalendar();
  const ts = await makeTestSite({
    temporalAddress: address,
    programs: false,
    edit: (raw) => {
      const template = raw.banks[0] as Record<string, unknown>;
      raw.banks = Array.from({ length: n }, (_, i) => ({
        ...template,
        code: `B${String(i + 1).padStart(3, '0')}`,
        name: `模拟银行${i + 1}`,
      }));
      openAllDay(calendar.file, 'year-end-rollover')(raw);
    },
  });
  const { site } = ts;
  const user = ts.env.JINCAI_MQWEB_USER ?? '';
  const password = ts.env.JINCAI_MQWEB_PASSWORD ?? '';
  Object.assign(process.env, { JINCAI_MQWEB_USER: user, JINCAI_MQWEB_PASSWORD: password });
  await addTestUsers(site);
  const sandbox = await startSandbox({ site, reseed: true });
  const workerLog = join(tmpdir(), `jincai-bench-year-end-worker-${n}.log`);
  writeFileSync(workerLog, '');
  const child = await startWorkerProcess(
    { ...ts.env, ...worker.launch.env },
    {
      entry: worker.entry,
      nodeOptions: worker.launch.nodeOptions,
      onOutput: (chunk) => appendFileSync(workerLog, chunk),
    },
  );
  const db = await openSqlite(site.treasury.sqlite?.path ?? '', { synchronous: 'NORMAL' });
  const banks = site.banks.map((b) => b.code);
  const mq = createMessagingClient({ baseUrl: sandbox.url, user, password });
  const programs = pumpPrograms(banks, { db, mq, financeQmgr: site.mq.financeQmgr, now: () => new Date() });
  const connection = await Connection.connect({ address });
  const client = new Client({
    connection,
    dataConverter: worker.dataConverter,
    interceptors: { workflow: [signedStarts(site)] },
  });
  try {
    const year = Number(dateInZone(sandbox.clock.now(), site.site.timezone).slice(0, 4));
    await inFlightSettled({ db, site, year, banks, say: () => undefined, timeoutMs: 10 * 60_000 });
    const id = `bench-year-end-${n}-${Date.now()}`;
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    const t0 = performance.now();
    const handle = await client.workflow.start('yearEndRollover', {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [{ fiscalYear: year, freezeAt: at(1000), openAt: at(2000), requestedBy: 'eng', reason: 'bench' }],
    });
    for (const approver of ['wang', 'li']) {
      const gate = await waitForGate(client, id, 30 * 60_000);
      await decide(client, id, signedBy(site, gate, approver));
    }
    const result: YearEndRolloverResult = await handle.result();
    const wallMs = performance.now() - t0;
    const own = measure(await handle.fetchHistory());
    const waits = await mapWithConcurrency([...result.cancellations, ...result.restorations], 8, async (a) =>
      measure(await client.workflow.getHandle(`${id}/${a.noticeId}`).fetchHistory()),
    );
    const largestWait = waits.reduce((m, w) => (w.bytes > m.bytes ? w : m), waits[0] ?? own);
    const largestEvent = [own, ...waits].reduce((m, w) => (w.largest.bytes > m.largest.bytes ? w : m), own);
    return (
      `rollover of ${String(n).padStart(3)} banks: ${(wallMs / 1000).toFixed(1)} s (${result.outcome}); ` +
      `its history ${own.events} events ${kib(own.bytes)}; the largest bank's wait ${largestWait.events} events ` +
      `${kib(largestWait.bytes)}; the largest event ${kib(largestEvent.largest.bytes)} ` +
      `(${largestEvent.largest.type}); load ${load()}; the worker's log ${workerLog}` +
      (programs.failures.length > 0
        ? `; program rounds failed ${programs.failures.length}×, first: ${programs.failures[0]}`
        : '')
    );
  } finally {
    await programs.stop();
    await connection.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await db.destroy();
    await sandbox.stop();
    ts.cleanup();
    calendar.remove();
  }
}

/**
 * The send/receive program's round for every bank, ten at a time, every 300 ms until stopped; a
 * round that fails is counted and tried again next time, as the program does.
 */
function pumpPrograms(banks: string[], shared: Omit<ProgramContext, 'bank'>) {
  let stopping = false;
  const failures: string[] = [];
  const contexts = banks.map((bank) => ({ ...shared, bank }));
  const round = (ctx: ProgramContext) =>
    programRound(ctx).catch((err: unknown) => void failures.push(`${ctx.bank}: ${String(err)}`));
  const running = (async () => {
    while (!stopping) {
      await mapWithConcurrency(contexts, 10, round);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  return {
    failures,
    async stop() {
      stopping = true;
      await running;
    },
  };
}

/** A history's events, its size as the server keeps it (protobuf), and its largest event. */
function measure(history: History) {
  const { HistoryEvent } = proto.temporal.api.history.v1;
  const { EventType } = proto.temporal.api.enums.v1;
  let bytes = 0;
  let largest = { bytes: 0, type: '' };
  for (const event of history.events ?? []) {
    const size = HistoryEvent.encode(event).finish().length;
    bytes += size;
    if (size > largest.bytes) largest = { bytes: size, type: EventType[event.eventType ?? 0] ?? '' };
  }
  return { events: history.events?.length ?? 0, bytes, largest };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
