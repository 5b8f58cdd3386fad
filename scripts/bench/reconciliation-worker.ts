/**
 * The runbook's own comparison, measured where it runs: a bank-day of `lines` generated into the
 * sandbox (the bank's statement in its format in the exchange folder, the finance side in the
 * treasury's history table), then `bankReconciliation` (a dry run) on the production workers
 * (dist/, as the systemd unit starts them) against a local dev server, laid out as a site deploys
 * them: one process for the runbooks and comm zones, and the db zone's worker — the one beside the
 * treasury database that runs the comparison — in a process of its own (`--zones db`). The
 * comparison's wall time is its activity's, from the run's history (started to completed); the db
 * worker's peak RSS (its process tree: the comparison's thread, and `sort` when it sorts) is sampled
 * from /proc while it runs. Each variant runs once cold, then `warmRuns` times warm (as a worker that
 * has run before): the figure is the warm runs' median, their range and the cold run printed beside
 * it — one run of a second or two on this machine varies by a third from the next.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { writeFinanceExtract } from '../../connectors/statements/finance-extract.ts';
import type { BankReconciliationResult } from '../../domain/runbooks/bank-reconciliation.types.ts';
import { writeGeneratedDay, type GeneratedDayInput } from '../../sandbox/statements/generated-day.ts';
import { startSandbox, type SandboxHandle } from '../../sandbox/server.ts';
import { testDataConverter } from '../../test/support/codec.ts';
import { makeTestSite } from '../../test/support/site.ts';
import { startWorkerProcess } from '../../test/support/worker-process.ts';
import { projectSearchAttributes, startDevServer } from '../lib/dev-server.ts';
import { ensureTemporalCli } from '../lib/temporal-cli.ts';
import { treeCpuSeconds, treeMemory } from './process-tree.ts';
import { productionWorkerEntry, productionWorkerLaunch } from './production-build.ts';

export interface WorkerVariant {
  bank: 'ICBC' | 'ABC' | 'BOC';
  date: string;
  day: Omit<GeneratedDayInput, 'date'>;
}

export interface WorkerFigures {
  /** The comparison activity, started to completed: the warm runs' median. */
  ms: number;
  /** The warm runs' fastest and slowest comparison. */
  rangeMs: [number, number];
  coldMs: number;
  /** The whole run, started to closed in its history (plan, fetch, comparison, record, report): the median. */
  runMs: number;
  /** CPU of the worker's process tree over a warm run (the workflow's tasks included), ms: the median. */
  cpuMs: number;
  /** Over the cold run and every warm one. */
  peakMb: number;
  differences: number;
  sorted: boolean;
  /** The finance extract alone (the same query, into a scratch file) in the bench's own process, ms. */
  extractMs: number;
}

