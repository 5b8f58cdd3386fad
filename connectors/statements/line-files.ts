/**
 * Line sources over files: a bank's text statement, its XML packages, one of the engine's
 * normalized line files or the finance extract, each read from a byte offset (or package) so a
 * retried read resumes.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { basename } from 'node:path';
import type { LineBatch, LineSource } from '../../domain/reconciliation/batches.ts';
import { readFinanceLines, type FinancePosition } from '../../domain/reconciliation/finance-lines.ts';
import type { StatementFormat } from '../../domain/reconciliation/format-schema.ts';
import { readNormalized, type NormalizedPosition } from '../../domain/reconciliation/normalized.ts';
import { parseTextStatement, type TextPosition } from '../../domain/reconciliation/parse-text.ts';
import type { XmlPosition } from '../../domain/reconciliation/parse-xml.ts';
import type { ComparedLine, StatementKind } from '../../domain/reconciliation/statement.ts';

/** How much of a file is read at a time: 64 KiB, the stream's default for files. */
const chunkBytes = 1 << 16;

export const readFrom = (path: string, offset = 0): AsyncIterable<Uint8Array> =>
  createReadStream(path, { start: offset, highWaterMark: chunkBytes });

/**
 * A file another thread is still writing, read from `offset` as it grows until it holds `size`
 * bytes (the writer's final length). The writer removed any earlier file before it began, so what
 * is read is only ever the new one: the read waits for the file to appear.
 */
export async function* readGrowing(
  path: string,
  offset: number,
  size: Promise<number>,
): AsyncGenerator<Uint8Array> {
  let final: number | undefined;
  void size.then((n) => (final = n));
  let file;
  for (;;) {
    file = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (file) break;
    await sleep(pollMs);
  }
  try {
    let at = offset;
    for (;;) {
      const { bytesRead, buffer } = await file.read(Buffer.allocUnsafe(chunkBytes), 0, chunkBytes, at);
      if (bytesRead > 0) {
        at += bytesRead;
        yield buffer.subarray(0, bytesRead);
      } else if (final !== undefined && at >= final) return;
      else await sleep(pollMs);
    }
  } finally {
    await file.close();
  }
}

/** How often a read that caught up with its writer looks again, in ms. */
const pollMs = 5;

export type StatementPosition = TextPosition | XmlPosition;

/** The bank's statement: one text file, or the XML packages in CurPackNo order. */
export function statementSource(
  kind: StatementKind,
  format: Pick<StatementFormat, 'format' | 'encoding' | 'delimiter'>,
  files: readonly string[],
): LineSource<StatementPosition> {
  if (format.format === 'xml') {
    const packages = files.map((path) => ({ name: basename(path), open: () => readFrom(path) }));
    // The XML reader loads when a statement is XML: a thread comparing text files spares it.
    return async function* (from?: XmlPosition) {
      const { xmlStatementSource } = await import('../../domain/reconciliation/parse-xml.ts');
      yield* xmlStatementSource(packages, kind)(from);
    } as LineSource<StatementPosition>;
  }
  const [file, ...more] = files;
  if (!file || more.length > 0)
    throw new RangeError(`a ${format.format} statement is one file; got ${files.length}`);
  return ((from?: TextPosition) =>
    parseTextStatement(readFrom(file, from?.offset), {
      kind,
      format,
      source: basename(file),
      from,
    })) as LineSource<StatementPosition>;
}

/** One of the engine's line files; `size`: it is still being written and will hold that many bytes. */
export function normalizedSource(path: string, size?: Promise<number>): LineSource<NormalizedPosition> {
  return (from) =>
    readNormalized(
      size ? readGrowing(path, from?.offset ?? 0, size) : readFrom(path, from?.offset),
      basename(path),
      from,
    );
}

/**
 * The finance side's extract (finance-extract.ts): its own line file, or for the quota kind a
 * normalized one; `size`: it is still being written and will hold that many bytes.
 */
export function financeSource(
  path: string,
  kind: StatementKind,
  size?: Promise<number>,
): LineSource<FinancePosition, ComparedLine> {
  const chunks = (from?: FinancePosition) =>
    size ? readGrowing(path, from?.offset ?? 0, size) : readFrom(path, from?.offset);
  if (kind !== 'quota') return (from) => readFinanceLines(chunks(from), kind, basename(path), from);
  return (from) => numbered(readNormalized(chunks(from), basename(path), from), from?.lineNo ?? 0);
}

/** A normalized file's batches with the lines read so far in their positions. */
async function* numbered(
  batches: AsyncIterable<LineBatch<NormalizedPosition>>,
  lineNo: number,
): AsyncGenerator<LineBatch<FinancePosition>> {
  for await (const batch of batches) {
    lineNo += batch.lines.length;
    const { position, ...rest } = batch;
    yield { ...rest, ...(position && { position: { ...position, lineNo } }) };
  }
}
