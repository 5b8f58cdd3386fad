/**
 * Sorts a bank statement that is not in key order: runs of `runLines` lines sorted in memory and
 * written as normalized line files, then read back as one key-ordered source (a k-way merge).
 * Memory holds one run, each line as its normalized text (one string, not a line object of a
 * dozen); a million lines in runs of 100,000 make ten files.
 */
import { join } from 'node:path';
import type { LineBatch, LineSource, StatementTotals } from '../../domain/reconciliation/batches.ts';
import { normalizedLine, type NormalizedPosition } from '../../domain/reconciliation/normalized.ts';
import type { StatementLine } from '../../domain/reconciliation/statement.ts';
import { normalizedSource } from './line-files.ts';
import { textFileWriter } from './line-writer.ts';

export interface SortedRuns {
  runs: string[];
  /** The statement's own totals, as its parser counted them. */
  statement?: StatementTotals;
}

export interface SortProgress<P> {
  runs: string[];
  /** Where the statement's read resumes: after the last spilled run. */
  from?: P;
}

/**
 * Reads `source` into sorted runs under `dir`, spilling at a resume point once `runLines` are
 * held; `onRun` hears after each spill, and `from` resumes after the runs it lists.
 */
export async function sortIntoRuns<P>(
  source: LineSource<P>,
  dir: string,
  options: { runLines?: number; from?: SortProgress<P>; onRun?(p: SortProgress<P>): Promise<void> } = {},
): Promise<SortedRuns> {
  const runLines = options.runLines ?? 100_000;
  const runs = [...(options.from?.runs ?? [])];
  let statement: StatementTotals | undefined;
  // The run: each line's normalized text, its key (the text's start) and its line number.
  let texts: string[] = [];
  let keys: string[] = [];
  let lineNos: number[] = [];
  const spill = async (at?: P) => {
    if (texts.length === 0) return;
    const order = Uint32Array.from(texts.keys());
    order.sort((a, b) => {
      const ka = keys[a] as string;
      const kb = keys[b] as string;
      return ka < kb ? -1 : ka > kb ? 1 : (lineNos[a] as number) - (lineNos[b] as number);
    });
    const path = join(dir, `run-${String(runs.length + 1).padStart(4, '0')}.tsv`);
    const writer = textFileWriter(path);
    for (let i = 0; i < order.length; i += 10_000) {
      let chunk = '';
      for (const j of order.subarray(i, i + 10_000)) chunk += texts[j] as string;
      writer.append(chunk);
      await writer.flush();
    }
    await writer.close();
    runs.push(path);
    texts = [];
    keys = [];
    lineNos = [];
    if (at !== undefined) await options.onRun?.({ runs: [...runs], from: at });
  };
  for await (const batch of source(options.from?.from)) {
    if (batch.totals) statement = batch.totals;
    for (const line of batch.lines) {
      const text = normalizedLine(line);
      texts.push(text);
      keys.push(text.slice(0, line.key.length));
      lineNos.push(line.lineNo);
    }
    if (texts.length >= runLines && batch.position !== undefined) await spill(batch.position);
  }
  await spill();
  return { runs, statement };
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
