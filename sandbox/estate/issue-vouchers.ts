/**
 * How the payment system's own jobs (payroll, official-card repayments, payments against
 * procurement contracts) raise direct-payment vouchers: each payee recorded in the payee accounts
 * (version 1, so every bank knows its format), each voucher `pending_send` for the send/receive
 * program to carry to its bank. One transaction per call; a voucher number already there is left
 * as it is, so a repeated call raises nothing twice.
 */
import type { Kysely, Transaction } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { unsentVoucher } from '../seed/voucher-row.ts';

type Trx = Transaction<TreasuryDatabase> | Kysely<TreasuryDatabase>;

export interface NewVoucher {
  voucherNo: string;
  bank: string;
  amountFen: number;
  payee: { id: string; accountNo: string; accountName: string; bankName: string };
  budgetUnitCode: string;
  subjectCode: string;
  businessDate: string;
}

export async function insertVouchers(trx: Trx, vouchers: readonly NewVoucher[], at: string): Promise<void> {
  for (const v of vouchers) {
    await trx
      .insertInto('payee_accounts')
      .values({
        id: v.payee.id,
        account_no: v.payee.accountNo,
        account_name: v.payee.accountName,
        bank_name: v.payee.bankName,
        version: 1,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await insertPendingVoucher(
      trx,
      {
        voucherNo: v.voucherNo,
        fiscalYear: Number(v.businessDate.slice(0, 4)),
        bank: v.bank,
        payType: 'direct',
        amountFen: v.amountFen,
        payeeAccountId: v.payee.id,
        budgetUnitCode: v.budgetUnitCode,
        subjectCode: v.subjectCode,
        businessDate: v.businessDate,
      },
      at,
    );
  }
}

/**
 * One voucher `pending_send` for the send/receive program (also a voucher the exchange client
 * brings down from the province); a voucher number already there is left as it is.
 */
export async function insertPendingVoucher(
  trx: Trx,
  v: {
    voucherNo: string;
    fiscalYear: number;
    bank: string;
    payType: 'direct' | 'authorized';
    amountFen: number;
    payeeAccountId: string;
    budgetUnitCode: string;
    subjectCode: string;
    businessDate: string;
  },
  at: string,
): Promise<void> {
  await trx
    .insertInto('vouchers')
    .values(
      unsentVoucher({
        voucher_no: v.voucherNo,
        fiscal_year: v.fiscalYear,
        bank_code: v.bank,
        pay_type: v.payType,
        amount_fen: v.amountFen,
        payee_account_id: v.payeeAccountId,
        budget_unit_code: v.budgetUnitCode,
        subject_code: v.subjectCode,
        status: 'pending_send',
        business_date: v.businessDate,
        submitted_at: at,
        updated_at: at,
      }),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The budget unit of lowest version and the subject `preferred` (or that of lowest version). */
export async function knownBaseData(trx: Trx, preferred: string): Promise<{ unit: string; subject: string }> {
  const unit = await trx
    .selectFrom('budget_units')
    .select('code')
    .orderBy('version')
    .orderBy('code')
    .executeTakeFirstOrThrow();
  const subjects = await trx
    .selectFrom('budget_subjects')
    .select('code')
    .orderBy('version')
    .orderBy('code')
    .execute();
  const subject = subjects.find((s) => s.code === preferred) ?? subjects[0];
  if (!subject) throw new Error('the treasury has no budget subjects');
  return { unit: unit.code, subject: subject.code };
}

/** Where a job's voucher stands, for the rows it raised. */
export async function voucherStates(trx: Trx, voucherNos: readonly string[]) {
  if (voucherNos.length === 0) return new Map<string, { status: string; failure_reason: string | null }>();
  const rows = await trx
    .selectFrom('vouchers')
    .select(['voucher_no', 'status', 'failure_code', 'failure_reason'])
    .where('voucher_no', 'in', voucherNos)
    .execute();
  return new Map(
    rows.map((r) => [r.voucher_no, { status: r.status, failure_reason: r.failure_reason ?? r.failure_code }]),
  );
}
