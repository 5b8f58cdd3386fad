/**
 * The province issues vouchers to the county (下行): each names an agent bank of the estate and
 * base data that bank has acknowledged (budget unit, subject, payee account), so a taken voucher
 * can be paid — or, for the base-data fault, a budget unit the county has not received yet.
 * Numbered `<type><division><yyyymmdd><nnnnn>` per type and day.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import type { DownVoucher, ExchangeVoucherType } from '../../domain/exchange-protocol.ts';
import type { ProvincePlatform } from './province-platform.ts';

/** A budget unit set up at the province and not yet synchronised to the county. */
export const unsyncedUnit = { code: '190001', name: '县数据资源管理局', version: 1 };

export async function issueDownVouchers(
  treasury: Kysely<TreasuryDatabase>,
  platform: ProvincePlatform,
  input: {
    division: string;
    voucherType: ExchangeVoucherType;
    count: number;
    date: string;
    /** Name the budget unit the county lacks (the downlink base-data fault). */
    unsyncedUnit?: boolean;
  },
): Promise<DownVoucher[]> {
  const banks = await treasury
    .selectFrom('agent_banks')
    .select('code')
    .where('active', '=', 1)
    .orderBy('code')
    .execute();
  const acked = await treasury
    .selectFrom('base_data_versions')
    .select(['bank_code', 'kind', 'version_acked'])
    .execute();
  const minAcked = (kind: string) =>
    Math.min(...acked.filter((a) => a.kind === kind).map((a) => a.version_acked));
  const units = await treasury
    .selectFrom('budget_units')
    .select('code')
    .where('version', '<=', minAcked('budget_unit'))
    .orderBy('code')
    .execute();
  const subjects = await treasury
    .selectFrom('budget_subjects')
    .select('code')
    .where('version', '<=', minAcked('subject'))
    .orderBy('code')
    .execute();
  const payees = await treasury
    .selectFrom('payee_accounts')
    .select(['account_no', 'account_name', 'bank_name'])
    .where('version', '<=', minAcked('payee_account'))
    .where('account_no', 'not like', '%-%')
    .orderBy('id')
    .limit(50)
    .execute();
  if (banks.length === 0 || units.length === 0 || subjects.length === 0 || payees.length === 0)
    throw new Error('the treasury has no base data to issue vouchers with');
  const prefix = `${input.voucherType}${input.division}${input.date.replaceAll('-', '')}`;
  const first = platform.issuedCount(input.division, input.voucherType, prefix) + 1;
  const pick = <T>(list: readonly T[], i: number) => list[i % list.length] as T;
  const vouchers: DownVoucher[] = Array.from({ length: input.count }, (_, i) => {
    const seq = first + i;
    const payee = pick(payees, seq);
    return {
      fiscalYear: Number(input.date.slice(0, 4)),
      voucherType: input.voucherType,
      voucherNo: `${prefix}${String(seq).padStart(5, '0')}`,
      businessDate: input.date,
      amountFen: 50_000 + ((seq * 7919) % 5_000_000),
      budgetUnitCode: input.unsyncedUnit ? unsyncedUnit.code : pick(units, seq).code,
      subjectCode: pick(subjects, seq).code,
      bankCode: pick(banks, seq).code,
      payee: { accountNo: payee.account_no, accountName: payee.account_name, bankName: payee.bank_name },
    };
  });
  platform.issue(input.division, vouchers);
  return vouchers;
}
