import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout } from 'node:timers/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { beginsWith } from '../../connectors/statements/file-prefix.ts';
import { textFileWriter } from '../../connectors/statements/line-writer.ts';
import { reconcileFiles, type ReconcileCheckpoint } from '../../connectors/statements/reconcile.ts';
import { classify } from '../../domain/reconciliation/classify.ts';
import { newLine } from '../../domain/reconciliation/statement.ts';
import { writeStatement } from '../../sandbox/statements/write-statement.ts';
import { projectRoot } from '../../temporal.config.ts';
import { budgetUnitCode } from '../../sandbox/seed/base-data.ts';
import { budgetUnitNames } from '../../sandbox/seed/names.ts';
import { format, writeDay, writeFinanceFile } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-compare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const every = { onlyAtFinance: 3, onlyAtBank: 3, amountDiffers: 3, statusDiffers: 3, duplicates: 3 };

/** Stops a run at its n-th progress report, as a killed worker would. */
class Stop extends Error {}

describe('the comparison', () => {
  it('finds every difference in both directions, classified, and writes them to a CSV with a BOM', async () => {
    const day = await writeDay(join(dir, 'all'), {
      lines: 2000,
      format: format({ format: 'delimited' }),
      differences: every,
    });
    const csv = join(dir, 'all.csv');
    const result = await reconcileFiles({
      kind: day.kind,
      format: format({ format: 'delimited' }),
      statementFiles: day.statementFiles,
      financeFile: day.financeFile,
      differenceFile: csv,
      workDir: join(dir, 'all-work'),
    });
    assert.deepEqual(result.counts, {
      'only-at-finance': 3,
      'only-at-bank': 3,
      'amount-differs': 3,
      'status-differs': 3,
      duplicate: 3,
    });
    assert.equal(result.differences, 15);
    assert.equal(result.statementTotalsAgree, true);
    assert.equal(result.sorted, false);
    assert.equal(result.totals.finance.count, 2000 - 3);
    assert.equal(result.totals.bank.count, 2000 - 3 + 3);
    const byType = (t: string) => result.sample.filter((d) => d.type === t);
    assert.deepEqual(new Set(byType('only-at-finance').map((d) => d.fix)), new Set(['voucher-resend']));
    assert.deepEqual(new Set(byType('status-differs').map((d) => d.cause)), new Set(['refund-unmatched']));
    assert.deepEqual(new Set(byType('duplicate').map((d) => d.cause)), new Set(['duplicate-at-bank']));
    assert.deepEqual(new Set(byType('amount-differs').map((d) => d.fix)), new Set([null]));
    const text = readFileSync(csv, 'utf8');
    assert.ok(text.startsWith('\uFEFF差异类型,'));
    assert.equal(text.trim().split('\r\n').length, 16);
    assert.match(text, /金额不符,,ZZ20261127ICBC\d+,1,/);
  });

  it("names a finance line's unit from the unit table, the extract carrying no name", async () => {
    const day = await writeDay(join(dir, 'names'), {
      lines: 2000,
      format: format({ format: 'delimited' }),
      differences: every,
    });
    const unitNames = new Map(budgetUnitNames.map((name, i) => [budgetUnitCode(i), name]));
    const compare = async (name: string, names?: Map<string, string>) => {
      const differenceFile = join(dir, 'names', `${name}.csv`);
      const result = await reconcileFiles({
        kind: day.kind,
        format: format({ format: 'delimited' }),
        statementFiles: day.statementFiles,
        financeFile: day.financeFile,
        ...(names && { financeUnitNames: names }),
        differenceFile,
        workDir: join(dir, 'names', `${name}-work`),
      });
      return result.sample;
    };
    const named = await compare('named', unitNames);
    assert.ok(named.some((d) => d.finance));
    for (const d of named) assert.equal(d.unitName, unitNames.get(d.budgetUnit), d.key);
    const unnamed = await compare('without');
    assert.ok(
      unnamed.some((d) => d.finance && d.unitName === ''),
      'a finance line without a name and no unit table: no name',
    );
    assert.ok(unnamed.filter((d) => !d.finance).every((d) => d.unitName !== ''));
    assert.deepEqual(
      unnamed.map((d) => ({ ...d, unitName: '' })),
      named.map((d) => ({ ...d, unitName: '' })),
    );
  });

  it('agrees on a clean day', async () => {
    const day = await writeDay(join(dir, 'clean'), {
      lines: 500,
      format: format({ format: 'xml', packageLines: 100 }),
    });
    const result = await reconcileFiles({
      kind: day.kind,
      format: format({ format: 'xml' }),
      statementFiles: day.statementFiles,
      financeFile: day.financeFile,
      differenceFile: join(dir, 'clean.csv'),
      workDir: join(dir, 'clean-work'),
    });
    assert.equal(result.differences, 0);
    assert.deepEqual(result.totals.finance, result.totals.bank);
  });

  for (const kind of ['payment-detail', 'payment', 'quota'] as const) {
    for (const f of [format({ format: 'fixed', encoding: 'GBK' }), format({ format: 'delimited' })]) {
      it(`sorts a ${kind} statement in payment order (${f.format}) first, in memory and on disk, to the same differences and file`, async () => {
        const name = `unsorted-${kind}-${f.format}`;
        const day = await writeDay(join(dir, name), {
          kind,
          lines: 3000,
          format: f,
          differences: every,
          order: 'payment',
        });
        const base = {
          kind,
          format: f,
          statementFiles: day.statementFiles,
          financeFile: day.financeFile,
          workDir: join(dir, `${name}-work`),
          runLines: 700,
        };
        const result = await reconcileFiles({ ...base, differenceFile: join(dir, `${name}.csv`) });
        assert.equal(result.sorted, true);
        // A quota line has no status that could differ.
        assert.equal(result.differences, kind === 'quota' ? 12 : 15);
        assert.equal(result.counts.duplicate, 3);
        assert.equal(
          readFileSync(join(dir, `${name}.csv`), 'utf8')
            .trim()
            .split('\r\n').length,
          result.differences + 1,
        );
        // Above the line budget for memory: sorted runs on disk, merged.
        const progress: string[] = [];
        const onDisk = await reconcileFiles({
          ...base,
          memoryLines: 2999,
          differenceFile: join(dir, `${name}-disk.csv`),
          onProgress: async (c) => void progress.push(c.phase),
        });
        assert.ok(progress.includes('sort'), progress.join());
        assert.deepEqual(onDisk, result);
        assert.equal(
          readFileSync(join(dir, `${name}-disk.csv`), 'utf8'),
          readFileSync(join(dir, `${name}.csv`), 'utf8'),
        );
      });
    }
  }

  it('sorts on disk a statement whose keys are not one byte a character', async () => {
    const f = format({ format: 'delimited' });
    const lines = ['付款003', '付款001', 'ZZ002'].map((voucherNo, i) =>
      newLine('payment', {
        voucherNo,
        budgetUnit: '101001',
        amounts: [100 * (i + 1)],
        status: 'paid',
        lineNo: i + 2,
      }),
    );
    const day = join(dir, 'wide-keys');
    mkdirSync(day, { recursive: true });
    const financeFile = join(day, 'finance.lines');
    await writeFinanceFile(
      financeFile,
      'payment',
      [...lines].sort((a, b) => (a.key < b.key ? -1 : 1)).slice(1),
    );
    const statementFiles = await writeStatement({
      dir: day,
      bank: 'ICBC',
      header: {
        kind: 'payment',
        divisionCode: '330102',
        fiscalYear: 2026,
        statementNo: 'DZ20261127ICBC',
        clearingAccount: '1202020109000012345',
        beginDate: '2026-11-27',
        endDate: '2026-11-27',
        allNum: 3,
        allAmtFen: 600,
      },
      lines,
      format: f,
    });
    const progress: string[] = [];
    const result = await reconcileFiles({
      kind: 'payment',
      format: f,
      statementFiles,
      financeFile,
      differenceFile: join(day, 'd.csv'),
      workDir: join(day, 'work'),
      progressEveryMs: 0,
      onProgress: async (c) => void progress.push(c.phase),
    });
    assert.equal(result.sorted, true);
    assert.ok(progress.includes('merge-runs'), progress.join());
    assert.deepEqual(
      result.sample.map((d) => [d.type, d.voucherNo]),
      [['only-at-bank', 'ZZ002']],
    );
  });

  for (const order of ['key', 'payment'] as const) {
    it(`resumes from its last progress after being stopped, with the same result and file (${order} order)`, async () => {
      const f = format({ format: 'fixed', encoding: 'GBK' });
      const day = await writeDay(join(dir, `resume-${order}`), {
        lines: 20_000,
        format: f,
        differences: every,
        order,
      });
      const base = {
        kind: day.kind,
        format: f,
        statementFiles: day.statementFiles,
        financeFile: day.financeFile,
        workDir: join(dir, `resume-${order}-work`),
        runLines: 4000,
        progressEveryMs: 0,
      };
      const whole = await reconcileFiles({ ...base, differenceFile: join(dir, `whole-${order}.csv`) });
      const checkpoints: ReconcileCheckpoint[] = [];
      let resumes = 0;
      let from: ReconcileCheckpoint | undefined;
      const csv = join(dir, `resumed-${order}.csv`);
      for (;;) {
        try {
          const result = await reconcileFiles({
            ...base,
            differenceFile: csv,
            from,
            onProgress: async (c) => {
              checkpoints.push(structuredClone(c));
              // Every third report, the run dies; the next starts from the report before.
              if (checkpoints.length % 3 === 0) throw new Stop();
            },
          });
          assert.deepEqual(
            { ...result, sample: result.sample.length },
            { ...whole, sample: whole.sample.length },
          );
          assert.deepEqual(result.sample, whole.sample);
          break;
        } catch (err) {
          if (!(err instanceof Stop)) throw err;
          resumes += 1;
          from = checkpoints[checkpoints.length - 2];
        }
      }
      assert.ok(resumes >= 2, `stopped ${resumes} times`);
      // In payment order, the merge as it stands reports before it meets the disorder.
      assert.deepEqual(
        new Set(checkpoints.map((c) => c.phase)),
        new Set(order === 'key' ? ['merge'] : ['merge', 'merge-sorted']),
      );
      assert.equal(readFileSync(csv, 'utf8'), readFileSync(join(dir, `whole-${order}.csv`), 'utf8'));
    });
  }

  for (const order of ['key', 'payment'] as const) {
    it(`reads the finance file while it is still being written, to the same result and file (${order} order)`, async () => {
      const f = format({ format: 'fixed', encoding: 'GBK' });
      const day = await writeDay(join(dir, `growing-${order}`), {
        lines: 20_000,
        format: f,
        differences: every,
        order,
      });
      const base = {
        kind: day.kind,
        format: f,
        statementFiles: day.statementFiles,
        workDir: join(dir, `growing-${order}-work`),
        runLines: 4000,
      };
      const whole = await reconcileFiles({
        ...base,
        financeFile: day.financeFile,
        differenceFile: join(dir, `growing-whole-${order}.csv`),
      });
      // The extract written a slice at a time, the comparison started at once.
      const growing = join(dir, `growing-${order}-finance.tsv`);
      const text = readFileSync(day.financeFile);
      const writer = textFileWriter(growing);
      const utf8 = new StringDecoder('utf8');
      const financeSize = (async () => {
        for (let at = 0; at < text.length; at += 16_384) {
          writer.append(utf8.write(text.subarray(at, at + 16_384)));
          await writer.flush();
          await setTimeout(2);
        }
        return writer.close();
      })();
      const csv = join(dir, `growing-${order}.csv`);
      const result = await reconcileFiles({
        ...base,
        financeFile: growing,
        financeSize,
        differenceFile: csv,
      });
      assert.deepEqual(result, whole);
      assert.deepEqual(readFileSync(growing), text);
      assert.equal(readFileSync(csv, 'utf8'), readFileSync(join(dir, `growing-whole-${order}.csv`), 'utf8'));
    });
  }

  it("takes up an older worker's checkpoint of sorted runs, and starts over on disk from one sorted in memory that can no longer be", async () => {
    const f = format({ format: 'fixed', encoding: 'GBK' });
    const day = await writeDay(join(dir, 'phases'), {
      lines: 20_000,
      format: f,
      differences: every,
      order: 'payment',
    });
    const base = {
      kind: day.kind,
      format: f,
      statementFiles: day.statementFiles,
      financeFile: day.financeFile,
      workDir: join(dir, 'phases-work'),
      runLines: 4000,
      progressEveryMs: 0,
    };
    const wholeCsv = join(dir, 'phases-whole.csv');
    const whole = await reconcileFiles({ ...base, differenceFile: wholeCsv });
    /** The checkpoints of a run stopped once `stopAt` says so. */
    const stopped = async (
      options: Partial<typeof base> & { memoryLines?: number },
      stopAt: (c: ReconcileCheckpoint[]) => boolean,
    ) => {
      const checkpoints: ReconcileCheckpoint[] = [];
      await assert.rejects(
        reconcileFiles({
          ...base,
          ...options,
          differenceFile: join(dir, 'phases.csv'),
          onProgress: async (c) => {
            checkpoints.push(structuredClone(c));
            if (stopAt(checkpoints)) throw new Stop();
          },
        }),
        Stop,
      );
      return checkpoints;
    };
    const resumed = async (from: ReconcileCheckpoint | undefined, memoryLines?: number) => {
      const result = await reconcileFiles({
        ...base,
        ...(memoryLines !== undefined && { memoryLines }),
        differenceFile: join(dir, 'phases.csv'),
        from,
      });
      assert.deepEqual(result, whole);
      assert.equal(readFileSync(join(dir, 'phases.csv'), 'utf8'), readFileSync(wholeCsv, 'utf8'));
    };
    // An older worker sorted every statement on disk: its runs, then their merge, are taken up.
    const onDisk = await stopped(
      { memoryLines: 0 },
      (c) => c.filter((x) => x.phase === 'merge-runs').length === 2,
    );
    await resumed(onDisk.find((c) => c.phase === 'sort' && c.runs.length === 2));
    await resumed(onDisk.find((c) => c.phase === 'merge-runs'));
    // Sorted in memory, then retried by a worker that would sort it on disk: it starts over.
    const inMemory = await stopped({}, (c) => c.length === 3);
    assert.equal(inMemory[1]?.phase, 'merge-sorted');
    await resumed(inMemory[1], 0);
  });

  it('takes up from a checkpoint taken while the finance file grew, once the file is whole, to the same result and file', async () => {
    const f = format({ format: 'fixed', encoding: 'GBK' });
    const day = await writeDay(join(dir, 'cut'), { lines: 20_000, format: f, differences: every });
    const base = {
      kind: day.kind,
      format: f,
      statementFiles: day.statementFiles,
      workDir: join(dir, 'cut-work'),
      progressEveryMs: 0,
    };
    const whole = await reconcileFiles({
      ...base,
      financeFile: day.financeFile,
      differenceFile: join(dir, 'cut-whole.csv'),
    });
    // The extract written a slice at a time; the run stopped at its third report, as a killed worker.
    const growing = join(dir, 'cut-finance.tsv');
    const text = readFileSync(day.financeFile);
    const writer = textFileWriter(growing);
    const utf8 = new StringDecoder('utf8');
    const financeSize = (async () => {
      for (let at = 0; at < text.length; at += 16_384) {
        writer.append(utf8.write(text.subarray(at, at + 16_384)));
        await writer.flush();
        await setTimeout(2);
      }
      return writer.close();
    })();
    let written = false;
    void financeSize.then(() => (written = true));
    const checkpoints: ReconcileCheckpoint[] = [];
    const whileGrowing: boolean[] = [];
    const csv = join(dir, 'cut.csv');
    await assert.rejects(
      reconcileFiles({
        ...base,
        financeFile: growing,
        financeSize,
        differenceFile: csv,
        onProgress: async (c) => {
          checkpoints.push(structuredClone(c));
          whileGrowing.push(!written);
          if (checkpoints.length === 3) throw new Stop();
        },
      }),
      Stop,
    );
    const from = checkpoints[1];
    assert.equal(from?.phase, 'merge');
    assert.equal(whileGrowing[1], true, 'the checkpoint was taken while the file grew');
    await financeSize;
    // The finance side written again: the same bytes, so the checkpoint stands.
    const again = join(dir, 'cut-again.tsv');
    await writeFile(again, text);
    assert.equal(await beginsWith(again, growing), true);
    assert.equal(await beginsWith(again, day.financeFile), true);
    const result = await reconcileFiles({ ...base, financeFile: again, differenceFile: csv, from });
    assert.deepEqual(result, whole);
    assert.equal(readFileSync(csv, 'utf8'), readFileSync(join(dir, 'cut-whole.csv'), 'utf8'));
    // A finance side that changed, or is shorter, or is missing, is no continuation.
    const changed = join(dir, 'cut-changed.tsv');
    await writeFile(changed, Buffer.concat([text.subarray(0, 100), Buffer.from('x'), text.subarray(101)]));
    assert.equal(await beginsWith(changed, growing), false);
    assert.equal(await beginsWith(join(dir, 'cut-short.tsv'), growing), false);
    await writeFile(join(dir, 'cut-short.tsv'), text.subarray(0, text.length - 1));
    assert.equal(await beginsWith(join(dir, 'cut-short.tsv'), growing), false);
  });

  it('streams: 300,000 lines compare within a 48 MB heap', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--max-old-space-size=48',
        '--import',
        'tsx',
        '-e',
        `const { writeDay, format } = await import('./test/reconciliation/helpers.ts');
         const { reconcileFiles } = await import('./connectors/statements/reconcile.ts');
         const f = format({ format: 'delimited' });
         const d = ${JSON.stringify(join(dir, 'big'))};
         const day = await writeDay(d, { lines: 300000, format: f, differences: { amountDiffers: 5 } });
         const r = await reconcileFiles({ kind: day.kind, format: f, statementFiles: day.statementFiles,
           financeFile: day.financeFile, differenceFile: d + '/d.csv', workDir: d + '/w' });
         console.log(JSON.stringify({ differences: r.differences, lines: r.totals.bank.count }));`,
      ],
      { cwd: projectRoot, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}'), {
      differences: 5,
      lines: 300_000,
    });
  });
});

