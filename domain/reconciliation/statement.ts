/**
 * The statement model (对账单) shared by the sandbox banks, the parsers and the comparison: the
 * three kinds a bank sends, the header every statement carries (after the 2019 electronic-payment
 * message spec), and one normalized line whatever the format it came in.
 */
export const statementKinds = ['payment-detail', 'payment', 'quota'] as const;
export type StatementKind = (typeof statementKinds)[number];

/** Line status as statements carry it: 0 accepted not yet paid, 1 paid, 2 refunded. */
export const lineStatuses = { '0': 'accepted', '1': 'paid', '2': 'refunded' } as const;
export type LineStatus = (typeof lineStatuses)[keyof typeof lineStatuses] | '';
export const statusCode = (status: LineStatus): string =>
  Object.entries(lineStatuses).find(([, s]) => s === status)?.[0] ?? '';

/** Voucher type code (VtCode) of each kind's statement. */
export const voucherTypeOf: Record<StatementKind, string> = {
  'payment-detail': '2301',
  payment: '2302',
  quota: '2303',
};

export const kindOfVoucherType = (code: string): StatementKind | undefined =>
  statementKinds.find((k) => voucherTypeOf[k] === code);

export interface StatementHeader {
  kind: StatementKind;
  /** Administrative division code (AdmDivCode). */
  divisionCode: string;
  fiscalYear: number;
  /** Statement number (VouNo), the same in every package of one statement. */
  statementNo: string;
  /** The bank's clearing account (ClearAccountNo). */
  clearingAccount: string;
  beginDate: string;
  endDate: string;
  /** AllNum and AllAmt: the whole statement's line count and amount (first amount column) in fen. */
  allNum: number;
  allAmtFen: number;
  /** ChildPackNum and CurPackNo: packages in the statement and this one's number (1 for a text file). */
  childPackNum: number;
  curPackNo: number;
}

/**
 * One statement line, normalized. `key` identifies it within its kind: voucher and payment-detail
 * id, voucher number, or budget unit and subject for the quota. `amounts` are in fen: the amount
 * for payments; issued, paid, returned and remaining for the quota.
 */
export interface StatementLine {
  key: string;
  voucherNo: string;
  detailId: string;
  budgetUnit: string;
  unitName: string;
  fundType: string;
  subject: string;
  payType: string;
  amounts: number[];
  status: LineStatus;
  /** Line (text) or detail (XML) number in its source, from 1. */
  lineNo: number;
}

/** What the comparison reads of a line: the finance extract has no fund type or pay type. */
export type ComparedLine = Omit<StatementLine, 'fundType' | 'payType'>;

/** The field names of each kind's lines, in file order (text columns, XML elements). */
export const lineFields = {
  'payment-detail': [
    'voucherNo',
    'detailId',
    'budgetUnit',
    'unitName',
    'fundType',
    'subject',
    'payType',
    'amount',
    'status',
  ],
  payment: ['voucherNo', 'budgetUnit', 'unitName', 'payType', 'amount', 'status'],
  quota: ['budgetUnit', 'unitName', 'subject', 'fundType', 'issued', 'paid', 'returned', 'remaining'],
} as const satisfies Record<StatementKind, readonly string[]>;
export type LineField = (typeof lineFields)[StatementKind][number];

/**
 * A compact line's text fields, each cut from the line's own text only when asked (for a
 * difference): what `field` reads for each is the subclass's (a fixed-width column, a delimited
 * cell, an XML element).
 */
export abstract class FieldsOnRequest {
  protected abstract field(f: LineField): string;

  get voucherNo() {
    return this.field('voucherNo');
  }
  get detailId() {
    return this.field('detailId');
  }
  get budgetUnit() {
    return this.field('budgetUnit');
  }
  get unitName() {
    return this.field('unitName');
  }
  get fundType() {
    return this.field('fundType');
  }
  get subject() {
    return this.field('subject');
  }
  get payType() {
    return this.field('payType');
  }
}

/** Amount columns of each kind, in the order of `StatementLine.amounts`. */
export const amountFields: Record<StatementKind, readonly LineField[]> = {
  'payment-detail': ['amount'],
  payment: ['amount'],
  quota: ['issued', 'paid', 'returned', 'remaining'],
};

