/**
 * Writes statements as text files — fixed-width records (widths in bytes) or delimited lines —
 * in GBK or UTF-8: a header record, one record per line, and a trailer with AllNum and AllAmt.
 * Used by the sandbox banks and the generator; the parsers read exactly this.
 */
import { encoderFor, isAscii } from './encode.ts';
import { compactDate, fixedWidths, headerLayout, recordTypes, trailerLayout } from './format.ts';
import type { StatementFormat } from './format-schema.ts';
import {
  amountFields,
  fieldText,
  lineFields,
  voucherTypeOf,
  yuan,
  type StatementHeader,
  type StatementKind,
  type StatementLine,
} from './statement.ts';

export interface TextStatementWriter {
  header(h: StatementHeader): Buffer;
  line(l: StatementLine): Buffer;
  trailer(allNum: number, allAmtFen: number): Buffer;
}

export function textStatementWriter(
  kind: StatementKind,
  format: Pick<StatementFormat, 'format' | 'encoding' | 'delimiter'>,
): TextStatementWriter {
  const encode = encoderFor(format.encoding);
  const fixed = format.format === 'fixed';
  const record = (type: string, cells: [value: string, width: number, right?: boolean][]) => {
    // ASCII cells are the same bytes in either encoding: only the others go through the encoder.
    const parts: Buffer[] = [];
    let text = fixed ? type : `${type}${format.delimiter}`;
    cells.forEach(([value, width, right], i) => {
      if (!fixed && i > 0) text += format.delimiter;
      if (!fixed) checkCell(value, format.delimiter);
      if (isAscii(value)) {
        text += fixed ? padText(value, width, right === true) : value;
        return;
      }
      const bytes = encode(value);
      parts.push(Buffer.from(text, 'latin1'), fixed ? pad(bytes, width, right === true, value) : bytes);
      text = '';
    });
    parts.push(Buffer.from(`${text}\n`, 'latin1'));
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  };
  const amounts = new Set<string>(amountFields[kind]);
  return {
    header: (h) =>
      record(
        recordTypes.header,
        headerLayout.map(([field, width]) => {
          const values = {
            divisionCode: h.divisionCode,
            fiscalYear: String(h.fiscalYear),
            voucherType: voucherTypeOf[h.kind],
            statementNo: h.statementNo,
            clearingAccount: h.clearingAccount,
            beginDate: compactDate(h.beginDate),
            endDate: compactDate(h.endDate),
          };
          return [values[field], width];
        }),
      ),
    line: (l) =>
      record(
        recordTypes.detail,
        lineFields[kind].map((field) => [
          fieldText(l, kind, field),
          fixedWidths[kind][field] ?? 0,
          amounts.has(field),
        ]),
      ),
    trailer: (allNum, allAmtFen) =>
      record(
        recordTypes.trailer,
        trailerLayout.map(([field, width]) => [
          field === 'allNum' ? String(allNum) : yuan(allAmtFen),
          width,
          true,
        ]),
      ),
  };
}

function pad(bytes: Buffer, width: number, right: boolean, value: string): Buffer {
  if (bytes.length > width) throw new RangeError(`"${value}" is longer than its ${width}-byte column`);
  const fill = Buffer.alloc(width - bytes.length, 0x20);
  return right ? Buffer.concat([fill, bytes]) : Buffer.concat([bytes, fill]);
}

function padText(value: string, width: number, right: boolean): string {
  if (value.length > width) throw new RangeError(`"${value}" is longer than its ${width}-byte column`);
  return right ? value.padStart(width) : value.padEnd(width);
}

function checkCell(value: string, delimiter: string): void {
  if (value.includes(delimiter) || /[\r\n]/.test(value))
    throw new RangeError(`"${value}" holds the delimiter or a line break`);
}
