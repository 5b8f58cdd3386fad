/**
 * A comparison in a thread of its own, with a heap sized for it: the merge makes a short-lived
 * object or string for every field of every line, and in a worker whose heap is kept small (the
 * production unit's 2 MB semi-space, 128 MB old space) the collector would run all the time. The
 * thread's young generation is larger and its whole heap bounded; the worker's own stays as it is.
 * Progress (the checkpoint) comes back as the comparison moves on; a broken statement comes back as
 * the StatementError it is.
 */
import { Worker } from 'node:worker_threads';
import { StatementError, type StatementProblem } from '../../domain/reconciliation/statement-error.ts';
import type { ReconcileCheckpoint, ReconcileFilesOptions, ReconcileResult } from './reconcile.ts';

/** The thread's heap, in MB: room for the merge's garbage, bounded for the worker's RSS. */
const heap = { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 96 };

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
  const thread = new Worker(boot, {
    eval: true,
    workerData: { ...data, financeGrowing: financeSize !== undefined },
    resourceLimits: heap,
  });
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
