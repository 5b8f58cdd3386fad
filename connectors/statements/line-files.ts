/**
 * Line sources over files: a bank's text statement, its XML packages, or one of the engine's
 * normalized line files, each read from a byte offset (or package) so a retried read resumes.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { LineSource } from '../../domain/reconciliation/batches.ts';
import type { StatementFormat } from '../../domain/reconciliation/format-schema.ts';
import { readNormalized, type NormalizedPosition } from '../../domain/reconciliation/normalized.ts';
import { parseTextStatement, type TextPosition } from '../../domain/reconciliation/parse-text.ts';
import type { XmlPosition } from '../../domain/reconciliation/parse-xml.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';

const chunkBytes = Number(process.env.CHUNK ?? 1 << 16);

export const readFrom = (path: string, offset = 0): AsyncIterable<Uint8Array> =>
  createReadStream(path, { start: offset, highWaterMark: chunkBytes });

export type StatementPosition = TextPosition | XmlPosition;

/** The bank's statement: one text file, or the XML packages in CurPackNo order. */
export function statementSource(
  kind: StatementKind,
  format: Pick<StatementFormat, 'format' | 'encoding' | 'delimiter'>,
  files: readonly string[],
): LineSource<StatementPosition> {
  if (format.format === 'xml') {
    const packages = files.map((path) => ({ name: basename(path), open: () => readFrom(path) }));
    // The XML parser (saxes) loads when a statement is XML: a thread comparing text files spares it.
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

export function normalizedSource(path: string): LineSource<NormalizedPosition> {
  return (from) => readNormalized(readFrom(path, from?.offset), basename(path), from);
}
