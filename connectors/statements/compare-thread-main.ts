/**
 * The thread a comparison runs in (compare-thread.ts): one reconciliation over files, its progress
 * and its end posted to the thread that started it. A statement broken in itself is posted as such.
 * When the finance file is still being written, its final size arrives as a message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StatementError } from '../../domain/reconciliation/statement-error.ts';
import { reconcileFiles, type ReconcileFilesOptions } from './reconcile.ts';

const port = parentPort;
if (!port) throw new Error('compare-thread-main.ts runs as a worker thread');
const { financeGrowing, ...options } = workerData as Omit<
  ReconcileFilesOptions,
  'onProgress' | 'financeSize'
> & {
  financeGrowing: boolean;
};
/** The finance file's final size, posted once its extract is written. */
const financeSize = financeGrowing
  ? new Promise<number>((resolve) =>
      port.once('message', (m: { financeBytes: number }) => resolve(m.financeBytes)),
    )
  : undefined;
try {
  const result = await reconcileFiles({
    ...options,
    ...(financeSize && { financeSize }),
    onProgress: async (checkpoint) => port.postMessage({ checkpoint }),
  });
  port.postMessage({ result });
} catch (err) {
  if (!(err instanceof StatementError)) throw err;
  port.postMessage({
    fault: { problem: err.problem, source: err.source, message: err.message, lineNo: err.lineNo },
  });
}
