/**
 * A comparison in a thread of its own, with a heap sized for it: the merge makes a short-lived
 * object or string for every field of every line, and in a worker whose heap is kept small (the
 * production unit's 2 MB semi-space, 128 MB old space) the collector would run all the time. The
 * thread's young generation is larger and its whole heap bounded; the worker's own stays as it is.
 * Progress (the checkpoint) comes back as the comparison moves on; a broken statement comes back as
 * the StatementError it is. A thread whose comparison ended waits a while for the next one.
 */
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { StatementError, type StatementProblem } from '../../domain/reconciliation/statement-error.ts';
import type { ThreadJob } from './compare-thread-main.ts';
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
 * How long a thread that finished a comparison waits for the next: its code is compiled (a new
 * thread runs a comparison of 100,000 lines about twice as long as a warm one) and the worker runs
 * a range of days, or each bank after its close, one comparison after another. One thread is kept;
 * it holds the worker's process open no longer than that.
 */
const keepIdleMs = 60_000;
let idle: { thread: Worker; timer: NodeJS.Timeout } | undefined;

function takeThread(): Worker {
  if (idle) {
    const { thread, timer } = idle;
    idle = undefined;
    clearTimeout(timer);
    thread.ref();
    return thread;
  }
  // Under tsx the sources are .ts (tsx finds them for `.js`) and a thread registers tsx before it
  // loads them; the production build and the tests' build are plain .js.
  const mainUrl = import.meta.resolve('./compare-thread-main.js');
  const main = JSON.stringify(mainUrl);
  const boot = mainUrl.endsWith('.ts')
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => tsx.register()).then(() => import(${main}))`
    : `import(${main})`;
  const thread = startThread(() => new Worker(boot, { eval: true, resourceLimits: heap }));
  thread.once('exit', () => {
    if (idle?.thread !== thread) return;
    clearTimeout(idle.timer);
    idle = undefined;
  });
  return thread;
}

/** Keeps a thread whose comparison ended for the next one, or ends it when one is kept already. */
function release(thread: Worker): void {
  if (idle) {
    void thread.terminate();
    return;
  }
  thread.unref();
  const timer = setTimeout(() => void thread.terminate(), keepIdleMs);
  timer.unref();
  idle = { thread, timer };
}

/**
 * Runs `reconcileFiles` in a thread; `signal` (the activity's cancellation) ends the thread. With
 * `financeSize`, the finance file is still being written here while the thread reads it.
 */
export function reconcileInThread(
  options: ReconcileFilesOptions,
  signal?: AbortSignal,
): Promise<ReconcileResult> {
  const { onProgress, financeSize, ...data } = options;
  const thread = takeThread();
  const job: ThreadJob = { ...data, financeGrowing: financeSize !== undefined };
  return new Promise<ReconcileResult>((resolve, reject) => {
    let settled = false;
    const end = (keep: boolean) => {
      settled = true;
      thread.off('message', onMessage).off('error', fail).off('exit', onExit);
      if (keep) release(thread);
      else void thread.terminate();
    };
    const fail = (err: unknown) => {
      if (settled) return;
      end(false);
      reject(err);
    };
    // The extract being written beside the comparison: its final size goes to the thread; its failure ends it.
    financeSize?.then((bytes) => {
      if (!settled) thread.postMessage({ financeBytes: bytes });
    }, fail);
    let progress = Promise.resolve();
    const onMessage = (m: Message) => {
      if ('checkpoint' in m) progress = progress.then(() => onProgress?.(m.checkpoint));
      else if ('result' in m) {
        end(true);
        void progress.then(() => resolve(m.result), reject);
      } else {
        end(true);
        const f = m.fault;
        // The thread's message already names the source and the line: keep it whole.
        const err = new StatementError(f.problem, f.source, '', f.lineNo);
        err.message = f.message;
        reject(err);
      }
    };
    const onExit = (code: number) => fail(new Error(`the comparison thread exited with code ${code}`));
    thread.on('message', onMessage).on('error', fail).on('exit', onExit);
    signal?.addEventListener('abort', () => fail(signal.reason));
    thread.postMessage({ job });
  });
}
