/**
 * What the application-serial tests (sequence resync's `serials` scope) read and add in the
 * sandbox's treasury database: finance's last outgoing serial to a bank, and a voucher waiting for
 * the send/receive program to number and send.
 */
import { localDate } from '../../sandbox/calendar.ts';
import { unsentVoucher } from '../../sandbox/seed/voucher-row.ts';
import type { TestEstate } from './estate.ts';

export async function financeSerialOut(estate: TestEstate, bank: string): Promise<number> {
  const row = await estate.sandbox.treasury
    .selectFrom('message_serials')
    .select('last_serial')
    .where('bank_code', '=', bank)
    .where('direction', '=', 'out')
    .executeTakeFirstOrThrow();
  return row.last_serial;
}

/** A voucher for `bank` with base data the bank already has; its number (unique per `tag` and moment). */
export async function addPendingVoucher(
  estate: TestEstate,
  bank: string,
  tag: string,
  amountFen: number,
): Promise<string> {
  const db = estate.sandbox.treasury;
  const now = estate.sandbox.clock.now();
  const date = localDate(now);
  const first = async (table: 'budget_units' | 'budget_subjects') =>
    (await db.selectFrom(table).select('code').orderBy('version').orderBy('code').executeTakeFirstOrThrow())
      .code;
  const payee = await db
    .selectFrom('payee_accounts')
    .select('id')
    .orderBy('version')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const voucherNo =
    `ZZ${date.replaceAll('-', '')}${bank}${tag}${Date.now().toString(36).slice(-4)}`.toUpperCase();
  await db
    .insertInto('vouchers')
    .values(
      unsentVoucher({
        voucher_no: voucherNo,
        fiscal_year: Number(date.slice(0, 4)),
        bank_code: bank,
        pay_type: 'direct',
        amount_fen: amountFen,
        payee_account_id: payee.id,
        budget_unit_code: await first('budget_units'),
        subject_code: await first('budget_subjects'),
        status: 'pending_send',
        business_date: date,
        submitted_at: now.toISOString(),
        updated_at: now.toISOString(),
      }),
    )
    .execute();
  return voucherNo;
}