export function lineKey(
  kind: StatementKind,
  l: Pick<StatementLine, 'voucherNo' | 'detailId' | 'budgetUnit' | 'subject'>,
): string {
  if (kind === 'payment-detail') return `${l.voucherNo}/${l.detailId}`;
  if (kind === 'payment') return l.voucherNo;
  return `${l.budgetUnit}/${l.subject}`;
}

/** A line from the fields given (the rest empty), its key derived. */
export function newLine(kind: StatementKind, fields: Partial<StatementLine>): StatementLine {
  const l: StatementLine = {
    voucherNo: '',
    detailId: '',
    budgetUnit: '',
    unitName: '',
    fundType: '',
    subject: '',
    payType: '',
    amounts: [],
    status: '',
    lineNo: 0,
    ...fields,
    key: '',
  };
  l.key = lineKey(kind, l);
  return l;
}

/** Each of a kind's fields' position among its line's cells (-1: the kind has no such field). */
export type FieldIndex = Record<LineField, number>;

/** Where each field sits among a line's cells, the first field at `first`. */
export function fieldIndex(kind: StatementKind, first = 0): FieldIndex {
  const fields: readonly string[] = lineFields[kind];
  const all: LineField[] = [
    'voucherNo',
    'detailId',
    'budgetUnit',
    'unitName',
    'fundType',
    'subject',
    'payType',
    'amount',
    'status',
    'issued',
    'paid',
    'returned',
    'remaining',
  ];
  return Object.fromEntries(
    all.map((f) => [f, fields.includes(f) ? fields.indexOf(f) + first : -1]),
  ) as FieldIndex;
}

/**
 * A line from its cells (amounts already in fen), as the parsers build it; `index` says where
 * each field's cell is. Runs once per line: no closures here (they cost per call).
 */
export function makeLine(
  kind: StatementKind,
  cells: readonly string[],
  index: FieldIndex,
  amounts: number[],
  lineNo: number,
): StatementLine {
  const status =
    kind === 'quota' ? '' : lineStatuses[cellAt(cells, index.status) as keyof typeof lineStatuses];
  if (status === undefined) throw new RangeError(`status "${cellAt(cells, index.status)}" is not 0, 1 or 2`);
  const line: StatementLine = {
    key: '',
    voucherNo: cellAt(cells, index.voucherNo),
    detailId: cellAt(cells, index.detailId),
    budgetUnit: cellAt(cells, index.budgetUnit),
    unitName: cellAt(cells, index.unitName),
    fundType: cellAt(cells, index.fundType),
    subject: cellAt(cells, index.subject),
    payType: cellAt(cells, index.payType),
    amounts,
    status,
    lineNo,
  };
  line.key = lineKey(kind, line);
  return line;
}

function cellAt(cells: readonly string[], i: number): string {
  return i < 0 ? '' : (cells[i] ?? '');
}

/** A field's text value of a line, as writers put it in a file. */
export function fieldText(line: StatementLine, kind: StatementKind, field: LineField): string {
  const amountIndex = amountFields[kind].indexOf(field);
  if (amountIndex >= 0) return yuan(line.amounts[amountIndex] ?? 0);
  if (field === 'status') return statusCode(line.status);
  return line[
    field as Exclude<LineField, 'amount' | 'status' | 'issued' | 'paid' | 'returned' | 'remaining'>
  ];
}

/** Fen as yuan text with two decimals ("1234.50"), exactly. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Yuan text with two decimals (`-?\d{1,15}\.\d{2}`) to fen, exactly; undefined when the text is not
 * such an amount. Read digit by digit (every parser reads each line's amount here); the digits of an
 * amount above 2^53 fen go through Number(), which rounds them once as a sum would not.
 */
export function fenOf(text: string): number | undefined {
  const negative = text.charCodeAt(0) === 0x2d;
  const from = negative ? 1 : 0;
  const point = text.length - 3;
  if (point - from < 1 || point - from > 15 || text.charCodeAt(point) !== 0x2e) return undefined;
  let fen = 0;
  for (let i = from; i < text.length; i++) {
    if (i === point) continue;
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    fen = fen * 10 + d;
  }
  if (point - from > 13) fen = Number(text.slice(from, point) + text.slice(point + 1));
  return negative ? -fen : fen;
}
