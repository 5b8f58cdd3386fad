/**
 * The faults a year-end meets, each leaving the books as the incident would: a bank that refuses
 * the year-end quota notices (`quota-notice-refused`), one that does not answer them
 * (`quota-notice-silent`: they wait at the bank until the fault ends), one whose own totals differ
 * from finance's (`quota-totals-differ`: a payment on a quota finance never recorded, and a budget
 * unit the bank does not have, so a restoration misses a line), and vouchers sent but never
 * received, unpaid when the year closes (`voucher-unpaid-at-close`).
 */
import type { BankConfig } from '../temporal.config.ts';
import type { Banks } from './bank/banks.ts';
import { localDate } from './calendar.ts';
import type { SandboxClock } from './clock.ts';
import type { createBankCheckFaults } from './bank-check-faults.ts';

export const yearEndFaultNames = [
  'quota-notice-refused',
  'quota-notice-silent',
  'quota-totals-differ',
  'voucher-unpaid-at-close',
] as const;
export type YearEndFaultName = (typeof yearEndFaultNames)[number];

export interface YearEndFaultDeps {
  banks: Banks;
  clock: SandboxClock;
  timeZone: string;
  freshVoucher: ReturnType<typeof createBankCheckFaults>['freshVoucher'];
}

/** The most a differing bank's books show as used beyond finance's (a 5,000-yuan payment). */
const unrecordedUseFen = 500_000;

export function createYearEndFaults({ banks, clock, timeZone, freshVoucher }: YearEndFaultDeps) {
  const today = () => localDate(clock.now(), timeZone);
  const desk = (bank: BankConfig) => banks.bank(bank.code).yearEnd;

  async function inject(
    fault: YearEndFaultName,
    bank: BankConfig,
    count: number,
  ): Promise<Record<string, unknown>> {
    switch (fault) {
      case 'quota-notice-refused': {
        const reason = '年终额度注销与恢复须经分行审核，暂不受理';
        desk(bank).refuse(reason);
        return { reason };
      }
      case 'quota-notice-silent':
        desk(bank).setSilent(true);
        return {};
      case 'quota-totals-differ': {
        const year = Number(today().slice(0, 4));
        const [quota] = desk(bank)
          .quotas(year)
          .filter((q) => q.status === 'active' && q.issued_fen > q.used_fen)
          .sort((a, b) => b.issued_fen - b.used_fen - (a.issued_fen - a.used_fen));
        if (!quota) throw new Error(`bank ${bank.code} has no active quota of ${year} with anything left`);
        const amountFen = Math.min(unrecordedUseFen, quota.issued_fen - quota.used_fen);
        desk(bank).addUse(quota.quota_id, amountFen);
        desk(bank).setMissingUnit(true);
        return { quotaId: quota.quota_id, amountFen };
      }
      case 'voucher-unpaid-at-close': {
        const ymd = today().replaceAll('-', '');
        const stamp = clock.now().getTime().toString(36).toUpperCase().slice(-5);
        const vouchers: string[] = [];
        for (let i = 1; i <= count; i++) {
          const row = await freshVoucher(
            bank,
            `ZZ${ymd}${bank.code}N${i}${stamp}`,
            3_650_000 + i * 10_000,
            'sent',
          );
          vouchers.push(row.voucher_no);
        }
        return { vouchers };
      }
    }
  }

  /** Ends the fault. A differing bank corrects its books; unpaid vouchers stay for the year-end's checks. */
  function clear(fault: YearEndFaultName, bank: BankConfig, details: Record<string, unknown> = {}): void {
    switch (fault) {
      case 'quota-notice-refused':
        desk(bank).refuse(undefined);
        break;
      case 'quota-notice-silent':
        desk(bank).setSilent(false);
        break;
      case 'quota-totals-differ':
        if (typeof details.quotaId === 'string' && typeof details.amountFen === 'number')
          desk(bank).addUse(details.quotaId, -details.amountFen);
        desk(bank).setMissingUnit(false);
        break;
      case 'voucher-unpaid-at-close':
        break;
    }
  }

  return { inject, clear };
}
