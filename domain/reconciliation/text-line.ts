/**
 * Compact detail lines of text statements: one string per line (the record's text) with its key,
 * amounts and status read at once and the other fields cut from the text only when asked — for a
 * difference — as the finance side's normalized lines are. A record these readers do not take
 * (non-ASCII bytes outside the unit name, an amount or a status out of the plain form, a wrong
 * length or field count) is left to the field-by-field parser (parse-text.ts), which reads it or
 * names its fault exactly as before; what they take, they read to the same values.
 */
import { gbkPairsBetween, type Decoder } from './decode.ts';
import { fixedWidths } from './format.ts';
import {
  amountFields,
  FieldsOnRequest,
  lineFields,
  lineKey,
  lineStatuses,
  type LineField,
  type LineStatus,
  type StatementKind,
  type StatementLine,
} from './statement.ts';

/** Where a kind's fields sit in a detail record, the record type first. */
export interface DetailLayout {
  kind: StatementKind;
  /** Each line field's index among the kind's fields (-1: the kind has none). */
  index: Record<LineField, number>;
  /** Fixed width: each field's first byte and the byte after it; the record's length. */
  starts: number[];
  ends: number[];
  length: number;
  /** The unit name's field index (-1: none), the one field that may hold non-ASCII bytes. */
  name: number;
  amounts: number[];
  /** The status's field index (-1: the kind has no status). */
  status: number;
}

export function detailLayout(kind: StatementKind): DetailLayout {
  const fields: readonly LineField[] = lineFields[kind];
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 1;
  for (const f of fields) {
    starts.push(at);
    at += fixedWidths[kind][f] ?? 0;
    ends.push(at);
  }
  const all = Object.keys(fieldNames) as LineField[];
  const index = Object.fromEntries(all.map((f) => [f, fields.indexOf(f)])) as Record<LineField, number>;
  return {
    kind,
    index,
    starts,
    ends,
    length: at,
    name: index.unitName,
    amounts: amountFields[kind].map((f) => fields.indexOf(f)),
    status: index.status,
  };
}

const fieldNames: Record<LineField, true> = {
  voucherNo: true,
  detailId: true,
  budgetUnit: true,
  unitName: true,
  fundType: true,
  subject: true,
  payType: true,
  amount: true,
  status: true,
  issued: true,
  paid: true,
  returned: true,
  remaining: true,
};

/** The fields every line has, cut from its text when asked. */
abstract class TextLine extends FieldsOnRequest implements StatementLine {
  key = '';

  constructor(
    protected readonly text: string,
    protected readonly layout: DetailLayout,
    readonly amounts: number[],
    readonly status: LineStatus,
    readonly lineNo: number,
  ) {
    super();
  }

  /** The text of the kind's i-th field. */
  protected abstract cell(i: number): string;

  protected field(f: LineField): string {
    const i = this.layout.index[f];
    return i < 0 ? '' : this.cell(i);
  }
}

/** Whether a line is one of these compact lines (the field parser's lines are not). */
export const isTextLine = (line: StatementLine): boolean => line instanceof TextLine;

/**
 * A fixed-width record: its bytes as latin1 text (every field but the unit name is ASCII), the unit
 * name decoded when it is not ASCII — at once, or when first asked if its bytes were checked as GBK.
 */
class FixedLine extends TextLine {
  constructor(
    text: string,
    private name: string | undefined,
    /** Decodes the unit name when asked (its bytes are valid GBK); undefined: `name` is it, or ASCII. */
    private readonly nameDecoder: Decoder | undefined,
    layout: DetailLayout,
    amounts: number[],
    status: LineStatus,
    lineNo: number,
  ) {
    super(text, layout, amounts, status, lineNo);
    this.key = lineKey(layout.kind, this);
  }

  protected cell(i: number): string {
    if (i === this.layout.name && this.nameDecoder && this.name === undefined) {
      const bytes = Buffer.from(this.text.slice(this.layout.starts[i], this.layout.ends[i]), 'latin1');
      this.name = this.nameDecoder.decode(bytes).trim();
    }
    if (i === this.layout.name && this.name !== undefined) return this.name;
    return this.text.slice(this.layout.starts[i], this.layout.ends[i]).trim();
  }
}

/** A delimited line: its decoded text, cells between delimiters as they stand. */
class DelimitedLine extends TextLine {
  constructor(
    text: string,
    private readonly delimiter: string,
    layout: DetailLayout,
    amounts: number[],
    status: LineStatus,
    lineNo: number,
  ) {
    super(text, layout, amounts, status, lineNo);
    this.key = lineKey(layout.kind, this);
  }

  protected cell(i: number): string {
    let from = this.text.indexOf(this.delimiter) + 1;
    for (let k = 0; k < i; k++) from = this.text.indexOf(this.delimiter, from) + 1;
    const to = this.text.indexOf(this.delimiter, from);
    return this.text.slice(from, to < 0 ? undefined : to);
  }
}

