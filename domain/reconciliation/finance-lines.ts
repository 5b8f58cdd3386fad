/**
 * The finance extract's own line file (payment-detail and payment kinds): one voucher a line as the
 * database stores it — voucher number, budget unit, subject, amount in fen, voucher status,
 * tab-separated, UTF-8, in voucher-number order — and nothing the reader can supply itself: the
 * payment-detail key's `/1` and detail id, the statement status a voucher status stands for, the
 * line number (the line's place in the file). A million vouchers cost the database a third of what
 * it spent building every normalized line's eleven cells. Read back in batches with the byte offset
 * and the line number after each batch as the resume point. The quota kind keeps the normalized
 * line file (normalized.ts).
 */
import type { LineBatch } from './batches.ts';
import { integerOf } from './normalized.ts';
import { StatementError } from './statement-error.ts';
import type { ComparedLine, LineStatus, StatementKind } from './statement.ts';

export interface FinancePosition {
  offset: number;
  /** Lines before `offset`. */
  lineNo: number;
}

/** Voucher statuses that mean the bank has the voucher, and the statement status each stands for. */
export const statementStatusOf = {
  sent: 'accepted',
  accepted: 'accepted',
  paid: 'paid',
  refunded: 'refunded',
} as const satisfies Record<string, LineStatus>;

export type FinanceKind = Exclude<StatementKind, 'quota'>;

const TAB = '\t';

/**
 * A line of the extract. The merge reads only its key, amounts, status and line number; the other
 * fields are cut from the text when asked (for a difference).
 */
class FinanceLine implements ComparedLine {
  readonly key: string;
  readonly amounts: number[];
  readonly status: LineStatus;

  constructor(
    private readonly text: string,
    private readonly kind: FinanceKind,
    first: number,
    amountAt: number,
    statusAt: number,
    readonly lineNo: number,
  ) {
    this.key = kind === 'payment-detail' ? `${text.slice(0, first)}/1` : text.slice(0, first);
    this.amounts = [integerOf(text, amountAt + 1, statusAt)];
    this.status = statusOf(text, statusAt + 1);
  }

  private cell(i: number): string {
    return this.text.split(TAB)[i] as string;
  }

  get voucherNo() {
    return this.cell(0);
  }
  get detailId() {
    return this.kind === 'payment-detail' ? '1' : '';
  }
  get budgetUnit() {
    return this.cell(1);
  }
  /** Named by the comparison, from the unit table. */
  get unitName() {
    return '';
  }
  get subject() {
    return this.kind === 'payment-detail' ? this.cell(2) : '';
  }
}

const voucherStatuses = Object.keys(statementStatusOf) as (keyof typeof statementStatusOf)[];

/** The statement status of the voucher status from `from` to the end, as the constant it is. */
function statusOf(text: string, from: number): LineStatus {
  const length = text.length - from;
  for (const s of voucherStatuses)
    if (s.length === length && text.startsWith(s, from)) return statementStatusOf[s];
  throw new RangeError(`voucher status "${text.slice(from)}" is none of ${voucherStatuses.join(', ')}`);
}

function parseFinance(text: string, kind: FinanceKind, lineNo: number, source: string): FinanceLine {
  // Five fields: the first tab ends the voucher number, the last two start amount and status.
  const first = text.indexOf(TAB);
  const second = text.indexOf(TAB, first + 1);
  const amountAt = text.indexOf(TAB, second + 1);
  const statusAt = text.indexOf(TAB, amountAt + 1);
  if (first < 0 || second < 0 || amountAt < 0 || statusAt < 0 || text.indexOf(TAB, statusAt + 1) >= 0) {
    const fields = text.split(TAB).length;
    throw new StatementError('malformed', source, `${fields} fields in "${text.slice(0, 60)}"`, lineNo);
  }
  try {
    return new FinanceLine(text, kind, first, amountAt, statusAt, lineNo);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new StatementError('malformed', source, err.message, lineNo);
  }
}

/** Lines of an extract read from `from`, one batch per chunk of whole lines. */
export async function* readFinanceLines(
  chunks: AsyncIterable<Uint8Array>,
  kind: FinanceKind,
  source: string,
  from?: FinancePosition,
): AsyncGenerator<LineBatch<FinancePosition, ComparedLine>> {
  let offset = from?.offset ?? 0;
  let lineNo = from?.lineNo ?? 0;
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
    const texts = buf.toString('utf8', 0, lastNl).split('\n');
    const lines = new Array<ComparedLine>(texts.length);
    for (let i = 0; i < texts.length; i++)
      lines[i] = parseFinance(texts[i] as string, kind, ++lineNo, source);
    offset += lastNl + 1;
    rest = lastNl + 1 < buf.length ? buf.subarray(lastNl + 1) : undefined;
    yield { lines, position: { offset, lineNo } };
  }
  if (rest && rest.length > 0) throw new StatementError('truncated', source, 'the file ends inside a line');
}
