/**
 * How a bank writes its statements, as a site declares it per bank (`banks[].statements`): XML
 * packages after the 2019 message spec, fixed-width records or delimited lines, in GBK or UTF-8,
 * and which kinds the bank sends. The fixed-width layouts (widths in bytes) are the ones below.
 */
import { z } from 'zod';
import { statementKinds, type LineField, type StatementKind } from './statement.ts';

export const statementFormats = ['xml', 'fixed', 'delimited'] as const;
export type StatementFormatName = (typeof statementFormats)[number];
export const statementEncodings = ['UTF-8', 'GBK'] as const;
export type StatementEncoding = (typeof statementEncodings)[number];

export const statementFormatSchema = z
  .object({
    format: z.enum(statementFormats).default('xml'),
    encoding: z.enum(statementEncodings).default('UTF-8'),
    /** Delimited files: the one-character column separator. */
    delimiter: z
      .string()
      .length(1)
      .refine((d) => d !== '\n' && d !== '\r' && d !== '.', 'not a line break or a dot')
      .default('|'),
    /** XML: detail lines per package (ChildPackNum follows from it). */
    packageLines: z.number().int().min(1).max(100_000).default(1000),
    /** The kinds the bank sends. */
    kinds: z
      .array(z.enum(statementKinds))
      .min(1)
      .default([...statementKinds]),
  })
  .strict();
export type StatementFormat = z.infer<typeof statementFormatSchema>;

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
