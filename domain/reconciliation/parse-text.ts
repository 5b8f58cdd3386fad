/**
 * Streaming parser for text statements — fixed-width records (byte widths) or delimited lines,
 * GBK or UTF-8 — over a file's bytes, never holding more than one read chunk. Checks the header,
 * every record, the trailer's totals, and names a broken encoding or a truncated file as such.
 * Detail records of the plain form become compact lines (text-line.ts); the rest are read here
 * field by field.
 */
import type { LineBatch, Totals } from './batches.ts';
import { strictDecoder } from './decode.ts';
import { fixedWidths, headerLayout, isoDate, recordTypes, trailerLayout } from './format.ts';
import type { StatementFormat } from './format-schema.ts';
import { StatementError } from './statement-error.ts';
import { delimitedDetail, detailLayout, fixedDetail } from './text-line.ts';
import {
  amountFields,
  fenOf,
  kindOfVoucherType,
  lineFields,
  fieldIndex,
  makeLine,
  type StatementHeader,
  type StatementKind,
  type StatementLine,
} from './statement.ts';

export interface TextPosition {
  /** Byte offset of the next unread line. */
  offset: number;
  /** Lines read so far, the header included. */
  lineNo: number;
  counted: Totals;
  header: StatementHeader;
}

/** A batch of a text statement's lines, with where each line's record starts in the file. */
export interface TextBatch extends LineBatch<TextPosition> {
  /** The byte offset of each line's record, in the order of `lines`. */
  starts: number[];
}

export interface TextParseOptions {
  kind: StatementKind;
  format: Pick<StatementFormat, 'format' | 'encoding' | 'delimiter'>;
  /** The file's name, for errors. */
  source: string;
  from?: TextPosition;
}

const CR = 0x0d;
const LF = 0x0a;

