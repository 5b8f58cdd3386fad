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
  const name = l.unitName;
  const unitName = /[\t\n\r]/.test(name) ? name.replace(/[\t\n\r]/g, ' ') : name;
  const amounts = l.amounts.length === 1 ? String(l.amounts[0]) : l.amounts.join(',');
  return `${l.key}\t${l.voucherNo}\t${l.detailId}\t${l.budgetUnit}\t${unitName}\t${l.fundType}\t${l.subject}\t${l.payType}\t${amounts}\t${l.status}\t${l.lineNo}\n`;
}

/**
 * A line of a normalized file. The merge reads only its key, amounts, status and line number;
 * the other fields are cut from the text when asked (for a difference), so a line that agrees
 * costs one object and a few short strings rather than a dozen.
 */
class NormalizedLine implements StatementLine {
  readonly key: string;
  readonly amounts: number[];
  readonly status: LineStatus;
  readonly lineNo: number;

  constructor(
    private readonly text: string,
    first: number,
    amountsAt: number,
    statusAt: number,
    lineNoAt: number,
  ) {
    this.key = text.slice(0, first);
    this.amounts = amountsOf(text, amountsAt + 1, statusAt);
    this.status = statusOf(text, statusAt + 1, lineNoAt);
    this.lineNo = integerOf(text, lineNoAt + 1, text.length);
  }

  private cell(i: number): string {
    return this.text.split(TAB)[i] as string;
  }

  get voucherNo() {
    return this.cell(1);
  }
  get detailId() {
    return this.cell(2);
  }
  get budgetUnit() {
    return this.cell(3);
  }
  get unitName() {
    return this.cell(4);
  }
  get fundType() {
    return this.cell(5);
  }
  get subject() {
    return this.cell(6);
  }
  get payType() {
    return this.cell(7);
  }
}

const statuses: readonly LineStatus[] = ['', 'accepted', 'paid', 'refunded'];

/** The status between `from` and `to`, as the constant it is (no string cut per line). */
function statusOf(text: string, from: number, to: number): LineStatus {
  for (const s of statuses) if (s.length === to - from && text.startsWith(s, from)) return s;
  return text.slice(from, to) as LineStatus;
}

/** Where the tabs of an eleven-field line are (reused from line to line). */
const tabs: number[] = [];

function parseNormalized(text: string, source: string): StatementLine {
  // Eleven fields: the first tab ends the key, the last three start amounts, status, line number.
  let count = 0;
  for (let at = text.indexOf(TAB); at >= 0; at = text.indexOf(TAB, at + 1)) tabs[count++] = at;
  if (count !== 10) {
    const fields = text.split(TAB).length;
    throw new StatementError('malformed', source, `${fields} fields in "${text.slice(0, 60)}"`);
  }
  return new NormalizedLine(text, tabs[0] as number, tabs[7] as number, tabs[8] as number, tabs[9] as number);
}

/** The amounts between `from` and `to`, comma-separated, as Number() reads each. */
function amountsOf(text: string, from: number, to: number): number[] {
  const comma = text.indexOf(',', from);
  if (comma < 0 || comma >= to) return [integerOf(text, from, to)];
  return text.slice(from, to).split(',').map(Number);
}

/**
 * The number between `from` and `to` as Number() reads it: digit by digit when it is an integer of
 * at most 15 digits (exact either way), by Number() otherwise.
 */
export function integerOf(text: string, from: number, to: number): number {
  const negative = text.charCodeAt(from) === 0x2d;
  const start = negative ? from + 1 : from;
  if (to - start < 1 || to - start > 15) return Number(text.slice(from, to));
  let n = 0;
  for (let i = start; i < to; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return Number(text.slice(from, to));
    n = n * 10 + d;
  }
  return negative ? -n : n;
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
