/**
 * The comparison of one bank-day (db zone): the finance side extracted from the treasury database
 * (current and history tables) to a line file, the bank's statement parsed as it streams in and
 * merged with it (connectors/statements/reconcile.ts), in a thread with a heap of its own
 * (compare-thread.ts). The extract is written while the thread starts and reads the statement's
 * first lines, and while it sorts a statement out of order: the two use both cores. A statement in
 * key order is merged once the extract is whole, so that a checkpoint of the merge always stands on
 * a finished extract. A long-running read: it heartbeats its
 * checkpoint about once a second (the SDK sends at most one per throttle interval), and a retried
 * attempt — the worker killed mid-parse — takes up from the last checkpoint Temporal holds, as long
 * as the statement's files are still the ones it read; its result and files equal an uninterrupted
 * run's. A statement broken in itself comes back as a fault, named, not as differences.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Context } from '@temporalio/activity';
import { createFolderExchange } from '../../connectors/statements/folder-exchange.ts';
import { writeFinanceExtract } from '../../connectors/statements/finance-extract.ts';
import { reconcileInThread } from '../../connectors/statements/compare-thread.ts';
import type { ReconcileCheckpoint } from '../../connectors/statements/reconcile.ts';
import { StatementError } from '../../domain/reconciliation/statement-error.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import type { ComparedDay, StatementFault } from '../../domain/runbooks/bank-reconciliation.types.ts';
import { bankStatementFormat } from '../../temporal.config.ts';
import { requireBank } from '../site-lookup.ts';
import { differenceFiles, statementsOf, workFolder, type StatementDeps } from './deps.ts';

/** What a heartbeat carries: the statement's files as read, the finance extract once written, the merge's checkpoint. */
interface CompareCheckpoint {
  inputs: string;
  finance?: { bytes: number };
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
      const financeFile = join(work, 'finance.tsv');
      const files = differenceFiles(site, { bank, kind, date, workflowId, runId });
      await mkdir(work, { recursive: true });
      await mkdir(dirname(files.csv), { recursive: true });

      const prior = ctx.info.heartbeatDetails as CompareCheckpoint | undefined;
      const usable =
        prior?.inputs === inputs && prior.finance && (await sizeOf(financeFile)) === prior.finance.bytes;
      let latest: CompareCheckpoint = usable ? prior : { inputs };
      const resumedAt = usable ? resumePoint(prior) : undefined;
      // A checkpoint of the comparison counts once the extract it reads is whole.
      const held = (): CompareCheckpoint => (latest.finance ? latest : { inputs });
      ctx.heartbeat(held());
      const beat = setInterval(() => ctx.heartbeat(held()), 1000);
      // The extract is written here while the thread starts, reads the statement and, when it is out of
      // order, sorts it.
      let financeSize: Promise<number> | undefined;
      try {
        if (!latest.finance) {
          await rm(financeFile, { force: true });
          financeSize = writeFinanceExtract(db, { bank, kind, beginDate: date, endDate: date }, financeFile);
          financeSize.then(
            (bytes) => void (latest = { ...latest, finance: { bytes } }),
            () => undefined,
          );
        }
        const result = await reconcileInThread(
          {
            ...(financeSize && { financeSize }),
            kind,
            format,
            statementFiles: arrived.files,
            financeFile,
            differenceFile: files.csv,
            differenceLog: files.log,
            workDir: join(work, 'runs'),
            sampleSize: input.sampleSize,
            ...(latest.reconcile && { from: latest.reconcile }),
            onProgress: async (reconcile) => {
              latest = { ...latest, reconcile };
            },
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
