/**
 * A bank-day of statement lines, generated: the finance side's lines and the bank's, in step,
 * deterministic by seed, with chosen differences at spread-out positions. Line i is computed from
 * (seed, i) alone, so the bank's side can come out in payment order (a fixed permutation) as
 * cheaply as in key order, and a million lines never sit in memory.
 */
import type { LineStatus, StatementKind, StatementLine } from '../../domain/reconciliation/statement.ts';
import { lineKey } from '../../domain/reconciliation/statement.ts';
import { budgetUnitCode } from '../seed/base-data.ts';
import { budgetUnitNames } from '../seed/names.ts';

export const injectableDifferences = [
  'onlyAtFinance',
  'onlyAtBank',
  'amountDiffers',
  'statusDiffers',
  'duplicates',
] as const;
export type InjectableDifference = (typeof injectableDifferences)[number];

export interface BankDayOptions {
  kind: StatementKind;
  bank: string;
  date: string;
  lines: number;
  seed: number;
  differences?: Partial<Record<InjectableDifference, number>>;
  /** The bank's order: by key (voucher number), or as paid (not sorted). */
  order?: 'key' | 'payment';
}

function mix(seed: number, i: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export function bankDay(options: BankDayOptions) {
  const { kind, bank, date, lines: n, seed } = options;
  const stamp = date.replaceAll('-', '');
  const marks = new Map<number, InjectableDifference>();
  injectableDifferences.forEach((type, t) => {
    const count = Math.min(options.differences?.[type] ?? 0, Math.floor(n / 10));
    for (let k = 0; k < count; k++) {
      let at = Math.floor(((k + 0.5) * n) / count) + t;
      while (marks.has(at % n)) at += 1;
      marks.set(at % n, type);
    }
  });

  const line = (i: number): StatementLine => {
    const r = mix(seed, i);
    // The treasury's seeded units, by the names it knows them by (the finance side joins them).
    const unit = r % budgetUnitNames.length;
    const l: StatementLine = {
      key: '',
      voucherNo: kind === 'quota' ? '' : `ZZ${stamp}${bank}${String(i + 1).padStart(8, '0')}`,
      detailId: kind === 'payment-detail' ? '1' : '',
      budgetUnit: kind === 'quota' ? `Q${String(i + 1).padStart(9, '0')}` : budgetUnitCode(unit),
      unitName: budgetUnitNames[unit] as string,
      fundType: kind === 'payment' ? '' : '1',
      subject: kind === 'payment' ? '' : `20${String(1000 + (r % 90)).slice(1)}01`,
      payType: kind === 'quota' ? '' : r % 3 === 0 ? '2' : '1',
      amounts: [],
      status: kind === 'quota' ? '' : 'paid',
      lineNo: 0,
    };
    const amount = 100 + (r % 5_000_000);
    if (kind === 'quota') {
      const paid = Math.floor(amount / 3);
      const returned = r % 7 === 0 ? Math.floor(paid / 10) : 0;
      l.amounts = [amount, paid, returned, amount - paid + returned];
    } else l.amounts = [amount];
    l.key = lineKey(kind, l);
    return l;
  };

  /** The finance side in key order. */
  function* financeLines(): Generator<StatementLine> {
    for (let i = 0; i < n; i++) {
      const mark = marks.get(i);
      if (mark === 'onlyAtBank') continue;
      const l = line(i);
      if (mark === 'onlyAtFinance') l.status = status(kind, 'accepted');
      l.lineNo = i + 1;
      yield l;
    }
  }

  // A full-cycle affine permutation: payment order without holding the order in memory.
  const stride = coprimeNear(n, Math.floor(n * 0.618) + 1);
  const bankIndex = (k: number) => (options.order === 'payment' ? (k * stride + 7) % n : k);

  /** The bank's side, in its order; duplicated lines follow their original. */
  function* bankLines(): Generator<StatementLine> {
    let lineNo = 0;
    for (let k = 0; k < n; k++) {
      const i = bankIndex(k);
      const mark = marks.get(i);
      if (mark === 'onlyAtFinance') continue;
      const l = line(i);
      if (mark === 'amountDiffers') l.amounts = l.amounts.map((a, j) => (j === 0 ? a + 100 : a));
      if (mark === 'statusDiffers') l.status = status(kind, 'refunded');
      l.lineNo = ++lineNo;
      yield l;
      if (mark === 'duplicates') yield { ...l, lineNo: ++lineNo };
    }
  }

  /** The bank side's line count and total (first amount column), for the header and trailer. */
  function bankTotals(): { count: number; amountFen: number } {
    let count = 0;
    let amountFen = 0;
    for (const l of bankLines()) {
      count += 1;
      amountFen += l.amounts[0] ?? 0;
    }
    return { count, amountFen };
  }

  return { financeLines, bankLines, bankTotals, differences: marks.size };
}

const status = (kind: StatementKind, s: LineStatus): LineStatus => (kind === 'quota' ? '' : s);

function coprimeNear(n: number, start: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let s = Math.max(1, start);
  while (n > 1 && gcd(s, n) !== 1) s += 1;
  return s;
}