/**
 * The fixed-width detail record at `from`–`to` of a chunk's latin1 text (one character a byte), or
 * undefined when it is not of the plain form (the field parser takes it). A GBK unit name of
 * two-byte characters is only checked here, and decoded when a difference asks for it.
 */
export function fixedDetail(
  chunk: string,
  from: number,
  to: number,
  layout: DetailLayout,
  decoder: Decoder,
  gbk: boolean,
  lineNo: number,
): StatementLine | undefined {
  if (to - from !== layout.length) return undefined;
  const nameFrom = layout.name < 0 ? 1 : (layout.starts[layout.name] as number);
  const nameTo = layout.name < 0 ? 1 : (layout.ends[layout.name] as number);
  if (!asciiBetween(chunk, from + 1, from + nameFrom) || !asciiBetween(chunk, from + nameTo, to))
    return undefined;
  let name: string | undefined;
  let lazy = false;
  if (!asciiBetween(chunk, from + nameFrom, from + nameTo)) {
    if (gbk && gbkPairsBetween(chunk, from + nameFrom, from + nameTo)) lazy = true;
    else {
      try {
        name = decoder.decode(Buffer.from(chunk.slice(from + nameFrom, from + nameTo), 'latin1')).trim();
      } catch {
        return undefined;
      }
    }
  }
  const text = chunk.slice(from, to);
  const amounts: number[] = [];
  for (const i of layout.amounts) {
    const fen = fenBetween(text, layout.starts[i] as number, layout.ends[i] as number, true);
    if (fen === undefined) return undefined;
    amounts.push(fen);
  }
  const status = statusBetween(text, layout, layout.starts[layout.status], layout.ends[layout.status], true);
  if (status === undefined) return undefined;
  return new FixedLine(text, name, lazy ? decoder : undefined, layout, amounts, status, lineNo);
}

function asciiBetween(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Cell bounds of the line being read: start and end of each field (reused from line to line). */
const bounds: number[] = [];

/** A delimited detail line (its record type first), or undefined when it is not of the plain form. */
export function delimitedDetail(
  text: string,
  delimiter: string,
  layout: DetailLayout,
  lineNo: number,
): StatementLine | undefined {
  const fields = layout.starts.length;
  let from = text.indexOf(delimiter) + 1;
  if (from === 0) return undefined;
  for (let i = 0; i < fields; i++) {
    const to = text.indexOf(delimiter, from);
    if (to < 0 !== (i === fields - 1)) return undefined;
    bounds[2 * i] = from;
    bounds[2 * i + 1] = to < 0 ? text.length : to;
    from = to + 1;
  }
  const amounts: number[] = [];
  for (const i of layout.amounts) {
    const fen = fenBetween(text, bounds[2 * i] as number, bounds[2 * i + 1] as number, false);
    if (fen === undefined) return undefined;
    amounts.push(fen);
  }
  const s = layout.status;
  const status = statusBetween(text, layout, bounds[2 * s], bounds[2 * s + 1], false);
  if (status === undefined) return undefined;
  return new DelimitedLine(text, delimiter, layout, amounts, status, lineNo);
}

/** ASCII whitespace String#trim removes (the fields read here hold no other). */
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * Yuan with two decimals between `from` and `to` (trimmed first for fixed width) in fen, as fenOf
 * reads it; undefined for anything else, and for more than 13 digits before the point (where
 * fenOf's Number() may round differently from a sum of digits).
 */
function fenBetween(text: string, from: number, to: number, trim: boolean): number | undefined {
  if (trim) {
    while (from < to && isSpace(text.charCodeAt(from))) from++;
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  }
  const negative = text.charCodeAt(from) === 0x2d;
  if (negative) from++;
  const point = to - 3;
  if (point <= from || point - from > 13 || text.charCodeAt(point) !== 0x2e) return undefined;
  let fen = 0;
  for (let i = from; i < to; i++) {
    if (i === point) continue;
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    fen = fen * 10 + d;
  }
  return negative ? -fen : fen;
}

/** The status code (0, 1, 2) between `from` and `to` (trimmed first for fixed width); '' for a kind without one. */
function statusBetween(
  text: string,
  layout: DetailLayout,
  from: number | undefined,
  to: number | undefined,
  trim: boolean,
): LineStatus | undefined {
  if (layout.status < 0) return '';
  let a = from as number;
  let b = to as number;
  if (trim) {
    while (a < b && isSpace(text.charCodeAt(a))) a++;
    while (b > a && isSpace(text.charCodeAt(b - 1))) b--;
  }
  if (b - a !== 1) return undefined;
  return lineStatuses[text[a] as keyof typeof lineStatuses];
}