describe('classification', () => {
  it('names the runbook that owns each class of difference, and leaves amounts to people', () => {
    assert.deepEqual(
      classify('payment', { type: 'status-differs', financeStatus: 'accepted', bankStatus: 'paid' }),
      {
        cause: 'receipt-unregistered',
        fix: 'receipt-registration-repair',
      },
    );
    assert.deepEqual(classify('payment', { type: 'only-at-finance', financeStatus: 'accepted' }), {
      cause: 'bank-has-no-record',
      fix: 'voucher-resend',
    });
    assert.deepEqual(classify('payment', { type: 'only-at-bank', bankStatus: 'refunded' }), {
      cause: 'refund-notice-unknown',
      fix: 'refund-tracking',
    });
    assert.deepEqual(classify('payment', { type: 'only-at-bank', bankStatus: 'paid' }).fix, null);
    assert.deepEqual(
      classify('payment', { type: 'status-differs', financeStatus: 'paid', bankStatus: 'accepted' }),
      {
        cause: 'bank-not-paid',
        fix: null,
      },
    );
    assert.deepEqual(
      classify('payment-detail', { type: 'duplicate', side: 'finance' }).cause,
      'duplicate-at-finance',
    );
    assert.deepEqual(classify('quota', { type: 'amount-differs' }), { cause: 'quota-mismatch', fix: null });
  });
});
