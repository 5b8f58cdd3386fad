import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reconcileInThread } from '../../connectors/statements/compare-thread.ts';
import { reconcileFiles, type ReconcileFilesOptions } from '../../connectors/statements/reconcile.ts';
import { StatementError } from '../../domain/reconciliation/statement-error.ts';
import { format, writeDay } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-compare-thread-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const every = { onlyAtFinance: 2, onlyAtBank: 2, amountDiffers: 2, statusDiffers: 2, duplicates: 2 };
const delimited = format({ format: 'delimited' });

async function dayOptions(
  name: string,
  seed: number,
): Promise<Omit<ReconcileFilesOptions, 'differenceFile'>> {
  const day = await writeDay(join(dir, name), { lines: 5000, seed, format: delimited, differences: every });
  return {
    kind: day.kind,
    format: delimited,
    statementFiles: day.statementFiles,
    financeFile: day.financeFile,
    workDir: join(dir, `${name}-work`),
  };
}

describe('the comparison thread', () => {
  it('runs comparisons one after another — a growing finance file, a broken statement, a clean day — each as in-process', async () => {
    const first = await dayOptions('first', 11);
    const second = await dayOptions('second', 12);
    const expected = await Promise.all(
      [first, second].map((o, i) => reconcileFiles({ ...o, differenceFile: join(dir, `expected-${i}.csv`) })),
    );

    // The finance file arrives only after the comparison started (its size comes with it).
    const growing = join(dir, 'first-growing.tsv');
    const written = copyFile(first.financeFile, growing).then(() => readFileSync(growing).length);
    const one = await reconcileInThread({
      ...first,
      financeFile: growing,
      financeSize: written,
      differenceFile: join(dir, 'one.csv'),
    });
    assert.deepEqual(one, expected[0]);
    assert.equal(
      readFileSync(join(dir, 'one.csv'), 'utf8'),
      readFileSync(join(dir, 'expected-0.csv'), 'utf8'),
    );

    const broken = await writeDay(join(dir, 'broken'), {
      lines: 5000,
      format: delimited,
      faults: { truncate: true },
    });
    await assert.rejects(
      reconcileInThread({
        ...first,
        statementFiles: broken.statementFiles,
        financeFile: broken.financeFile,
        differenceFile: join(dir, 'broken.csv'),
      }),
      (err) => err instanceof StatementError && err.problem === 'truncated',
    );

    const three = await reconcileInThread({ ...second, differenceFile: join(dir, 'three.csv') });
    assert.deepEqual(three, expected[1]);
  });

  it('ends a cancelled comparison with its reason, and the next one runs', async () => {
    const day = await dayOptions('cancelled', 13);
    const abort = new AbortController();
    const reason = new Error('cancelled');
    // A finance file that never completes: the comparison waits for it until cancelled.
    const never = new Promise<number>(() => undefined);
    const run = reconcileInThread(
      { ...day, financeSize: never, differenceFile: join(dir, 'cancelled.csv'), progressEveryMs: 0 },
      abort.signal,
    );
    setTimeout(() => abort.abort(reason), 200);
    await assert.rejects(run, (err) => err === reason);
    const expected = await reconcileFiles({ ...day, differenceFile: join(dir, 'cancelled-expected.csv') });
    assert.deepEqual(await reconcileInThread({ ...day, differenceFile: join(dir, 'after.csv') }), expected);
  });
});