export async function* parseTextStatement(
  chunks: AsyncIterable<Uint8Array>,
  options: TextParseOptions,
): AsyncGenerator<TextBatch> {
  const { kind, format, source } = options;
  const fixed = format.format === 'fixed';
  const decoder = strictDecoder(format.encoding);
  const gbk = format.encoding === 'GBK';
  const fields = lineFields[kind];
  const widths = fields.map((f) => fixedWidths[kind][f] ?? 0);
  // Cells keep the record type first, so fields start at 1.
  const index = fieldIndex(kind, 1);
  const amountCells = amountFields[kind].map((f) => index[f]);
  const detailLength = 1 + widths.reduce((a, b) => a + b, 0);
  const layout = detailLayout(kind);
  const fail = (problem: ConstructorParameters<typeof StatementError>[0], message: string, line?: number) =>
    new StatementError(problem, source, message, line);

  let offset = options.from?.offset ?? 0;
  let lineNo = options.from?.lineNo ?? 0;
  let header = options.from?.header;
  const counted: Totals = { ...(options.from?.counted ?? { count: 0, amountFen: 0 }) };
  let declared: Totals | undefined;
  let rest: Buffer | undefined;

  /** Field values of one record: fixed-width slices of the bytes, or the delimited cells. */
  const cellsOf = (bytes: Buffer, text: string | undefined, layout: readonly number[], what: string) => {
    if (!fixed) {
      const cells = (text ?? '').split(format.delimiter);
      if (cells.length !== layout.length + 1)
        throw fail('malformed', `${what} has ${cells.length - 1} fields, expected ${layout.length}`, lineNo);
      return cells;
    }
    const expected = 1 + layout.reduce((a, b) => a + b, 0);
    if (bytes.length !== expected) throw wrongLength(bytes, expected, what);
    const cells: string[] = [''];
    let at = 1;
    for (const width of layout) {
      cells.push(textOf(bytes, at, at + width).trim());
      at += width;
    }
    return cells;
  };
  const textOf = (bytes: Buffer, start: number, end: number) => {
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) >= 0x80) {
        try {
          return decoder.decode(bytes.subarray(start, end));
        } catch {
          const field = bytes.subarray(start, end);
          const utf8 = format.encoding === 'GBK' && decodes(field, 'utf-8');
          throw fail(
            'encoding',
            utf8
              ? `bytes ${start + 1}–${end} are UTF-8 text in a file declared GBK`
              : `bytes ${start + 1}–${end} are not valid ${format.encoding}`,
            lineNo,
          );
        }
      }
    }
    return bytes.toString('latin1', start, end);
  };
  const wrongLength = (bytes: Buffer, expected: number, what: string) => {
    if (bytes.some((b) => b >= 0x80)) {
      if (format.encoding === 'GBK' && decodes(bytes, 'utf-8'))
        return fail('encoding', `the ${what} is UTF-8 text in a file declared GBK`, lineNo);
      if (!decodes(bytes, format.encoding === 'GBK' ? 'gbk' : 'utf-8'))
        return fail('encoding', `the ${what} is not valid ${format.encoding}`, lineNo);
    }
    return fail('malformed', `the ${what} is ${bytes.length} bytes long, expected ${expected}`, lineNo);
  };

  const parseHeader = (bytes: Buffer, text: string | undefined): StatementHeader => {
    const cells = cellsOf(
      bytes,
      text,
      headerLayout.map(([, w]) => w),
      'header record',
    );
    const get = (name: (typeof headerLayout)[number][0]) =>
      cells[1 + headerLayout.findIndex(([n]) => n === name)] ?? '';
    const voucherKind = kindOfVoucherType(get('voucherType'));
    if (voucherKind !== kind)
      throw fail('inconsistent', `voucher type ${get('voucherType')} is not a ${kind} statement`, lineNo);
    const beginDate = isoDate(get('beginDate'));
    const endDate = isoDate(get('endDate'));
    if (!beginDate || !endDate) throw fail('malformed', 'header dates are not YYYYMMDD', lineNo);
    return {
      kind,
      divisionCode: get('divisionCode'),
      fiscalYear: Number(get('fiscalYear')),
      statementNo: get('statementNo'),
      clearingAccount: get('clearingAccount'),
      beginDate,
      endDate,
      allNum: 0,
      allAmtFen: 0,
      childPackNum: 1,
      curPackNo: 1,
    };
  };

  const parseDetail = (bytes: Buffer, text: string | undefined): StatementLine => {
    if (fixed && bytes.length !== detailLength) throw wrongLength(bytes, detailLength, 'detail record');
    const cells = cellsOf(bytes, text, widths, 'detail record');
    const amounts: number[] = [];
    for (const i of amountCells) {
      const fen = fenOf(cells[i] ?? '');
      if (fen === undefined)
        throw fail('malformed', `${fields[i - 1]} "${cells[i]}" is not an amount in yuan`, lineNo);
      amounts.push(fen);
    }
    try {
      return makeLine(kind, cells, index, amounts, lineNo);
    } catch (err) {
      throw fail('malformed', (err as Error).message, lineNo);
    }
  };

  const parseTrailer = (bytes: Buffer, text: string | undefined): Totals => {
    const cells = cellsOf(
      bytes,
      text,
      trailerLayout.map(([, w]) => w),
      'trailer record',
    );
    const count = Number(cells[1]);
    const amountFen = fenOf(cells[2] ?? '');
    if (!Number.isInteger(count) || amountFen === undefined)
      throw fail('malformed', `trailer "${cells.slice(1).join(' ')}" is not a count and an amount`, lineNo);
    return { count, amountFen };
  };

  for await (const chunk of chunks) {
    const buf = rest
      ? Buffer.concat([rest, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lastNl = buf.lastIndexOf(LF);
    if (lastNl < 0) {
      rest = buf;
      continue;
    }
    // Delimited text decodes a chunk's whole lines at once; a failure is then found line by line.
    // Fixed width reads a chunk's whole lines as latin1, one character a byte.
    const latin1 = fixed ? buf.toString('latin1', 0, lastNl) : undefined;
    let text: string | undefined;
    if (!fixed) {
      try {
        text = decoder.decode(buf.subarray(0, lastNl + 1));
      } catch {
        text = undefined;
      }
    }
    const texts = text?.split('\n');
    const lines: StatementLine[] = [];
    const starts: number[] = [];
    let start = 0;
    for (let i = 0; start <= lastNl; i++) {
      const nl = buf.indexOf(LF, start);
      const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
      lineNo += 1;
      let lineText: string | undefined;
      if (!fixed) {
        lineText = texts?.[i];
        if (lineText === undefined) {
          try {
            lineText = decoder.decode(buf.subarray(start, end));
          } catch {
            throw fail('encoding', `the line is not valid ${format.encoding}`, lineNo);
          }
        }
        if (lineText?.endsWith('\r')) lineText = lineText.slice(0, -1);
      }
      const type = end > start ? buf[start] : undefined;
      if (declared) {
        if (end > start) throw fail('malformed', 'a line after the trailer record', lineNo);
      } else if (!header) {
        if (type !== recordTypes.header.charCodeAt(0))
          throw fail('malformed', 'the file does not start with a header record', lineNo);
        header = parseHeader(buf.subarray(start, end), lineText);
      } else if (type === recordTypes.detail.charCodeAt(0)) {
        const line =
          (latin1 !== undefined
            ? fixedDetail(latin1, start, end, layout, decoder, gbk, lineNo)
            : delimitedDetail(lineText ?? '', format.delimiter, layout, lineNo)) ??
          parseDetail(buf.subarray(start, end), lineText);
        counted.count += 1;
        counted.amountFen += line.amounts[0] ?? 0;
        lines.push(line);
        starts.push(offset + start);
      } else if (type === recordTypes.trailer.charCodeAt(0)) {
        declared = parseTrailer(buf.subarray(start, end), lineText);
      } else {
        throw fail(
          'malformed',
          `record type "${String.fromCharCode(type ?? 0x20)}" is neither D nor T`,
          lineNo,
        );
      }
      start = nl + 1;
    }
    offset += lastNl + 1;
    rest = lastNl + 1 < buf.length ? buf.subarray(lastNl + 1) : undefined;
    if (header) yield { lines, starts, position: { offset, lineNo, counted: { ...counted }, header } };
  }
  if (rest && rest.length > 0)
    throw fail(
      'truncated',
      `the file ends inside line ${lineNo + 1} (no line break after ${rest.length} bytes)`,
    );
  if (!header) throw fail('truncated', 'the file is empty');
  if (!declared) throw fail('truncated', `the file ends after line ${lineNo} without its trailer record`);
  yield {
    lines: [],
    starts: [],
    totals: {
      header: { ...header, allNum: declared.count, allAmtFen: declared.amountFen },
      declared,
      counted,
    },
  };
}

function decodes(bytes: Buffer, encoding: 'utf-8' | 'gbk'): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
