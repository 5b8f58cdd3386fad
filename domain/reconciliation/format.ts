/**
 * The statement formats (XML packages after the 2019 message spec, fixed-width records or
 * delimited lines) and encodings (GBK or UTF-8), and the text formats' layouts: fixed widths in
 * bytes, record types, dates. How a site declares them per bank is format-schema.ts.
 */
import type { LineField, StatementKind } from './statement.ts';

export const statementFormats = ['xml', 'fixed', 'delimited'] as const;
export type StatementFormatName = (typeof statementFormats)[number];
export const statementEncodings = ['UTF-8', 'GBK'] as const;
export type StatementEncoding = (typeof statementEncodings)[number];

/** Header record fields of the text formats, with their fixed-width byte widths. */
export const headerLayout = [
  ['divisionCode', 6],
  ['fiscalYear', 4],
  ['voucherType', 4],
  ['statementNo', 20],
  ['clearingAccount', 32],
  ['beginDate', 8],
  ['endDate', 8],
] as const;

/** Trailer record fields (AllNum, AllAmt in yuan) with their byte widths. */
export const trailerLayout = [
  ['allNum', 12],
  ['allAmt', 18],
] as const;

/** Byte widths of each kind's detail fields in fixed-width files; amounts are right-aligned. */
export const fixedWidths: Record<StatementKind, Partial<Record<LineField, number>>> = {
  'payment-detail': {
    voucherNo: 24,
    detailId: 6,
    budgetUnit: 15,
    unitName: 40,
    fundType: 2,
    subject: 10,
    payType: 2,
    amount: 18,
    status: 1,
  },
  payment: { voucherNo: 24, budgetUnit: 15, unitName: 40, payType: 2, amount: 18, status: 1 },
  quota: {
    budgetUnit: 15,
    unitName: 40,
    subject: 10,
    fundType: 2,
    issued: 18,
    paid: 18,
    returned: 18,
    remaining: 18,
  },
};

/** Record type markers at the start of every text line. */
export const recordTypes = { header: 'H', detail: 'D', trailer: 'T' } as const;

/** Statement files' date form (YYYYMMDD) to and from ISO dates. */
export const compactDate = (iso: string) => iso.replaceAll('-', '');
export const isoDate = (compact: string) =>
  /^\d{8}$/.test(compact)
    ? `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`
    : undefined;
