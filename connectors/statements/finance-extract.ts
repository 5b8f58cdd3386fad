/**
 * The finance side of one bank-day, written as the engine's normalized line file in key order:
 * the day's vouchers for that bank from the current and the history table together (a voucher
 * in both comes out twice, a duplicate at finance), or the bank's quotas for the quota kind.
 * Rows stream from the database; nothing is held.
 */
import { sql } from 'kysely';
import type { TreasuryDb } from '../treasury/database.ts';
import type { LineStatus, StatementKind, StatementLine } from '../../domain/reconciliation/statement.ts';
import { newLine } from '../../domain/reconciliation/statement.ts';
import type { VoucherStatus } from '../treasury/schema.ts';
import { writeLineFile } from './line-writer.ts';

/** Voucher statuses that mean the bank has the voucher, as a statement line's status. */
const statementStatus: Partial<Record<VoucherStatus, LineStatus>> = {
  sent: 'accepted',
  accepted: 'accepted',
  paid: 'paid',
  refunded: 'refunded',
};

export interface FinanceExtractInput {
  bank: string;
  kind: StatementKind;
  /** The statement's period (one business day: both the same). */
  beginDate: string;
  endDate: string;
}

export async function writeFinanceExtract(
  db: TreasuryDb,
  input: FinanceExtractInput,
  path: string,
): Promise<number> {
  return writeLineFile(path, financeLines(db, input));
}

async function* financeLines(db: TreasuryDb, input: FinanceExtractInput): AsyncGenerator<StatementLine> {
  const { bank, kind } = input;
  let lineNo = 0;
  if (kind === 'quota') {
    const rows = db
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
      .stream(1000);
    for await (const r of rows) {
      const issued = Number(r.issued);
      const paid = Number(r.paid);
      yield newLine(kind, {
        budgetUnit: r.budget_unit_code,
        unitName: r.name ?? '',
        subject: r.subject_code,
        amounts: [issued, paid, 0, issued - paid],
        lineNo: ++lineNo,
      });
    }
    return;
  }
  const statuses = Object.keys(statementStatus) as VoucherStatus[];
  const table = (name: 'vouchers' | 'vouchers_history') =>
    db
      .selectFrom(`${name} as v`)
      .leftJoin('budget_units as u', 'u.code', 'v.budget_unit_code')
      .select([
        'v.voucher_no',
        'v.pay_type',
        'v.amount_fen',
        'v.status',
        'v.budget_unit_code',
        'v.subject_code',
        'u.name',
      ])
      .where('v.bank_code', '=', bank)
      .where('v.business_date', '>=', input.beginDate)
      .where('v.business_date', '<=', input.endDate)
      .where('v.status', 'in', statuses);
  // Binary order on the voucher number, the order the comparison merges in.
  const rows = table('vouchers')
    .unionAll(table('vouchers_history'))
    .orderBy(sql`1`)
    .stream(1000);
  for await (const r of rows) {
    yield newLine(kind, {
      voucherNo: r.voucher_no,
      detailId: kind === 'payment-detail' ? '1' : '',
      budgetUnit: r.budget_unit_code,
      unitName: r.name ?? '',
      fundType: kind === 'payment' ? '' : '1',
      subject: kind === 'payment' ? '' : r.subject_code,
      payType: r.pay_type === 'authorized' ? '2' : '1',
      amounts: [Number(r.amount_fen)],
      status: statementStatus[r.status] ?? '',
      lineNo: ++lineNo,
    });
  }
}
