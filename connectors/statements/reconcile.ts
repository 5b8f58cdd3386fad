/**
 * One reconciliation over files: the finance side (its extract, in key order) against
 * the bank's statement as it arrived. The statement is merged as it stands when it is in key
 * order; a text statement out of order is sorted in memory first (memory-sort.ts), an XML one or
 * one too long for that into runs on disk (external-sort.ts). Writes every difference to the CSV
 * file and reports its progress as a checkpoint from which a new call resumes where it was.
 */
import { mkdirSync, rmSync } from 'node:fs';
import {
  compareStatements,
  UnsortedInput,
  type ComparePosition,
  type CompareResult,
  type Difference,
  type DifferenceSink,
} from '../../domain/reconciliation/compare.ts';
import { csvBom, differenceCsvHeader, differenceCsvRow } from '../../domain/reconciliation/difference-csv.ts';
import type { StatementFormat } from '../../domain/reconciliation/format-schema.ts';
import type { FinancePosition } from '../../domain/reconciliation/finance-lines.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import { mergedRunsSource, sortIntoRuns, type RunsPosition, type SortedRuns } from './external-sort.ts';
import { sortInMemory, type MemoryPosition } from './memory-sort.ts';
import { financeSource, statementSource, type StatementPosition } from './line-files.ts';
import { textFileWriter } from './line-writer.ts';

export type ReconcileCheckpoint =
  | { phase: 'merge'; position: ComparePosition<FinancePosition, StatementPosition> }
  | { phase: 'merge-sorted'; position: ComparePosition<FinancePosition, MemoryPosition> }
  | { phase: 'sort'; runs: string[]; from?: StatementPosition }
  | { phase: 'merge-runs'; sorted: SortedRuns; position: ComparePosition<FinancePosition, RunsPosition> };

export interface ReconcileFilesOptions {
  kind: StatementKind;
  format: Pick<StatementFormat, 'format' | 'encoding' | 'delimiter'>;
  /** The statement's file, or its XML packages in CurPackNo order. */
  statementFiles: readonly string[];
  financeFile: string;
  /** Unit names by code for the finance lines that carry none (`financeUnitNames` of finance-extract.ts). */
  financeUnitNames?: ReadonlyMap<string, string>;
  /** The finance file is still being written (the extract runs beside the comparison); its final size. */
  financeSize?: Promise<number>;
  differenceFile: string;
  /** Also every difference as one JSON line (the machine's copy: the reply and a later run read it). */
  differenceLog?: string;
  /** Scratch space for sorted runs (kept while a checkpoint may need them). */
  workDir: string;
  from?: ReconcileCheckpoint;
  onProgress?(checkpoint: ReconcileCheckpoint): Promise<void>;
  /** At most one progress report per this many milliseconds while merging (default 1000). */
  progressEveryMs?: number;
  /** A text statement out of order of at most this many lines is sorted in memory (default 1,500,000). */
  memoryLines?: number;
  /** Lines in a sorted run on disk (default 100,000). */
  runLines?: number;
  /** How many differences the result keeps for a report (default 100; the files have them all). */
  sampleSize?: number;
}

export interface ReconcileResult extends CompareResult {
  /** Whether the statement had to be sorted first. */
  sorted: boolean;
}

export async function reconcileFiles(options: ReconcileFilesOptions): Promise<ReconcileResult> {
  const { kind, onProgress } = options;
  const from = options.from;
  // A statement out of order shows it in its first batch: the merge stops there and it is sorted.
  // With the extract still being written, either reads the finance file as it grows.
  if (!from || from.phase === 'merge') {
    try {
      const result = await compareWith(
        options,
        statementSource(kind, options.format, options.statementFiles),
        (position) => onProgress?.({ phase: 'merge', position }),
        from?.phase === 'merge' ? from.position : undefined,
      );
      return { ...result, sorted: false };
    } catch (err) {
      if (!(err instanceof UnsortedInput) || err.side !== 'bank') throw err;
    }
  }
  // Sorted in memory, a resumed merge sorts again; a statement that can no longer be starts over on disk.
  if (options.format.format !== 'xml' && (!from || from.phase === 'merge' || from.phase === 'merge-sorted')) {
    const [file] = options.statementFiles;
    const inMemory = await sortInMemory(
      kind,
      options.format,
      file as string,
      options.memoryLines ?? 1_500_000,
    );
    if (inMemory) {
      const result = await compareWith(
        options,
        inMemory,
        (position) => onProgress?.({ phase: 'merge-sorted', position }),
        from?.phase === 'merge-sorted' ? from.position : undefined,
      );
      return { ...result, sorted: true };
    }
  }
  let sorted: SortedRuns;
  if (from?.phase === 'merge-runs') sorted = from.sorted;
  else {
    const resumeSort = from?.phase === 'sort' ? from : undefined;
    if (!resumeSort) {
      rmSync(options.workDir, { recursive: true, force: true });
      mkdirSync(options.workDir, { recursive: true });
    }
    sorted = await sortIntoRuns(
      statementSource(kind, options.format, options.statementFiles),
      options.workDir,
      {
        runLines: options.runLines,
        from: resumeSort,
        onRun: async (p) => onProgress?.({ phase: 'sort', ...p }),
      },
    );
  }
  const result = await compareWith(
    options,
    mergedRunsSource(sorted),
    (position) => onProgress?.({ phase: 'merge-runs', sorted, position }),
    from?.phase === 'merge-runs' ? from.position : undefined,
  );
  return { ...result, sorted: true };
}

async function compareWith<B>(
  options: ReconcileFilesOptions,
  bank: Parameters<typeof compareStatements<FinancePosition, B>>[0]['bank'],
  onProgress: (p: ComparePosition<FinancePosition, B>) => Promise<void> | undefined,
  from: ComparePosition<FinancePosition, B> | undefined,
): Promise<CompareResult> {
  const kept = from?.state.output ?? [];
  const csv = textFileWriter(options.differenceFile, kept[0] ?? 0);
  const log = options.differenceLog ? textFileWriter(options.differenceLog, kept[1] ?? 0) : undefined;
  if (!from) csv.append(csvBom + differenceCsvHeader);
  const sink: DifferenceSink = {
    add: (d: Difference) => {
      csv.append(differenceCsvRow(d));
      log?.append(`${JSON.stringify(d)}\n`);
    },
    flush: async () => [await csv.flush(), ...(log ? [await log.flush()] : [])],
  };
  try {
    return await compareStatements<FinancePosition, B>({
      kind: options.kind,
      finance: financeSource(options.financeFile, options.kind, options.financeSize),
      bank,
      sink,
      ...(options.financeUnitNames && { financeUnitNames: options.financeUnitNames }),
      from,
      progressEveryMs: options.progressEveryMs,
      sampleSize: options.sampleSize,
      ...(options.onProgress && {
        onProgress: async (p: ComparePosition<FinancePosition, B>) => void (await onProgress(p)),
      }),
    });
  } finally {
    await csv.close();
    await log?.close();
  }
}
