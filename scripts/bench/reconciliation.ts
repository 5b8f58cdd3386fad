/**
 * `npm run bench -- reconciliation`: for 100,000 and 1,000,000 lines per bank-day (BENCH_LINES),
 * writes a generated bank-day — the finance side's extract and the bank's statement in each
 * format, with 10 differences of each kind — then times the comparison in its own process (wall
 * time and peak RSS of that process) beside `LC_ALL=C sort` + `join` over the same two sides as
 * plain delimited text. Prints figures; asserts nothing. Goals: ≤ 1.5× sort+join, ≤ 256 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLineFile } from '../../connectors/statements/line-writer.ts';
import type { ReconcileFilesOptions } from '../../connectors/statements/reconcile.ts';
import { statementFormatSchema, type StatementFormat } from '../../domain/reconciliation/format.ts';
import { bankDay, type BankDayOptions } from '../../sandbox/statements/bank-day.ts';
import { writeStatement } from '../../sandbox/statements/write-statement.ts';
import { projectRoot } from '../../temporal.config.ts';

const variants: { name: string; format: Partial<StatementFormat>; order: BankDayOptions['order'] }[] = [
  {
    name: 'delimited UTF-8, voucher order',
    format: { format: 'delimited', encoding: 'UTF-8' },
    order: 'key',
  },
  { name: 'fixed-width GBK, voucher order', format: { format: 'fixed', encoding: 'GBK' }, order: 'key' },
  { name: 'fixed-width GBK, payment order', format: { format: 'fixed', encoding: 'GBK' }, order: 'payment' },
  {
    name: 'XML packages UTF-8, voucher order',
    format: { format: 'xml', encoding: 'UTF-8', packageLines: 5000 },
    order: 'key',
  },
];

interface ChildFigures {
  ms: number;
  maxRssMb: number;
  differences: number;
  sorted: boolean;
}

export async function runReconciliationBench(): Promise<number> {
  const sizes = (process.env.BENCH_LINES ?? '100000,1000000').split(',').map(Number);
  const date = '2026-11-27';
  for (const lines of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'jincai-recon-bench-'));
    try {
      const plain = statementFormatSchema.parse({ format: 'delimited', encoding: 'UTF-8' });
      const dayOf = (order: BankDayOptions['order']) =>
        bankDay({
          kind: 'payment-detail',
          bank: 'ICBC',
          date,
          lines,
          seed: 20261127,
          order,
          differences: {
            onlyAtFinance: 10,
            onlyAtBank: 10,
            amountDiffers: 10,
            statusDiffers: 10,
            duplicates: 10,
          },
        });
      const keyDay = dayOf('key');
      const financeFile = join(dir, 'finance.tsv');
      await writeLineFile(financeFile, keyDay.financeLines());
      // The finance side as plain text for sort + join: the same delimited lines as a bank's.
      const financeText = (await writeSide(join(dir, 'finance-text'), keyDay, plain, 'finance'))[0] as string;
      console.log(`\n${lines.toLocaleString('en')} lines per bank-day (${keyDay.differences} differences)`);
      for (const v of variants) {
        const day = dayOf(v.order);
        const format = statementFormatSchema.parse(v.format);
        const files = await writeSide(join(dir, v.name.replace(/\W+/g, '-')), day, format, 'bank');
        const options: ReconcileFilesOptions = {
          kind: 'payment-detail',
          format,
          statementFiles: files,
          financeFile,
          differenceFile: join(dir, 'differences.csv'),
          workDir: join(dir, 'work'),
        };
        const t0 = performance.now();
        const child = spawnSync(
          process.execPath,
          ['--import', 'tsx', join(projectRoot, 'scripts/bench/reconcile-child.ts'), JSON.stringify(options)],
          { cwd: projectRoot, encoding: 'utf8' },
        );
        const wall = performance.now() - t0;
        if (child.status !== 0) throw new Error(`the comparison failed: ${child.stderr}`);
        const figures = JSON.parse(child.stdout) as ChildFigures;
        const bankText = v.format.format === 'delimited' && v.order === 'key' ? files[0] : undefined;
        const baseline = sortJoin(financeText, bankText ?? (await plainBank(dir, day, plain)), dir);
        console.log(
          `  ${v.name.padEnd(36)} comparison ${fmt(figures.ms)} (process ${fmt(wall)}), peak RSS ${figures.maxRssMb.toFixed(0)} MB,` +
            ` ${figures.differences} differences${figures.sorted ? ', sorted first' : ''};` +
            ` sort+join ${fmt(baseline)} → ${(figures.ms / baseline).toFixed(2)}×`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return 0;
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

async function plainBank(
  dir: string,
  day: ReturnType<typeof bankDay>,
  plain: StatementFormat,
): Promise<string> {
  return (await writeSide(join(dir, 'bank-text'), day, plain, 'bank'))[0] as string;
}

/** `LC_ALL=C sort` both files on the voucher number, then `join` them keeping unpaired lines. */
function sortJoin(finance: string, bank: string, dir: string): number {
  const script = `LC_ALL=C sort -t'|' -k2,2 -k3,3 "$1" > "$3/f.sorted" && LC_ALL=C sort -t'|' -k2,2 -k3,3 "$2" > "$3/b.sorted" && LC_ALL=C join -t'|' -1 2 -2 2 -a 1 -a 2 "$3/f.sorted" "$3/b.sorted" > "$3/joined"`;
  const t0 = performance.now();
  const run = spawnSync('sh', ['-c', script, 'sort-join', finance, bank, dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`sort+join failed: ${run.stderr}`);
  return performance.now() - t0;
}

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