/** The bench's estate: ICBC writes XML packages of 5,000 lines, ABC GBK fixed-width, BOC UTF-8 delimited. */
export async function startWorkerBench() {
  const entry = productionWorkerEntry((l) => console.log(l));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cliPath = await ensureTemporalCli({ log: (l) => console.log(l) });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  // Sets the payload key in this process's environment, which the site's worker inherits.
  const dataConverter = testDataConverter();
  const ts = await makeTestSite({
    temporalAddress: server.address,
    banks: ['ICBC', 'ABC', 'BOC'],
    edit: (raw) => {
      const formats: Record<string, object> = {
        ICBC: { format: 'xml', encoding: 'UTF-8', packageLines: 5000 },
        ABC: { format: 'fixed', encoding: 'GBK' },
        BOC: { format: 'delimited', encoding: 'UTF-8' },
      };
      for (const b of raw.banks as { code: string; statements?: object }[]) b.statements = formats[b.code];
    },
  });
  Object.assign(process.env, {
    JINCAI_MQWEB_USER: ts.env.JINCAI_MQWEB_USER,
    JINCAI_MQWEB_PASSWORD: ts.env.JINCAI_MQWEB_PASSWORD,
  });
  const sandbox: SandboxHandle = await startSandbox({ site: ts.site, reseed: true });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, dataConverter });
  const launch = productionWorkerLaunch();
  const start = (zones: string) =>
    startWorkerProcess(
      { ...ts.env, ...launch.env },
      { entry, nodeOptions: launch.nodeOptions, args: ['--zones', zones] },
    );
  const others = await start('runbooks,comm');
  const worker = await start('db');
  const pid = worker.pid as number;
  const treasuryPath = (ts.site.treasury as { sqlite: { path: string } }).sqlite.path;

  async function once(
    v: WorkerVariant,
  ): Promise<{ ms: number; runMs: number; cpuMs: number; peakMb: number; result: BankReconciliationResult }> {
    let peak = treeMemory(pid).rss;
    const cpuBefore = treeCpuSeconds(pid);
    const sampler = setInterval(() => (peak = Math.max(peak, treeMemory(pid).rss)), 100);
    try {
      const handle = await client.workflow.start('bankReconciliation', {
        taskQueue: ts.site.temporal.taskQueues.runbooks,
        workflowId: `bank-reconciliation/${v.bank}/bench-${Date.now()}`,
        args: [{ bank: v.bank, requestedBy: 'eng', date: v.date, dryRun: true }],
      });
      const result: BankReconciliationResult = await handle.result();
      const cpuMs = (treeCpuSeconds(pid) - cpuBefore) * 1000;
      const history = await handle.fetchHistory();
      const at = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) =>
        Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
      const scheduled = history.events?.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'compareStatement',
      );
      const started = history.events?.find(
        (e) =>
          e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() ===
          scheduled?.eventId?.toString(),
      );
      const completed = history.events?.find(
        (e) =>
          e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() ===
          scheduled?.eventId?.toString(),
      );
      if (!started || !completed)
        throw new Error(`${v.bank} ${v.date}: no completed comparison (${result.why})`);
      const events = history.events ?? [];
      const runMs = at(events[events.length - 1] ?? {}) - at(events[0] ?? {});
      return { ms: at(completed) - at(started), runMs, cpuMs, peakMb: (peak * 1024 * 1024) / 1e6, result };
    } finally {
      clearInterval(sampler);
    }
  }

  return {
    /** Writes the variant's bank-day into the sandbox. */
    async generate(v: WorkerVariant): Promise<void> {
      await writeGeneratedDay({ desk: sandbox.statements, treasuryPath }, v.bank, { ...v.day, date: v.date });
    },
    /** The runbook's comparison of the variant's day, cold then `warmRuns` times warm. */
    async measure(v: WorkerVariant, warmRuns: number): Promise<WorkerFigures> {
      const cold = await once(v);
      const warm: Awaited<ReturnType<typeof once>>[] = [];
      for (let i = 0; i < warmRuns; i++) warm.push(await once(v));
      const compared = warm[0]?.result.days[0]?.compared;
      const warmMs = warm.map((w) => w.ms);
      const scratch = mkdtempSync(join(tmpdir(), 'jincai-recon-extract-'));
      const t0 = performance.now();
      try {
        await writeFinanceExtract(
          sandbox.treasury,
          { bank: v.bank, kind: v.day.kind ?? 'payment-detail', beginDate: v.date, endDate: v.date },
          join(scratch, 'finance.tsv'),
        );
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
      const extractMs = performance.now() - t0;
      return {
        extractMs,
        ms: median(warmMs),
        rangeMs: [Math.min(...warmMs), Math.max(...warmMs)],
        coldMs: cold.ms,
        runMs: median(warm.map((w) => w.runMs)),
        cpuMs: median(warm.map((w) => w.cpuMs)),
        peakMb: Math.max(cold.peakMb, ...warm.map((w) => w.peakMb)),
        differences: compared?.differences ?? -1,
        sorted: compared?.sorted ?? false,
      };
    },
    idleMb: () => (treeMemory(pid).rss * 1024 * 1024) / 1e6,
    othersIdleMb: () => (treeMemory(others.pid as number).rss * 1024 * 1024) / 1e6,
    workerCommand: `${Object.entries(launch.env)
      .map(([k, val]) => `${k}=${val} `)
      .join('')}node ${launch.nodeOptions.join(' ')} dist/workers/main.js --zones db`,
    async stop(): Promise<void> {
      for (const w of [worker, others]) {
        w.kill('SIGTERM');
        await new Promise((r) => w.once('exit', r));
      }
      await connection.close();
      await sandbox.stop();
      await server.stop();
      ts.cleanup();
    },
  };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
