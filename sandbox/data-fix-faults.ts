/**
 * The faults behind data fixes, each leaving the treasury database as the incident would: a payee
 * account recorded with the wrong bank, found while its vouchers wait unsent — one a draft, one
 * the bank turned back (`payee-bank-wrong`); and a paid voucher whose receipt the bank sent again
 * under a new number, both registered (`receipt-registered-twice`). (A voucher stuck in `sent`
 * that the bank never received is `voucher-unpaid-at-close`.) Clearing ends the fault only: what
 * it left is the incident, and a data fix is the repair.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase } from '../connectors/treasury/schema.ts';
import type { BankConfig } from '../temporal.config.ts';
import type { createBankCheckFaults } from './bank-check-faults.ts';
import type { SandboxClock } from './clock.ts';
import { localDate } from './calendar.ts';
import { unsentVoucher } from './seed/voucher-row.ts';

export const dataFixFaultNames = ['payee-bank-wrong', 'receipt-registered-twice'] as const;
export type DataFixFaultName = (typeof dataFixFaultNames)[number];

export interface DataFixFaultDeps {
  treasury: Kysely<TreasuryDatabase>;
  clock: SandboxClock;
  timeZone: string;
  paidVouchers: ReturnType<typeof createBankCheckFaults>['paidVouchers'];
}

export function createDataFixFaults({ treasury, clock, timeZone, paidVouchers }: DataFixFaultDeps) {
  const stamp = () => clock.now().getTime().toString(36).toUpperCase().slice(-5);

  /** A new payee account at the wrong bank, paid by a draft voucher and one the bank rejected. */
  async function payeeBankWrong(bank: BankConfig) {
    const at = clock.now().toISOString();
    const today = localDate(clock.now(), timeZone);
    const id = `PAX${stamp()}`;
    const [unit, subject] = await Promise.all([
      treasury.selectFrom('budget_units').select('code').orderBy('code').executeTakeFirstOrThrow(),
      treasury.selectFrom('budget_subjects').select('code').orderBy('code').executeTakeFirstOrThrow(),
    ]);
    const vouchers = ['draft', 'rejected'] as const;
    const numbers = vouchers.map((_, i) => `ZZ${today.replaceAll('-', '')}${bank.code}P${i + 1}${stamp()}`);
    await treasury.transaction().execute(async (trx) => {
      await trx
        .insertInto('payee_accounts')
        .values({
          id,
          account_no: `6222${String(clock.now().getTime()).slice(-15)}`,
          account_name: '县第一实验小学',
          bank_name: '中国农业银行县支行',
          version: 1,
        })
        .execute();
      for (const [i, status] of vouchers.entries())
        await trx
          .insertInto('vouchers')
          .values({
            ...unsentVoucher({
              voucher_no: numbers[i] as string,
              fiscal_year: Number(today.slice(0, 4)),
              bank_code: bank.code,
              pay_type: 'direct',
              amount_fen: 1_288_000 + i * 100,
              payee_account_id: id,
              budget_unit_code: unit.code,
              subject_code: subject.code,
              status,
              business_date: today,
              submitted_at: status === 'draft' ? null : at,
              updated_at: at,
            }),
            ...(status === 'rejected' && {
              failure_code: 'E_PAYEE_ACCOUNT',
              failure_reason: '收款人账号与开户行不符',
            }),
          })
          .execute();
    });
    return {
      payeeAccountId: id,
      bankName: '中国农业银行县支行',
      rightBankName: '中国工商银行县支行',
      vouchers: numbers,
    };
  }

  /** A paid voucher's receipt registered a second time, under the number the bank sent it again with. */
  async function receiptRegisteredTwice(bank: BankConfig) {
    const [paid] = await paidVouchers(bank.code, 1);
    if (!paid) throw new Error(`bank ${bank.code} has no paid voucher with a registered receipt`);
    const first = await treasury
      .selectFrom('receipts')
      .selectAll()
      .where('receipt_no', '=', paid.receipt_no)
      .executeTakeFirstOrThrow();
    const again = `${first.receipt_no}R`;
    const at = clock.now().toISOString();
    await treasury
      .insertInto('receipts')
      .values({ ...first, receipt_no: again, received_at: at, registered_at: at })
      .execute();
    return { voucherNo: paid.voucher_no, receipts: [first.receipt_no, again] };
  }

  return {
    inject(fault: DataFixFaultName, bank: BankConfig): Promise<Record<string, unknown>> {
      return fault === 'payee-bank-wrong' ? payeeBankWrong(bank) : receiptRegisteredTwice(bank);
    },
  };
}
