/**
 * Sorts a bank statement that is not in key order, with the host's `sort` (GNU coreutils, on every
 * Linux host the workers run on): the statement's lines, as normalized lines, are written into the
 * standard input of a `LC_ALL=C sort` a run of `runLines` lines at a time, each run sorted into a
 * file of its own while the next is read (the sort on the other core); the comparison then reads
 * the runs merged by `sort -m` from its standard output as it writes it. The comparison's thread
 * holds no run in memory; `sort`'s own memory is bounded (`-S`). Nothing is written twice: no
 * unsorted copy of a run, no merged copy of the statement.
 * Stable throughout: lines equal in key (duplicates) keep the statement's order, as the merge
 * expects. Keys compare as bytes in C order, which for the statements' ASCII keys is the merge's
 * string order (a key out of it would stop the merge as unsorted, not pass unnoticed).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import type { LineSource, StatementTotals } from '../../domain/reconciliation/batches.ts';
import {
  normalizedLine,
  readNormalized,
  type NormalizedPosition,
} from '../../domain/reconciliation/normalized.ts';
import { normalizedSource } from './line-files.ts';

/** `sort`'s buffer: a run of 100,000 lines is some 12 MB of text; more spills to its temporary files. */
const sortBuffer = '16M';

/**
 * `LC_ALL=C sort` on the key (the first tab-separated field), stable, temporary files in `dir`,
 * reading its standard input (`inputs` empty) or merging the sorted `inputs`; writing `out`, or its
 * standard output.
 */
function startSort(dir: string, options: { out?: string; merge?: string[] }) {
  const args = ['-s', '-t', '\t', '-k1,1', '-S', sortBuffer, '-T', dir];
  if (options.out) args.push('-o', options.out);
  if (options.merge) args.push('-m', '--', ...options.merge);
  const child = spawn('sort', args, {
    env: { ...process.env, LC_ALL: 'C' },
    stdio: [options.merge ? 'ignore' : 'pipe', options.out ? 'ignore' : 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`sort ${args.join(' ')} failed (${code ?? signal}): ${stderr.trim()}`)),
    );
  });
  // Heard by whoever awaits it; not an unhandled rejection before then.
  exited.catch(() => undefined);
  return { child, exited };
}

/** A `sort` of one run: its lines written into its standard input, the sorted run written to `out`. */
function runSort(dir: string, out: string) {
  const { child, exited } = startSort(dir, { out });
  const stdin = child.stdin as NonNullable<typeof child.stdin>;
  // A sort that failed is heard from `exited`; its closed pipe's error is not another fault.
  stdin.on('error', () => undefined);
  return {
    async write(text: string): Promise<void> {
      if (!stdin.write(text)) await Promise.race([once(stdin, 'drain'), exited]);
    },
    async end(): Promise<void> {
      stdin.end();
      await exited;
    },
    kill: () => child.kill(),
  };
}

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

/**
 * Reads `source` into sorted runs under `dir`, cutting a run at a resume point once `runLines` are
 * written; `onRun` hears after each run is sorted, and `from` resumes after the runs it lists.
 */
export async function sortIntoRuns<P>(
  source: LineSource<P>,
  dir: string,
  options: { runLines?: number; from?: SortProgress<P>; onRun?(p: SortProgress<P>): Promise<void> } = {},
): Promise<SortedRuns> {
  const runLines = options.runLines ?? 100_000;
  const runs = [...(options.from?.runs ?? [])];
  let statement: StatementTotals | undefined;
  let sorting: ReturnType<typeof runSort> | undefined;
  let held = 0;
  let next = runs.length + 1;
  let pending = Promise.resolve();
  const runPath = (n: number) => join(dir, `run-${String(n).padStart(4, '0')}.tsv`);
  /** Ends the run being written, which its sort finishes while the read goes on; the run before is reported. */
  const cut = async (at?: P) => {
    if (!sorting) return;
    const path = runPath(next++);
    // Its input ends now, so it sorts while the run before is still heard; it ends even if that failed.
    const sorted = sorting.end();
    sorted.catch(() => undefined);
    sorting = undefined;
    held = 0;
    await pending;
    pending = sorted.then(async () => {
      runs.push(path);
      if (at !== undefined) await options.onRun?.({ runs: [...runs], from: at });
    });
    // A sort that fails is heard when the next run is cut, not as an unhandled rejection before.
    pending.catch(() => undefined);
  };
  try {
    for await (const batch of source(options.from?.from)) {
      if (batch.totals) statement = batch.totals;
      if (batch.lines.length > 0) {
        sorting ??= runSort(dir, runPath(next));
        let text = '';
        for (const line of batch.lines) text += normalizedLine(line);
        await sorting.write(text);
        held += batch.lines.length;
      }
      if (held >= runLines && batch.position !== undefined) await cut(batch.position);
    }
    await cut();
    await pending;
  } finally {
    sorting?.kill();
  }
  return { runs, statement };
}

export interface RunsPosition {
  runs: { from?: NormalizedPosition; skip: number }[];
}

/**
 * The runs in key order as one source: a single run read as it stands, several merged by `sort -m`
 * and read from its output as it writes it. Resuming merges them again and passes over the bytes
 * read before (the merge is stable, so its output is the same each time). The last batch carries
 * the statement's totals.
 */
export function mergedRunsSource(sorted: SortedRuns): LineSource<RunsPosition> {
  const [first] = sorted.runs;
  const source: LineSource<NormalizedPosition> =
    sorted.runs.length > 1 || !first
      ? (from) => readNormalized(mergedOutput(sorted.runs, from?.offset ?? 0), 'sorted runs', from)
      : normalizedSource(first);
  return async function* (from) {
    const at = from?.runs[0];
    let skip = at?.skip ?? 0;
    let position: RunsPosition = { runs: [{ from: at?.from, skip }] };
    for await (const batch of source(at?.from)) {
      let lines = batch.lines;
      if (skip > 0) {
        const skipped = Math.min(skip, lines.length);
        lines = lines.slice(skipped);
        skip -= skipped;
      }
      position = { runs: [{ from: batch.position, skip: 0 }] };
      yield { lines, position };
    }
    yield { lines: [], position, ...(sorted.statement && { totals: sorted.statement }) };
  };
}

/** The output of `sort -m` over the runs, from its byte `offset`. */
async function* mergedOutput(runs: string[], offset: number): AsyncGenerator<Uint8Array> {
  if (runs.length === 0) return;
  const { child, exited } = startSort(dirname(runs[0] as string), { merge: runs });
  let skip = offset;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      yield skip > 0 ? chunk.subarray(skip) : chunk;
      skip = 0;
    }
    await exited;
  } finally {
    child.kill();
  }
}
