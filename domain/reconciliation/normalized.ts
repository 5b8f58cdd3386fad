/**
 * The engine's own line file: one statement line per text line, tab-separated, UTF-8, in key
 * order. The finance side is extracted to it, and an unsorted bank statement is sorted into runs
 * of it. Read back in batches with the byte offset after each batch as the resume point.
 */
import type { LineBatch } from './batches.ts';
import { StatementError } from './statement-error.ts';
import type { LineStatus, StatementLine } from './statement.ts';

export interface NormalizedPosition {
  offset: number;
}

const TAB = '\t';

export function normalizedLine(l: StatementLine): string {
  return (
    [
      l.key,
      l.voucherNo,
      l.detailId,
      l.budgetUnit,
      l.unitName.replace(/[\t\n\r]/g, ' '),
      l.fundType,
      l.subject,
      l.payType,
      l.amounts.join(','),
      l.status,
      l.lineNo,
    ].join(TAB) + '\n'
  );
}

function parseNormalized(text: string, source: string): StatementLine {
  const c = text.split(TAB);
  if (c.length !== 11)
    throw new StatementError('malformed', source, `${c.length} fields in "${text.slice(0, 60)}"`);
  return {
    key: c[0] as string,
    voucherNo: c[1] as string,
    detailId: c[2] as string,
    budgetUnit: c[3] as string,
    unitName: c[4] as string,
    fundType: c[5] as string,
    subject: c[6] as string,
    payType: c[7] as string,
    amounts: amountsOf(c[8] as string),
    status: c[9] as LineStatus,
    lineNo: Number(c[10]),
  };
}

function amountsOf(text: string): number[] {
  return text.includes(',') ? text.split(',').map(Number) : [Number(text)];
}

/** Lines of a normalized file read from `from.offset`, one batch per chunk of whole lines. */
export async function* readNormalized(
  chunks: AsyncIterable<Uint8Array>,
  source: string,
  from?: NormalizedPosition,
): AsyncGenerator<LineBatch<NormalizedPosition>> {
  let offset = from?.offset ?? 0;
  let rest: Buffer | undefined;
  for await (const chunk of chunks) {
    const buf = rest
      ? Buffer.concat([rest, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lastNl = buf.lastIndexOf(0x0a);
    if (lastNl < 0) {
      rest = buf;
      continue;
    }
    const text = buf.toString('utf8', 0, lastNl);
    const lines = text.split('\n').map((t) => parseNormalized(t, source));
    offset += lastNl + 1;
    rest = lastNl + 1 < buf.length ? buf.subarray(lastNl + 1) : undefined;
    yield { lines, position: { offset } };
  }
  if (rest && rest.length > 0) throw new StatementError('truncated', source, 'the file ends inside a line');
}
