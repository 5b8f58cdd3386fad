/**
 * The thread comparisons run in (compare-thread.ts): one reconciliation over files at a time, each
 * posted as a job, its progress and its end posted back. A statement broken in itself is posted as
 * such. When a job's finance file is still being written, its final size arrives as a message. The
 * thread waits for the next job between them: its code stays compiled for the next comparison.
 */
import { parentPort } from 'node:worker_threads';
import { StatementError } from '../../domain/reconciliation/statement-error.ts';
import { reconcileFiles, type ReconcileFilesOptions } from './reconcile.ts';

export type ThreadJob = Omit<ReconcileFilesOptions, 'onProgress' | 'financeSize'> & {
  financeGrowing: boolean;
};

const port = parentPort;
if (!port) throw new Error('compare-thread-main.ts runs as a worker thread');
const thread = port;

/** The running job's finance file's final size, resolved when its message comes. */
let financeBytes: ((bytes: number) => void) | undefined;

thread.on('message', (m: { job: ThreadJob } | { financeBytes: number }) => {
  if ('financeBytes' in m) financeBytes?.(m.financeBytes);
  // A failure other than a broken statement ends the thread ('error' in compare-thread.ts).
  else
    void run(m.job).catch((err: unknown) =>
      setImmediate(() => {
        throw err;
      }),
    );
});

async function run({ financeGrowing, ...options }: ThreadJob): Promise<void> {
  const financeSize = financeGrowing ? new Promise<number>((resolve) => (financeBytes = resolve)) : undefined;
  try {
    const result = await reconcileFiles({
      ...options,
      ...(financeSize && { financeSize }),
      onProgress: async (checkpoint) => thread.postMessage({ checkpoint }),
    });
    thread.postMessage({ result });
  } catch (err) {
    if (!(err instanceof StatementError)) throw err;
    thread.postMessage({
      fault: { problem: err.problem, source: err.source, message: err.message, lineNo: err.lineNo },
    });
  } finally {
    financeBytes = undefined;
  }
}
