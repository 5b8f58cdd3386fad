/**
 * The comparison of one bank-day (db zone): the finance side extracted from the treasury database
 * (current and history tables) to a line file, the bank's statement parsed as it streams in and
 * merged with it (connectors/statements/reconcile.ts), in a thread with a heap of its own
 * (compare-thread.ts). The extract is written while the thread merges the statement with it, reading
 * it as it grows, or sorts a statement out of order: the two use both cores. A long-running read: it
 * heartbeats each checkpoint — the thread reports two a second, the SDK sends at most one a second
 * (the worker's throttle interval), so even a comparison of two seconds has its middle held —
 * and a retried attempt — the worker killed mid-parse — takes up from the last checkpoint Temporal
 * holds, as long as the statement's files are still the ones it read and the finance side is what
 * the checkpoint read (see `startingPoint`); its result and files equal an uninterrupted run's. A statement broken in itself comes back as a fault, named, not as differences.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Context } from '@temporalio/activity';
import { createFolderExchange } from '../../connectors/statements/folder-exchange.ts';
import { financeUnitNames, writeFinanceExtract } from '../../connectors/statements/finance-extract.ts';
import { reconcileInThread } from '../../connectors/statements/compare-thread.ts';
import { beginsWith } from '../../connectors/statements/file-prefix.ts';
import type { ReconcileCheckpoint } from '../../connectors/statements/reconcile.ts';
import { StatementError } from '../../domain/reconciliation/statement-error.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import type { ComparedDay, StatementFault } from '../../domain/runbooks/bank-reconciliation.types.ts';
import { bankStatementFormat } from '../../temporal.config.ts';
import { requireBank } from '../site-lookup.ts';
import { differenceFiles, statementsOf, workFolder, type StatementDeps } from './deps.ts';

/**
 * What a heartbeat carries: the statement's files as read, the finance extract read (its file in the
 * work folder, and its length once whole), the merge's checkpoint.
 */
interface CompareCheckpoint {
  inputs: string;
  finance?: { file: string; bytes?: number };
  reconcile?: ReconcileCheckpoint;
}

export type CompareOutcome = { compared: ComparedDay } | { fault: StatementFault };

export function createCompareActivities({ db, site }: StatementDeps) {
  return {
    /** Compares one day's statement with the finance side; resumes from the last heartbeat when retried. */
    async compareStatement(input: {
      bank: string;
      kind: StatementKind;
      date: string;
      sampleSize: number;
    }): Promise<CompareOutcome> {
      const { bank, kind, date } = input;
      const ctx = Context.current();
      // An activity started on its own (no workflow) keeps its files under its activity id.
      const { workflowId, runId } = ctx.info.workflowExecution ?? {
        workflowId: ctx.info.activityId,
        runId: ctx.info.activityId,
      };
      const format = bankStatementFormat(requireBank(site, bank));
      const arrived = await createFolderExchange(statementsOf(site).exchangeDir).arrived(bank, kind, date);
      const inputs = await signature(arrived.files);
      const work = workFolder(site, workflowId, kind, date);
      const files = differenceFiles(site, { bank, kind, date, workflowId, runId });
      await mkdir(work, { recursive: true });
      await mkdir(dirname(files.csv), { recursive: true });

      // Each attempt writes an extract of its own: the one a checkpoint read stays as it was.
      const ownExtract = join(work, `finance-${ctx.info.attempt}${extractSuffix}`);
      const extract = () =>
        writeFinanceExtract(db, { bank, kind, beginDate: date, endDate: date }, ownExtract);
      const prior = ctx.info.heartbeatDetails as CompareCheckpoint | undefined;
      let latest: CompareCheckpoint = prior?.inputs === inputs ? prior : { inputs };
      const heartbeat = (checkpoint: CompareCheckpoint) => ctx.heartbeat((latest = checkpoint));
      // Checkpoints are heartbeated as they come (the thread reports at most two a second); between
      // them — an extract written again, a sorted run — this says the attempt is alive.
      const beat = setInterval(() => ctx.heartbeat(latest), keepAliveMs);
      let financeSize: Promise<number> | undefined;
      try {
        // Read before any extract: the extract's lines leave the names to the comparison.
        const unitNames = await financeUnitNames(db);
        const start = await startingPoint(prior, inputs, work, ownExtract, extract);
        const { resumedAt } = start;
        latest = start.latest;
        let financeFile = ownExtract;
        if (latest.finance) financeFile = join(work, latest.finance.file);
        else {
          // The extract is written here while the thread merges or sorts.
          const file = basename(ownExtract);
          latest = { inputs, finance: { file } };
          // The thread reads what is there: nothing of an earlier run's file of that name.
          await rm(ownExtract, { force: true });
          financeSize = extract();
          financeSize.then(
            (bytes) => heartbeat({ ...latest, finance: { file, bytes } }),
            () => undefined,
          );
        }
        await removeExtractsBut(work, basename(financeFile));
        const result = await reconcileInThread(
          {
            ...(financeSize && { financeSize }),
            financeUnitNames: unitNames,
            kind,
            format,
            statementFiles: arrived.files,
            financeFile,
            differenceFile: files.csv,
            differenceLog: files.log,
            workDir: join(work, 'runs'),
            sampleSize: input.sampleSize,
            ...(latest.reconcile && { from: latest.reconcile }),
            progressEveryMs: 500,
            onProgress: async (reconcile) => heartbeat({ ...latest, reconcile }),
          },
          ctx.cancellationSignal,
        );
        const { totals, counts, differences, sample, statement, statementTotalsAgree, sorted } = result;
        return {
          compared: {
            totals,
            counts,
            differences,
            sample,
            ...(statement && { statement }),
            statementTotalsAgree,
            sorted,
            differenceFile: files.csv,
            differenceLog: files.log,
            ...(resumedAt && { resumedAt }),
          },
        };
      } catch (err) {
        if (!(err instanceof StatementError)) throw err;
        return {
          fault: {
            problem: err.problem,
            source: basename(err.source),
            ...(err.lineNo !== undefined && { lineNo: err.lineNo }),
            message: err.message,
          },
        };
      } finally {
        clearInterval(beat);
        // A comparison that ended early (a broken statement) leaves no extract still being written.
        await financeSize?.catch(() => undefined);
      }
    },
  };
}

