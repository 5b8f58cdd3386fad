/**
 * A comparison in a thread of its own, with a heap sized for it: the merge makes a short-lived
 * object or string for every field of every line, and in a worker whose heap is kept small (the
 * production unit's 2 MB semi-space, 128 MB old space) the collector would run all the time. The
 * thread's young generation is larger and its whole heap bounded; the worker's own stays as it is.
 * Progress (the checkpoint) comes back as the comparison moves on; a broken statement comes back as
 * the StatementError it is.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { StatementError, type StatementProblem } from '../../domain/reconciliation/statement-error.ts';
import type { ReconcileCheckpoint, ReconcileFilesOptions, ReconcileResult } from './reconcile.ts';

/** The thread's heap, in MB: room for the merge's garbage, bounded for the worker's RSS. */
const heap = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 96 };

/**
 * A young generation is three semi-spaces (two and a large-object space); its size in
 * `resourceLimits` is overridden by the process's V8 flag `--max-semi-space-size`, which every
 * isolate reads as it is made: the production unit's 2 MB would be the thread's too. The flag is
 * therefore the thread's while a thread starts, and the process's again once it runs.
 */
const threadSemiSpaceMb = Math.floor(heap.maxYoungGenerationSizeMb / 3);
/** The process's own `--max-semi-space-size` (in NODE_OPTIONS or on the command line), 0 when none: V8's default. */
const processSemiSpaceMb = Number(
  [...(process.env.NODE_OPTIONS ?? '').split(/\s+/), ...process.execArgv]
    .map((arg) => /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(arg)?.[1])
    .filter((mb) => mb !== undefined)
    .at(-1) ?? 0,
);
/** Threads made but not yet running. */
let starting = 0;

function startThread(start: () => Worker): Worker {
  if (starting++ === 0) setFlagsFromString(`--max-semi-space-size=${threadSemiSpaceMb}`);
  const thread = start();
  let running = false;
  const started = () => {
    if (running) return;
    running = true;
    if (--starting === 0) setFlagsFromString(`--max-semi-space-size=${processSemiSpaceMb}`);
  };
  thread.once('online', started).once('error', started).once('exit', started);
  return thread;
}

type Message =
  | { checkpoint: ReconcileCheckpoint }
  | { result: ReconcileResult }
  | { fault: { problem: StatementProblem; source: string; message: string; lineNo?: number } };

/**
 * Runs `reconcileFiles` in a thread; `signal` (the activity's cancellation) ends the thread. With
 * `financeSize`, the finance file is still being written here while the thread reads it.
 */
export function reconcileInThread(
  options: ReconcileFilesOptions,
  signal?: AbortSignal,
): Promise<ReconcileResult> {
  const { onProgress, financeSize, ...data } = options;
  // Under tsx the sources are .ts (tsx finds them for `.js`) and a thread registers tsx before it
  // loads them; the production build and the tests' build are plain .js.
  const mainUrl = import.meta.resolve('./compare-thread-main.js');
  const main = JSON.stringify(mainUrl);
  const boot = mainUrl.endsWith('.ts')
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.register()).then(() => import(${main}))`
    : `import(${main})`;
  const thread = startThread(
    () =>
      new Worker(boot, {
        eval: true,
        workerData: { ...data, financeGrowing: financeSize !== undefined },
        resourceLimits: heap,
      }),
  );
  return new Promise<ReconcileResult>((resolve, reject) => {
    // The extract being written beside the comparison: its final size goes to the thread; its failure ends it.
    financeSize?.then(
      (bytes) => thread.postMessage({ financeBytes: bytes }),
      (err: unknown) => {
        reject(err);
        void thread.terminate();
      },
    );
    let progress = Promise.resolve();
    thread.on('message', (m: Message) => {
      if ('checkpoint' in m) progress = progress.then(() => onProgress?.(m.checkpoint));
      else if ('result' in m) void progress.then(() => resolve(m.result), reject);
      else {
        const f = m.fault;
        // The thread's message already names the source and the line: keep it whole.
        const err = new StatementError(f.problem, f.source, '', f.lineNo);
        err.message = f.message;
        reject(err);
      }
    });
    thread.on('error', reject);
    signal?.addEventListener('abort', () => {
      reject(signal.reason);
      void thread.terminate();
    });
    thread.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the comparison thread exited with code ${code}`));
    });
  });
}
