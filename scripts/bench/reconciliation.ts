/**
 * `npm run bench -- reconciliation`: for 100,000 and 1,000,000 lines per bank-day (BENCH_LINES),
 * a generated bank-day in each format (BENCH_VARIANTS: some of delimited, gbk, gbk-payment, xml),
 * with 10 differences of each kind, reconciled by the runbook on the production workers
 * (reconciliation-worker.ts: the run's and its comparison activity's wall times, and the peak RSS of
 * the db zone's worker, which runs the comparison), beside `LC_ALL=C sort` + `join` over the same
 * two sides as plain delimited text in the same run. Prints figures; asserts nothing. Goals: the
 * comparison ≤ 1.5× sort+join, ≤ 256 MB. Each side's figure is the median of BENCH_RUNS runs
 * (default 5; the runbook's after a cold run), printed with their range: one run of a second or two
 * varies by a third from the next on this machine.
 * "Comparison" is the comparison activity's whole time (started to completed in the run's history):
 * the finance extract, the statement's parse, its sort when out of order, the merge and the
 * difference files; the extract is timed alone beside it (the same query in the bench's process)
 * and runs beside the thread's start and sort, so the two do not simply add up.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statementFormatSchema, type StatementFormat } from '../../domain/reconciliation/format-schema.ts';
import { addDays } from '../../domain/calendar/dates.ts';
import { bankDay, type BankDayOptions } from '../../sandbox/statements/bank-day.ts';
import { writeStatement } from '../../sandbox/statements/write-statement.ts';
import { loadAverage } from './load-average.ts';
import { median, startWorkerBench, type WorkerVariant } from './reconciliation-worker.ts';

const variants: { id: string; name: string; bank: WorkerVariant['bank']; order: BankDayOptions['order'] }[] =
  [
    { id: 'delimited', name: 'delimited UTF-8, voucher order', bank: 'BOC', order: 'key' },
    { id: 'gbk', name: 'fixed-width GBK, voucher order', bank: 'ABC', order: 'key' },
    { id: 'gbk-payment', name: 'fixed-width GBK, payment order', bank: 'ABC', order: 'payment' },
    { id: 'xml', name: 'XML packages UTF-8, voucher order', bank: 'ICBC', order: 'key' },
  ];

const differences = {
  onlyAtFinance: 10,
  onlyAtBank: 10,
  amountDiffers: 10,
  statusDiffers: 10,
  duplicates: 10,
};

export async function runReconciliationBench(): Promise<number> {
  const sizes = (process.env.BENCH_LINES ?? '100000,1000000').split(',').map(Number);
  const only = process.env.BENCH_VARIANTS?.split(',');
  const chosen = variants.filter((v) => !only || only.includes(v.id));
  if (chosen.length === 0)
    throw new RangeError(`BENCH_VARIANTS: expected some of ${variants.map((v) => v.id).join(', ')}`);
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  if (!Number.isInteger(runs) || runs < 1)
    throw new RangeError(
      `BENCH_RUNS: expected a whole number of runs, 1 or more; got ${process.env.BENCH_RUNS}`,
    );
  const bench = await startWorkerBench();
  try {
    const idleMb = bench.idleMb();
    console.log(
      `the comparison's worker: ${bench.workerCommand}; ${idleMb.toFixed(0)} MB RSS idle` +
        ` (the runbooks and comm zones' worker beside it: ${bench.othersIdleMb().toFixed(0)} MB)`,
    );
    // Working days long past, one per variant and size: the sandbox's own vouchers are all recent.
    let date = '2026-03-02';
    for (const lines of sizes) {
      console.log(`\n${lines.toLocaleString('en')} lines per bank-day (load ${loadAverage()})`);
      for (const v of chosen) {
        const seed = 20261127;
        const variant: WorkerVariant = {
          bank: v.bank,
          date,
          day: { lines, seed, order: v.order, differences },
        };
        date = nextWeekday(date);
        await bench.generate(variant);
        const f = await bench.measure(variant, runs);
        const baseline = await sortJoinOf(runs, {
          kind: 'payment-detail',
          bank: v.bank,
          date: variant.date,
          lines,
          seed,
          order: v.order,
          differences,
        });
        console.log(
          `  ${v.name.padEnd(36)} runbook ${fmt(f.runMs)}, its comparison ${fmt(f.ms)} (${range(f.rangeMs)} over ${runs}; first run ${fmt(f.coldMs)}; the finance extract alone ${fmt(f.extractMs)} in the bench's process), worker peak RSS ${f.peakMb.toFixed(0)} MB` +
            ` (its process tree; +${(f.peakMb - idleMb).toFixed(0)} over idle), ${f.differences} differences${f.sorted ? ', sorted first' : ''};` +
            ` sort+join ${fmt(baseline.ms)} (${range(baseline.rangeMs)}) → ${(f.ms / baseline.ms).toFixed(2)}×` +
            ` (goal ${f.ms <= 1.5 * baseline.ms && f.peakMb <= 256 ? 'met' : 'not met'});` +
            ` CPU: worker ${fmt(f.cpuMs)} over the whole run, sort+join ${fmt(baseline.cpuMs)} (load ${loadAverage()})`,
        );
      }
    }
  } finally {
    await bench.stop();
  }
  return 0;
}

const nextWeekday = (d: string) => {
  let next = addDays(d, 1);
  while ([0, 6].includes(new Date(`${next}T00:00:00Z`).getUTCDay())) next = addDays(next, 1);
  return next;
};

/** The two sides of the day as plain delimited text, timed through `sort` and `join` `runs` times: the medians. */
async function sortJoinOf(
  runs: number,
  options: BankDayOptions,
): Promise<{ ms: number; rangeMs: [number, number]; cpuMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'jincai-recon-bench-'));
  try {
    const plain = statementFormatSchema.parse({ format: 'delimited', encoding: 'UTF-8' });
    const day = bankDay(options);
    const finance = (await writeSide(join(dir, 'finance'), day, plain, 'finance'))[0] as string;
    const bank = (await writeSide(join(dir, 'bank'), day, plain, 'bank'))[0] as string;
    const timed = Array.from({ length: runs }, () => sortJoin(finance, bank, dir));
    const ms = timed.map((t) => t.ms);
    return {
      ms: median(ms),
      rangeMs: [Math.min(...ms), Math.max(...ms)],
      cpuMs: median(timed.map((t) => t.cpuMs)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function writeSide(
  dir: string,
  day: ReturnType<typeof bankDay>,
  format: StatementFormat,
  side: 'finance' | 'bank',
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const totals = side === 'bank' ? day.bankTotals() : { count: 0, amountFen: 0 };
  return writeStatement({
    dir,
    bank: 'ICBC',
    header: {
      kind: 'payment-detail',
      divisionCode: '330102',
      fiscalYear: 2026,
      statementNo: 'DZ20261127ICBC0001',
      clearingAccount: '1202020109000012345',
      beginDate: '2026-11-27',
      endDate: '2026-11-27',
      allNum: totals.count,
      allAmtFen: totals.amountFen,
    },
    lines: side === 'bank' ? day.bankLines() : day.financeLines(),
    format,
  });
}

/**
 * `LC_ALL=C sort` both files on the voucher number, then `join` them keeping unpaired lines: wall
 * time, and CPU time of the shell's children (`times`).
 */
function sortJoin(finance: string, bank: string, dir: string): { ms: number; cpuMs: number } {
  const script = `LC_ALL=C sort -t'|' -k2,2 -k3,3 "$1" > "$3/f.sorted" && LC_ALL=C sort -t'|' -k2,2 -k3,3 "$2" > "$3/b.sorted" && LC_ALL=C join -t'|' -1 2 -2 2 -a 1 -a 2 "$3/f.sorted" "$3/b.sorted" > "$3/joined" && times`;
  const t0 = performance.now();
  const run = spawnSync('sh', ['-c', script, 'sort-join', finance, bank, dir], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`sort+join failed: ${run.stderr}`);
  // The second line of `times`: the children's user and system time, as "0m0.120000s 0m0.030000s".
  const children = run.stdout.trim().split('\n')[1] ?? '';
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000,
    0,
  );
  return { ms, cpuMs };
}

const range = ([low, high]: [number, number]) => `${fmt(low)}–${fmt(high)}`;
const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
