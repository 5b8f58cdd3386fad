/**
 * Vouchers that went out after a bank's window had closed (超时凭证): finance shows them
 * timed_out with the bank's E_OUT_OF_WINDOW answer, and the bank's books hold them as rejected —
 * the state the failed-voucher runbook starts from on the next working morning. Written straight
 * into both databases (no message traffic), so a benchmark can create ten thousand in a second.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase, VoucherTable } from '../connectors/treasury/schema.ts';
import type { BankConfig } from '../temporal.config.ts';
import type { BankLedger, LedgerItem } from './bank/ledger.ts';
import { rejectionCodes } from './bank/validate.ts';
import { instantAt, localDate, localTime, previousWorkday } from './calendar.ts';

export interface TimedOutOptions {
  count: number;
  /** The business date they were sent on (default: the working day before `now`'s date). */
  date?: string;
  now: Date;
  timeZone: string;
}

const CHUNK = 500;

export async function addTimedOutVouchers(
  treasury: Kysely<TreasuryDatabase>,
  books: BankLedger,
  bank: BankConfig,
  options: TimedOutOptions,
): Promise<string[]> {
  const { count, now, timeZone } = options;
  const date = options.date ?? previousWorkday(localDate(now, timeZone));
  const acked = books.versions(bank.code);
  // Records the bank already knows, so nothing but the window stands between them and payment.
  const payees = await treasury
    .selectFrom('payee_accounts')
    .select('id')
    .where('version', '<=', acked.payee_account)
    .where('account_no', 'not like', '%-%')
    .orderBy('id')
    .limit(50)
    .execute();
  const unit = await treasury
    .selectFrom('budget_units')
    .select('code')
    .where('version', '<=', acked.budget_unit)
    .orderBy('code')
    .executeTakeFirstOrThrow();
  const subject = await treasury
    .selectFrom('budget_subjects')
    .select('code')
    .where('version', '<=', acked.subject)
    .orderBy('code')
    .executeTakeFirstOrThrow();
  if (payees.length === 0) throw new Error(`no payee account known to ${bank.code}`);

  const close = instantAt(date, bank.window.close, timeZone).getTime();
  const stamp = now.getTime().toString(36).toUpperCase().slice(-4);
  const ymd = date.replaceAll('-', '');
  const vouchers: VoucherTable[] = [];
  const items: LedgerItem[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = new Date(close + 2 * 60_000 + i * 50);
    const answeredAt = new Date(sentAt.getTime() + 20_000).toISOString();
    const voucherNo = `ZZ${ymd}${bank.code}T${stamp}${String(i).padStart(5, '0')}`;
    const reason = `超出银行业务时间（${bank.window.open}-${bank.window.close}），收到时间 ${localTime(sentAt, timeZone)}`;
    const amount = 100_000 + ((i * 7919) % 900_000);
    const payee = (payees[i % payees.length] as { id: string }).id;
    vouchers.push({
      voucher_no: voucherNo,
      fiscal_year: Number(date.slice(0, 4)),
      bank_code: bank.code,
      pay_type: 'direct',
      amount_fen: amount,
      payee_account_id: payee,
      budget_unit_code: unit.code,
      subject_code: subject.code,
      status: 'timed_out',
      business_date: date,
      submitted_at: new Date(sentAt.getTime() - 60_000).toISOString(),
      sent_at: sentAt.toISOString(),
      accepted_at: null,
      paid_at: null,
      serial_no: null,
      failure_code: rejectionCodes.window,
      failure_reason: reason,
      updated_at: answeredAt,
    });
    items.push({
      bank_code: bank.code,
      ref_no: voucherNo,
      kind: 'direct',
      amount_fen: amount,
      payee_account_no: null,
      status: 'rejected',
      business_date: date,
      received_at: sentAt.toISOString(),
      paid_at: null,
      receipt_no: null,
      failure_code: rejectionCodes.window,
      failure_reason: reason,
      serial_no: 0,
    });
  }
  await treasury.transaction().execute(async (trx) => {
    for (let i = 0; i < vouchers.length; i += CHUNK)
      await trx
        .insertInto('vouchers')
        .values(vouchers.slice(i, i + CHUNK))
        .execute();
  });
  books.transaction(() => items.forEach((item) => books.insertItem(item)));
  return vouchers.map((v) => v.voucher_no);
}
