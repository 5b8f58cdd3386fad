/**
 * The statement faults (对账差异), each leaving the bank-day as the incident would: a voucher
 * only at finance (sent, the bank never got it), lines only at the bank, amounts and states that
 * differ, a line listed twice, a package that never arrived, a file cut short, totals that
 * disagree with the lines, a byte no encoding allows. Injecting rewrites the day's statements;
 * clearing ends the bank's mistake and rewrites them clean (what the fault left in the treasury
 * stays: it is the incident).
 */
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import type { BankConfig } from '../../temporal.config.ts';
import { unsentVoucher } from '../seed/voucher-row.ts';
import type { StatementDesk } from './statement-desk.ts';

export const statementFaultNames = [
  'statement-only-at-finance',
  'statement-only-at-bank',
  'statement-amount-differs',
  'statement-status-differs',
  'statement-duplicate-line',
  'statement-package-missing',
  'statement-truncated',
  'statement-totals-wrong',
  'statement-encoding-broken',
] as const;
export type StatementFaultName = (typeof statementFaultNames)[number];

export const isStatementFault = (fault: string): fault is StatementFaultName =>
  (statementFaultNames as readonly string[]).includes(fault);

export interface StatementFaultInput {
  date: string;
  count?: number;
  /** statement-package-missing: the bank holds the package back even when asked again. */
  held?: boolean;
}

export function createStatementFaults(deps: { desk: StatementDesk; treasury: TreasuryDb; now: () => Date }) {
  const { desk } = deps;

  async function onlyAtFinance(bank: BankConfig, date: string, count: number): Promise<string[]> {
    const [unit, subject, payee] = await Promise.all([
      deps.treasury.selectFrom('budget_units').select('code').orderBy('code').executeTakeFirstOrThrow(),
      deps.treasury.selectFrom('budget_subjects').select('code').orderBy('code').executeTakeFirstOrThrow(),
      deps.treasury.selectFrom('payee_accounts').select('id').orderBy('id').executeTakeFirstOrThrow(),
    ]);
    const at = deps.now().toISOString();
    const stamp = deps.now().getTime().toString(36).toUpperCase().slice(-5);
    const rows = Array.from({ length: count }, (_, i) => ({
      ...unsentVoucher({
        voucher_no: `ZZ${date.replaceAll('-', '')}${bank.code}F${stamp}${i}`,
        fiscal_year: Number(date.slice(0, 4)),
        bank_code: bank.code,
        pay_type: 'direct' as const,
        amount_fen: 560_000 + i * 100,
        payee_account_id: payee.id,
        budget_unit_code: unit.code,
        subject_code: subject.code,
        status: 'sent' as const,
        business_date: date,
        submitted_at: at,
        updated_at: at,
      }),
      sent_at: at,
    }));
    await deps.treasury.insertInto('vouchers').values(rows).execute();
    return rows.map((r) => r.voucher_no);
  }

  return {
    async inject(bank: BankConfig, fault: StatementFaultName, input: StatementFaultInput) {
      const count = input.count ?? 1;
      const details: Record<string, unknown> = { date: input.date };
      desk.setFaults(bank.code, input.date, (f) => {
        if (fault === 'statement-only-at-bank') f.lines.onlyAtBank = count;
        if (fault === 'statement-amount-differs') f.lines.amountDiffers = count;
        if (fault === 'statement-status-differs') f.lines.statusDiffers = count;
        if (fault === 'statement-duplicate-line') f.lines.duplicates = count;
        if (fault === 'statement-package-missing') {
          f.files.missingPackages = [2];
          f.held = input.held ?? false;
        }
        if (fault === 'statement-truncated') f.files.truncate = true;
        if (fault === 'statement-totals-wrong') f.files.wrongTotals = true;
        if (fault === 'statement-encoding-broken') f.files.brokenEncoding = true;
      });
      if (fault === 'statement-only-at-finance')
        details.vouchers = await onlyAtFinance(bank, input.date, count);
      details.files = (await desk.write(bank.code, input.date)).length;
      return details;
    },
    async clear(bank: BankConfig, fault: StatementFaultName, date: string): Promise<void> {
      desk.setFaults(bank.code, date, (f) => {
        if (fault === 'statement-only-at-bank') delete f.lines.onlyAtBank;
        if (fault === 'statement-amount-differs') delete f.lines.amountDiffers;
        if (fault === 'statement-status-differs') delete f.lines.statusDiffers;
        if (fault === 'statement-duplicate-line') delete f.lines.duplicates;
        if (fault === 'statement-package-missing') delete f.files.missingPackages;
        if (fault === 'statement-truncated') delete f.files.truncate;
        if (fault === 'statement-totals-wrong') delete f.files.wrongTotals;
        if (fault === 'statement-encoding-broken') delete f.files.brokenEncoding;
      });
      await desk.write(bank.code, date);
    },
  };
}