/**
 * The extract's file name after `finance-<attempt>`: an extract of an earlier format (`.tsv`, the
 * normalized lines), left by a worker of an earlier release, is not taken up but written again.
 */
const extractSuffix = '.lines';

/** How often an attempt heartbeats when no checkpoint came (well within the activity's heartbeat timeout). */
const keepAliveMs = 3000;

/** Names, sizes and modification times of the statement's files: a file the bank replaced since means starting over. */
async function signature(files: string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (f) => {
      const s = await stat(f);
      return `${basename(f)}:${s.size}:${s.mtimeMs}`;
    }),
  );
  return parts.join('|');
}

/**
 * Where an attempt takes up from the checkpoint the attempt before left, and the extract it reads.
 * An extract left whole (its length as recorded): from the checkpoint, as it stands. An extract cut
 * while it was written (the worker killed as the merge read it): every byte a checkpoint read is
 * final in it, so the extract written again stands for it if it begins with all the cut one holds
 * — the vouchers as they were — and the checkpoint with it; otherwise the comparison starts over,
 * on the new extract. Anything else starts over.
 */
async function startingPoint(
  prior: CompareCheckpoint | undefined,
  inputs: string,
  work: string,
  ownExtract: string,
  extract: () => Promise<number>,
): Promise<{ latest: CompareCheckpoint; resumedAt?: ComparedDay['resumedAt'] }> {
  const fresh = { latest: { inputs } };
  if (prior?.inputs !== inputs || !prior.finance?.file.endsWith(extractSuffix)) return fresh;
  const read = join(work, prior.finance.file);
  if (prior.finance.bytes !== undefined)
    return (await sizeOf(read)) === prior.finance.bytes
      ? { latest: prior, resumedAt: resumePoint(prior) }
      : fresh;
  if (!prior.reconcile) return fresh;
  const finance = { file: basename(ownExtract), bytes: await extract() };
  if (!(await beginsWith(ownExtract, read))) return { latest: { inputs, finance } };
  const latest = { inputs, finance, reconcile: prior.reconcile };
  return { latest, resumedAt: resumePoint(latest) };
}

/** Removes the finance extracts of earlier attempts but `keep`. */
async function removeExtractsBut(work: string, keep: string): Promise<void> {
  const names = await readdir(work);
  await Promise.all(
    names
      .filter((n) => /^finance-\d+\./.test(n) && n !== keep)
      .map((n) => rm(join(work, n), { force: true })),
  );
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}

/** How far the attempt before had come: lines read on each side, or the sorted runs it had written. */
function resumePoint(prior: CompareCheckpoint): ComparedDay['resumedAt'] {
  const c = prior.reconcile;
  if (!c) return { phase: 'extracted', financeLines: 0, bankLines: 0 };
  if (c.phase === 'sort') return { phase: 'sort', financeLines: 0, bankLines: c.runs.length * 100_000 };
  const t = c.position.state.totals;
  return { phase: c.phase, financeLines: t.finance.count, bankLines: t.bank.count };
}
