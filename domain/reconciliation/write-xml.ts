/**
 * Writes one XML statement package: the head (with the whole statement's AllNum/AllAmt and this
 * package's ChildPackNum/CurPackNo) and its detail lines, in UTF-8 or GBK as its declaration says.
 */
import { encoderFor } from './encode.ts';
import { compactDate, type StatementEncoding } from './format.ts';
import { amountFields, fieldText, lineFields, voucherTypeOf, yuan } from './statement.ts';
import type { StatementHeader, StatementKind, StatementLine } from './statement.ts';
import { detailElements, escapeXml, headElements, xml } from './xml-names.ts';

export function headXml(h: StatementHeader, extra: Record<string, string> = {}): string {
  const values: Record<keyof typeof headElements, string> = {
    divisionCode: h.divisionCode,
    fiscalYear: String(h.fiscalYear),
    voucherType: voucherTypeOf[h.kind],
    statementNo: h.statementNo,
    clearingAccount: h.clearingAccount,
    beginDate: compactDate(h.beginDate),
    endDate: compactDate(h.endDate),
    allNum: String(h.allNum),
    allAmt: yuan(h.allAmtFen),
    childPackNum: String(h.childPackNum),
    curPackNo: String(h.curPackNo),
  };
  const cells = Object.entries(headElements).map(([k, name]) =>
    element(name, values[k as keyof typeof values]),
  );
  const more = Object.entries(extra).map(([name, value]) => element(name, value));
  return `<${xml.head}>${[...cells, ...more].join('')}</${xml.head}>`;
}

export function detailXml(kind: StatementKind, l: StatementLine, extra: Record<string, string> = {}): string {
  const cells = lineFields[kind].map((f) => element(detailElements[f], fieldText(l, kind, f)));
  const more = Object.entries(extra).map(([name, value]) => element(name, value));
  return `<${xml.detail}>${[...cells, ...more].join('')}</${xml.detail}>`;
}

export function xmlDocument(encoding: StatementEncoding, head: string, details: string[]): Buffer {
  const text =
    `<?xml version="1.0" encoding="${encoding}"?>\n<${xml.root}>${head}\n<${xml.body}>\n` +
    details.map((d) => `${d}\n`).join('') +
    `</${xml.body}></${xml.root}>\n`;
  return encoderFor(encoding)(text);
}

export function xmlPackage(
  header: StatementHeader,
  lines: readonly StatementLine[],
  encoding: StatementEncoding,
): Buffer {
  return xmlDocument(
    encoding,
    headXml(header),
    lines.map((l) => detailXml(header.kind, l)),
  );
}

/** The sum of the lines' first amount column (what AllAmt and the trailer total). */
export const firstAmountTotal = (kind: StatementKind, lines: readonly StatementLine[]) =>
  amountFields[kind].length > 0 ? lines.reduce((s, l) => s + (l.amounts[0] ?? 0), 0) : 0;

const element = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`;
