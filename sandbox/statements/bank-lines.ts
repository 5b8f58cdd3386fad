/**
 * What a sandbox bank lists on a day's statement: its books' vouchers of that business day
 * (accepted or paid), or for the quota kind the quotas it holds, with the injected line-level
 * differences applied. The books hold amounts and states; a voucher's descriptive elements (budget
 * unit, subject) come from the treasury's copy of the voucher the bank received — a simulation
 * shortcut, since the bank kept them from the voucher message.
 */
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import { chunksOf } from '../../connectors/treasury/portable.ts';
import type { StatementKind, StatementLine } from '../../domain/reconciliation/statement.ts';
import { newLine } from '../../domain/reconciliation/statement.ts';
import type { BankLedger } from '../bank/ledger.ts';

export const lineFaults = ['onlyAtBank', 'amountDiffers', 'statusDiffers', 'duplicates'] as const;
export type LineFault = (typeof lineFaults)[number];

interface BookRow {
  ref_no: string;
  kind: string;
  amount_fen: number;
  status: 'accepted' | 'paid';
}

export async function bankStatementLines(
  deps: { books: BankLedger; treasury: TreasuryDb },
  bank: string,
  kind: StatementKind,
  date: string,
  faults: Partial<Record<LineFault, number>> = {},
): Promise<StatementLine[]> {
  const lines =
    kind === 'quota' ? await quotaLines(deps.treasury, bank) : await voucherLines(deps, bank, kind, date);
  return withFaults(kind, bank, date, lines, faults);
}

async function voucherLines(
  deps: { books: BankLedger; treasury: TreasuryDb },
  bank: string,
  kind: StatementKind,
  date: string,
): Promise<StatementLine[]> {
  const rows = deps.books.db
    .prepare(
      `SELECT ref_no, kind, amount_fen, status FROM bank_items
       WHERE bank_code = ? AND business_date = ? AND kind IN ('direct', 'authorized') AND status IN ('accepted', 'paid')
       ORDER BY ref_no`,
    )
    .all(bank, date) as BookRow[];
  const elements = new Map<string, { unit: string; name: string; subject: string }>();
  for (const chunk of chunksOf(rows.map((r) => r.ref_no))) {
    for (const table of ['vouchers', 'vouchers_history'] as const) {
      const found = await deps.treasury
        .selectFrom(`${table} as v`)
        .leftJoin('budget_units as u', 'u.code', 'v.budget_unit_code')
        .select(['v.voucher_no', 'v.budget_unit_code', 'v.subject_code', 'u.name'])
        .where('v.voucher_no', 'in', chunk)
        .execute();
      for (const f of found)
        elements.set(f.voucher_no, { unit: f.budget_unit_code, name: f.name ?? '', subject: f.subject_code });
    }
  }
  return rows.map((r, i) => {
    const e = elements.get(r.ref_no);
    return newLine(kind, {
      voucherNo: r.ref_no,
      detailId: kind === 'payment-detail' ? '1' : '',
      budgetUnit: e?.unit ?? '',
      unitName: e?.name ?? '',
      fundType: kind === 'payment' ? '' : '1',
      subject: kind === 'payment' ? '' : (e?.subject ?? ''),
      payType: r.kind === 'authorized' ? '2' : '1',
      amounts: [Number(r.amount_fen)],
      status: r.status,
      lineNo: i + 1,
    });
  });
}

/** The bank's quota ledger mirrors finance's quotas (its own is not simulated). */
async function quotaLines(treasury: TreasuryDb, bank: string): Promise<StatementLine[]> {
  const rows = await treasury
    .selectFrom('quotas as q')
    .leftJoin('budget_units as u', 'u.code', 'q.budget_unit_code')
    .select(['q.budget_unit_code', 'q.subject_code', 'u.name'])
    .select((eb) => [
      eb.fn.sum<number>('q.amount_fen').as('issued'),
      eb.fn.sum<number>('q.used_fen').as('paid'),
    ])
    .where('q.bank_code', '=', bank)
    .where('q.status', '!=', 'cancelled')
    .groupBy(['q.budget_unit_code', 'q.subject_code', 'u.name'])
    .orderBy('q.budget_unit_code')
    .orderBy('q.subject_code')
    .execute();
  return rows.map((r, i) =>
    newLine('quota', {
      budgetUnit: r.budget_unit_code,
      unitName: r.name ?? '',
      subject: r.subject_code,
      fundType: '1',
      amounts: [Number(r.issued), Number(r.paid), 0, Number(r.issued) - Number(r.paid)],
      lineNo: i + 1,
    }),
  );
}

/** Differences at spread, distinct lines: amounts off by 1.00, paid shown refunded, lines listed twice, lines finance never sent. */
function withFaults(
  kind: StatementKind,
  bank: string,
  date: string,
  clean: StatementLine[],
  faults: Partial<Record<LineFault, number>>,
): StatementLine[] {
  const out = clean.map((l) => ({ ...l, amounts: [...l.amounts] }));
  let next = 0;
  const pick = (n: number) => out.slice(next, (next += n));
  for (const l of pick(faults.amountDiffers ?? 0)) l.amounts[0] = (l.amounts[0] ?? 0) + 100;
  if (kind !== 'quota') for (const l of pick(faults.statusDiffers ?? 0)) l.status = 'refunded';
  const twice = pick(faults.duplicates ?? 0);
  const extra = Array.from({ length: faults.onlyAtBank ?? 0 }, (_, i) =>
    newLine(kind, {
      ...(clean[0] ?? {}),
      voucherNo:
        kind === 'quota' ? '' : `ZZ${date.replaceAll('-', '')}${bank}X${String(i + 1).padStart(4, '0')}`,
      budgetUnit: kind === 'quota' ? `X${String(i + 1).padStart(5, '0')}` : (clean[0]?.budgetUnit ?? ''),
      amounts: kind === 'quota' ? [12345, 0, 0, 12345] : [12345],
      status: kind === 'quota' ? '' : 'paid',
    }),
  );
  const all = [...out, ...twice.map((l) => ({ ...l })), ...extra].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
  all.forEach((l, i) => (l.lineNo = i + 1));
  return all;
}
