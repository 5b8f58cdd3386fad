/**
 * Sorts a bank statement that is not in key order, with the host's `sort` (GNU coreutils, on every
 * Linux host the workers run on): the statement is written as normalized line files of `runLines`
 * lines, each sorted by a `LC_ALL=C sort` of its own while the next is read (the sort on the
 * other core), and the sorted runs merged by `sort -m` into one file read back in key order. The
 * comparison's thread holds no run in memory; `sort`'s own memory is bounded (`-S`).
 * Stable throughout: lines equal in key (duplicates) keep the statement's order, as the merge
 * expects. Keys compare as bytes in C order, which for the statements' ASCII keys is the merge's
 * string order (a key out of it would stop the merge as unsorted, not pass unnoticed).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LineBatch, LineSource, StatementTotals } from '../../domain/reconciliation/batches.ts';
import { normalizedLine, type NormalizedPosition } from '../../domain/reconciliation/normalized.ts';
import type { StatementLine } from '../../domain/reconciliation/statement.ts';
import { normalizedSource } from './line-files.ts';
import { textFileWriter, type TextFileWriter } from './line-writer.ts';

const run = promisify(execFile);

/** `sort`'s buffer: a run of 100,000 lines is some 12 MB of text; more spills to its temporary files. */
const sortBuffer = '32M';

export interface SortedRuns {
  runs: string[];
  /** The statement's own totals, as its parser counted them. */
  statement?: StatementTotals;
}

export interface SortProgress<P> {
  runs: string[];
  /** Where the statement's read resumes: after the last sorted run. */
  from?: P;
}

/** `LC_ALL=C sort` on the key (the first tab-separated field), stable, temporary files in `dir`. */
async function sortFiles(dir: string, out: string, inputs: string[], merge = false): Promise<void> {
  const args = ['-s', '-t', '\t', '-k1,1', '-S', sortBuffer, '-T', dir, ...(merge ? ['-m'] : []), '-o', out];
  await run('sort', [...args, '--', ...inputs], { env: { ...process.env, LC_ALL: 'C' } });
}

/**
 * Reads `source` into sorted runs under `dir`, cutting a run at a resume point once `runLines` are
 * written; `onRun` hears after each run is sorted, and `from` resumes after the runs it lists.
 * Returns one file of the whole statement in key order.
 */
export async function sortIntoRuns<P>(
  source: LineSource<P>,
  dir: string,
  options: { runLines?: number; from?: SortProgress<P>; onRun?(p: SortProgress<P>): Promise<void> } = {},
): Promise<SortedRuns> {
  const runLines = options.runLines ?? 100_000;
  const runs = [...(options.from?.runs ?? [])];
  let statement: StatementTotals | undefined;
  let writer: TextFileWriter | undefined;
  let held = 0;
  let next = runs.length + 1;
  let pending = Promise.resolve();
  const runPath = (n: number) => join(dir, `run-${String(n).padStart(4, '0')}.tsv`);
  /** Closes the run being written and sorts it while the read goes on; the run before is reported. */
  const cut = async (at?: P) => {
    if (!writer) return;
    const path = runPath(next++);
    await writer.close();
    writer = undefined;
    held = 0;
    await pending;
    const sorting = sortFiles(dir, path, [`${path}.unsorted`]).then(() => rmSync(`${path}.unsorted`));
    pending = sorting.then(async () => {
      runs.push(path);
      if (at !== undefined) await options.onRun?.({ runs: [...runs], from: at });
    });
    // A sort that fails is heard when the next run is cut, not as an unhandled rejection before.
    pending.catch(() => undefined);
  };
  for await (const batch of source(options.from?.from)) {
    if (batch.totals) statement = batch.totals;
    if (batch.lines.length > 0) {
      writer ??= textFileWriter(`${runPath(next)}.unsorted`);
      let text = '';
      for (const line of batch.lines) text += normalizedLine(line);
      writer.append(text);
      await writer.flush();
      held += batch.lines.length;
    }
    if (held >= runLines && batch.position !== undefined) await cut(batch.position);
  }
  await cut();
  await pending;
  if (runs.length <= 1) return { runs, statement };
  const whole = join(dir, 'sorted.tsv');
  await sortFiles(dir, whole, runs, true);
  return { runs: [whole], statement };
}

export interface RunsPosition {
  runs: { from?: NormalizedPosition; skip: number }[];
}

/** The runs merged into one key-ordered source; the last batch carries the statement's totals. */
export function mergedRunsSource(sorted: SortedRuns, batchLines = 8192): LineSource<RunsPosition> {
  return async function* (from) {
    const cursors = sorted.runs.map((path, i) => new RunCursor(normalizedSource(path), from?.runs[i]));
    try {
      yield* merged(cursors);
    } finally {
      await Promise.all(cursors.map((c) => c.close()));
    }
  };

  async function* merged(cursors: RunCursor[]): AsyncGenerator<LineBatch<RunsPosition>> {
    for (const c of cursors) await c.fill();
    for (;;) {
      const lines: StatementLine[] = [];
      while (lines.length < batchLines) {
        let best: RunCursor | undefined;
        for (const c of cursors) {
          const head = c.head();
          if (head && (!best || head.key < (best.head() as StatementLine).key)) best = c;
        }
        if (!best) break;
        lines.push(best.take());
        if (!best.head()) await best.fill();
      }
      const position = { runs: cursors.map((c) => c.position()) };
      if (lines.length === 0) {
        yield { lines, position, ...(sorted.statement && { totals: sorted.statement }) };
        return;
      }
      yield { lines, position };
    }
  }
}

class RunCursor {
  private batch: StatementLine[] = [];
  private i = 0;
  private done = false;
  private base: NormalizedPosition | undefined;
  private pending: NormalizedPosition | undefined;
  private consumed: number;
  private readonly iterator: AsyncIterator<LineBatch<NormalizedPosition>>;

  constructor(source: LineSource<NormalizedPosition>, at?: { from?: NormalizedPosition; skip: number }) {
    this.iterator = source(at?.from)[Symbol.asyncIterator]();
    this.base = at?.from;
    this.consumed = 0;
    this.skip = at?.skip ?? 0;
  }

  private skip: number;

  head(): StatementLine | undefined {
    return this.batch[this.i];
  }

  take(): StatementLine {
    this.consumed += 1;
    return this.batch[this.i++] as StatementLine;
  }

  position() {
    return { from: this.base, skip: this.consumed };
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  /** Reads on until a line is at hand or the run is done, skipping what a resumed run had taken. */
  async fill(): Promise<void> {
    while (!this.done && this.i >= this.batch.length) {
      if (this.pending !== undefined) {
        this.base = this.pending;
        this.consumed = 0;
      }
      const next = await this.iterator.next();
      if (next.done) {
        this.done = true;
        return;
      }
      this.batch = next.value.lines;
      this.pending = next.value.position;
      this.i = 0;
      const skipped = Math.min(this.skip, this.batch.length);
      this.i = skipped;
      this.consumed += skipped;
      this.skip -= skipped;
    }
  }
}
