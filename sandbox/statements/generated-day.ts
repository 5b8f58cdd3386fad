/**
 * A large bank-day on request: `lines` generated lines (bank-day.ts, deterministic by seed) as the
 * bank's statement in its own format, and the finance side of the same day put into the treasury's
 * history table in one transaction — so a million-line reconciliation has both sides to read. Its
 * vouchers name the treasury's seeded budget units, by the names `budget_units` holds for them.
 */
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import { bankDay, injectableDifferences } from './bank-day.ts';
import type { StatementDesk } from './statement-desk.ts';

export const generatedDaySchema = z
  .object({
    date: z.iso.date(),
    kind: z.enum(['payment-detail', 'payment']).default('payment-detail'),
    lines: z.number().int().min(1).max(5_000_000),
    seed: z.number().int().default(1),
    order: z.enum(['key', 'payment']).default('key'),
    differences: z
      .partialRecord(z.enum(injectableDifferences), z.number().int().min(0).max(100_000))
      .default({}),
  })
  .strict();
export type GeneratedDayInput = z.input<typeof generatedDaySchema>;

export async function writeGeneratedDay(
  deps: { desk: StatementDesk; treasuryPath: string },
  bank: string,
  input: GeneratedDayInput,
): Promise<{ files: string[]; financeLines: number; bankLines: number }> {
  const req = generatedDaySchema.parse(input);
  const kind: StatementKind = req.kind;
  const day = bankDay({ ...req, kind, bank });
  const totals = day.bankTotals();
  const files = await deps.desk.writeGenerated(
    bank,
    kind,
    req.date,
    { allNum: totals.count, allAmtFen: totals.amountFen },
    day.bankLines(),
  );
  const db = new Database(deps.treasuryPath);
  try {
    db.pragma('busy_timeout = 5000');
    const payee = db.prepare('SELECT id FROM payee_accounts ORDER BY id LIMIT 1').get() as
      { id: string } | undefined;
    const insert = db.prepare(
      `INSERT OR REPLACE INTO vouchers_history (voucher_no, fiscal_year, bank_code, pay_type, amount_fen, payee_account_id,
       budget_unit_code, subject_code, status, business_date, submitted_at, sent_at, accepted_at, paid_at, serial_no,
       failure_code, failure_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?)`,
    );
    const at = new Date().toISOString();
    let financeLines = 0;
    db.transaction(() => {
      for (const l of day.financeLines()) {
        const paid = l.status === 'paid';
        insert.run(
          l.voucherNo,
          Number(req.date.slice(0, 4)),
          bank,
          l.payType === '2' ? 'authorized' : 'direct',
          l.amounts[0] ?? 0,
          payee?.id ?? 'P0001',
          l.budgetUnit,
          l.subject || '2010301',
          paid ? 'paid' : 'sent',
          req.date,
          at,
          at,
          at,
          paid ? at : null,
          at,
        );
        financeLines += 1;
      }
    })();
    return { files, financeLines, bankLines: totals.count };
  } finally {
    db.close();
  }
}
