/**
 * The faults behind the bank-side checks, each leaving the treasury database and the bank's
 * books exactly as the incident would: receipts that arrived but did not register
 * (`receipt-unregistered`), voids whose answer never came back (`void-unconfirmed`), refunds
 * finance could not match or never heard of (`refund-unmatched`). Each mixes cases a runbook can
 * settle with cases it must only report. Clearing ends the fault: the records it left are the
 * incident, and the runbooks are the fix.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase, VoucherTable } from '../connectors/treasury/schema.ts';
import type { BankConfig } from '../temporal.config.ts';
import type { Banks } from './bank/banks.ts';
import { addDays, localDate } from './calendar.ts';
import type { SandboxClock } from './clock.ts';
import { unsentVoucher } from './seed/voucher-row.ts';

export interface BankCheckFaultDeps {
  banks: Banks;
  treasury: Kysely<TreasuryDatabase>;
  clock: SandboxClock;
  timeZone: string;
}

const HOUR = 3_600_000;

export function createBankCheckFaults({ banks, treasury, clock, timeZone }: BankCheckFaultDeps) {
  const iso = (msAgo = 0) => new Date(clock.now().getTime() - msAgo).toISOString();
  const today = () => localDate(clock.now(), timeZone);
  const stamp = () => clock.now().getTime().toString(36).toUpperCase().slice(-5);

  /** Paid vouchers with a registered receipt, oldest first, that no refund (either side) has touched. */
  async function paidVouchers(bank: string, count: number) {
    const rows = await treasury
      .selectFrom('vouchers as v')
      .innerJoin('receipts as r', (j) =>
        j.onRef('r.voucher_no', '=', 'v.voucher_no').on('r.registered', '=', 1),
      )
      .leftJoin('refunds as f', 'f.voucher_no', 'v.voucher_no')
      .select(['v.voucher_no', 'v.amount_fen', 'v.business_date', 'v.paid_at', 'r.receipt_no', 'r.paid_date'])
      .where('v.bank_code', '=', bank)
      .where('v.status', '=', 'paid')
      .where('f.refund_no', 'is', null)
      .orderBy('v.business_date')
      .orderBy('v.voucher_no')
      .limit(count * 4)
      .execute();
    const desk = banks.bank(bank).desk;
    const fresh = rows.filter((r) => !desk.refundOfVoucher(r.voucher_no)).slice(0, count);
    if (fresh.length < count)
      throw new Error(`bank ${bank} has only ${fresh.length} paid vouchers free of refunds; ${count} needed`);
    return fresh.map((r) => ({ ...r, amount_fen: Number(r.amount_fen) }));
  }

  async function freshVoucher(
    bank: BankConfig,
    voucherNo: string,
    amountFen: number,
    status: VoucherTable['status'],
  ) {
    const now = clock.now();
    const [unit, subject, payee] = await Promise.all([
      treasury.selectFrom('budget_units').select('code').orderBy('code').executeTakeFirstOrThrow(),
      treasury.selectFrom('budget_subjects').select('code').orderBy('code').executeTakeFirstOrThrow(),
      treasury.selectFrom('payee_accounts').select('id').orderBy('id').executeTakeFirstOrThrow(),
    ]);
    const sentAt = iso(4 * HOUR);
    const row: VoucherTable = {
      ...unsentVoucher({
        voucher_no: voucherNo,
        fiscal_year: Number(today().slice(0, 4)),
        bank_code: bank.code,
        pay_type: 'direct',
        amount_fen: amountFen,
        payee_account_id: payee.id,
        budget_unit_code: unit.code,
        subject_code: subject.code,
        status,
        business_date: today(),
        submitted_at: iso(4 * HOUR + 60_000),
        updated_at: now.toISOString(),
      }),
      sent_at: sentAt,
      accepted_at: status === 'pending_send' || status === 'sent' ? null : iso(4 * HOUR - 60_000),
    };
    await treasury.insertInto('vouchers').values(row).execute();
    return row;
  }

  /** Books a voucher in the bank's ledger as accepted, as if it had arrived with the rest. */
  function bookAtBank(bank: string, v: VoucherTable) {
    banks.books.insertItem({
      bank_code: bank,
      ref_no: v.voucher_no,
      kind: v.pay_type,
      amount_fen: v.amount_fen,
      payee_account_no: null,
      status: 'accepted',
      business_date: v.business_date,
      received_at: v.accepted_at ?? iso(4 * HOUR),
      paid_at: null,
      receipt_no: null,
      failure_code: null,
      failure_reason: null,
      serial_no: 0,
    });
  }

  async function unregister(
    voucherNo: string,
    receiptNo: string,
    error: string,
    receipt: Record<string, unknown> = {},
  ) {
    await treasury.transaction().execute(async (trx) => {
      await trx
        .updateTable('receipts')
        .set({ registered: 0, registered_at: null, register_error: error, ...receipt })
        .where('receipt_no', '=', receiptNo)
        .execute();
      await trx
        .updateTable('vouchers')
        .set({ status: 'accepted', paid_at: null, updated_at: iso() })
        .where('voucher_no', '=', voucherNo)
        .execute();
    });
  }

  /**
   * Receipts that arrived but whose registration failed: two the engine can register (the
   * registration program hit a database deadlock), and one each with no voucher, an amount
   * that differs, a date before the voucher's, and a garbled voucher number that fits two
   * vouchers.
   */
  async function receiptUnregistered(bank: BankConfig) {
    const [a, b, c, d] = await paidVouchers(bank.code, 4);
    if (!a || !b || !c || !d) throw new Error('unreachable');
    const deadlock = '回单登记失败：ORA-00060: 等待资源时检测到死锁';
    await unregister(a.voucher_no, a.receipt_no, deadlock);
    await unregister(b.voucher_no, b.receipt_no, deadlock);
    await unregister(
      c.voucher_no,
      c.receipt_no,
      `回单金额 ${c.amount_fen + 100} 与凭证金额 ${c.amount_fen} 不符`,
      {
        amount_fen: c.amount_fen + 100,
      },
    );
    await unregister(d.voucher_no, d.receipt_no, '回单登记失败：日期校验不通过', {
      paid_date: addDays(d.business_date, -3),
    });
    const s = stamp();
    const date = today();
    const ymd = date.replaceAll('-', '');
    const twins = [`ZZ${ymd}${bank.code}T${s}1`, `ZZ${ymd}${bank.code}T${s}2`];
    for (const no of twins) await freshVoucher(bank, no, 3_456_700, 'accepted');
    const orphan = { receipt_no: `HD${ymd}${bank.code}N${s}`, voucher_no: `ZZ${ymd}${bank.code}9${s}` };
    const garbled = { receipt_no: `HD${ymd}${bank.code}G${s}`, voucher_no: `ZZ${ymd}${bank.code}T${s}` };
    await treasury
      .insertInto('receipts')
      .values([
        {
          ...orphan,
          bank_code: bank.code,
          amount_fen: 1_234_500,
          paid_date: date,
          received_at: iso(2 * HOUR),
          registered: 0,
          registered_at: null,
          register_error: '回单对应的支付凭证不存在',
        },
        {
          ...garbled,
          bank_code: bank.code,
          amount_fen: 3_456_700,
          paid_date: date,
          received_at: iso(2 * HOUR),
          registered: 0,
          registered_at: null,
          register_error: '回单对应的支付凭证不存在',
        },
      ])
      .execute();
    return {
      clean: [a.receipt_no, b.receipt_no],
      amountDiffers: [c.receipt_no],
      dateDiffers: [d.receipt_no],
      noVoucher: [orphan.receipt_no],
      severalCandidates: [garbled.receipt_no],
    };
  }

  /**
   * Void requests sent four hours ago whose answers never came back: two the bank voided, one it
   * refused because it had paid already (its receipt did arrive), and one it never received.
   */
  async function voidUnconfirmed(bank: BankConfig) {
    const s = stamp();
    const ymd = today().replaceAll('-', '');
    const desk = banks.bank(bank.code).desk;
    const make = async (n: number, amount: number) => {
      const v = await freshVoucher(bank, `ZZ${ymd}${bank.code}V${s}${n}`, amount, 'accepted');
      bookAtBank(bank.code, v);
      await treasury
        .insertInto('voucher_voids')
        .values({
          voucher_no: v.voucher_no,
          bank_code: bank.code,
          reason: '预算单位申请撤销支付',
          status: 'sent',
          requested_at: iso(4 * HOUR),
          sent_at: iso(4 * HOUR - 30_000),
          answered_at: null,
          answer_reason: null,
        })
        .execute();
      return v;
    };
    const voided = [await make(1, 2_100_000), await make(2, 2_200_000)];
    for (const v of voided) desk.voidQuietly(v.voucher_no);
    const paid = await make(3, 2_300_000);
    const paidAt = iso(5 * HOUR);
    const receiptNo = `HD${ymd}${bank.code}V${s}3`;
    banks.books.pay(bank.code, paid.voucher_no, paid.amount_fen, paidAt, today(), receiptNo);
    desk.voidQuietly(paid.voucher_no);
    await treasury.transaction().execute(async (trx) => {
      await trx
        .insertInto('receipts')
        .values({
          receipt_no: receiptNo,
          bank_code: bank.code,
          voucher_no: paid.voucher_no,
          amount_fen: paid.amount_fen,
          paid_date: today(),
          received_at: iso(4 * HOUR + 60_000),
          registered: 1,
          registered_at: iso(4 * HOUR + 60_000),
          register_error: null,
        })
        .execute();
      await trx
        .updateTable('vouchers')
        .set({ status: 'paid', paid_at: paidAt })
        .where('voucher_no', '=', paid.voucher_no)
        .execute();
    });
    const lost = await make(4, 2_400_000);
    return {
      voidedAtBank: voided.map((v) => v.voucher_no),
      paidAtBank: [paid.voucher_no],
      unknownToBank: [lost.voucher_no],
    };
  }

  /**
   * Refunds two days old: a bank-started refund whose notice named the receipt number instead
   * of the voucher, finance's request whose notice was lost, finance's request the bank never
   * got, and a bank-started partial refund whose amount matches no voucher.
   */
  async function refundUnmatched(bank: BankConfig) {
    const [a, b, c, d] = await paidVouchers(bank.code, 4);
    if (!a || !b || !c || !d) throw new Error('unreachable');
    const desk = banks.bank(bank.code).desk;
    const twoDaysAgo = iso(48 * HOUR);
    const s = stamp();
    const ymd = today().replaceAll('-', '');
    const unmatched = async (
      notice: { refundNo: string; voucherNo: string; amountFen: number; refundDate: string },
      error: string,
    ) =>
      treasury
        .insertInto('refunds')
        .values({
          refund_no: notice.refundNo,
          bank_code: bank.code,
          voucher_no: null,
          amount_fen: notice.amountFen,
          initiated_by: 'bank',
          status: 'unmatched',
          reason: '收款人账户已销户，款项退回',
          requested_at: twoDaysAgo,
          sent_at: null,
          notified_at: twoDaysAgo,
          refund_date: notice.refundDate,
          match_error: error,
          matched_at: null,
        })
        .execute();
    const garbled = desk.refundByBank(a.voucher_no, '收款人账户已销户，款项退回', {
      notice: { voucherNo: a.receipt_no },
      send: false,
    });
    await unmatched(garbled, `退款通知所列凭证号 ${a.receipt_no} 在财政端不存在`);

    const financeRequest = async (v: { voucher_no: string; amount_fen: number }, n: number) => {
      const refundNo = `TKCZ${ymd}${bank.code}${s}${n}`;
      await treasury
        .insertInto('refunds')
        .values({
          refund_no: refundNo,
          bank_code: bank.code,
          voucher_no: v.voucher_no,
          amount_fen: v.amount_fen,
          initiated_by: 'finance',
          status: 'sent',
          reason: '预算单位申请退回误付款项',
          requested_at: twoDaysAgo,
          sent_at: twoDaysAgo,
          notified_at: null,
          refund_date: null,
          match_error: null,
          matched_at: null,
        })
        .execute();
      return refundNo;
    };
    const lostNotice = await financeRequest(b, 1);
    desk.refundQuietly({
      refundNo: lostNotice,
      voucherNo: b.voucher_no,
      amountFen: b.amount_fen,
      reason: '预算单位申请退回误付款项',
    });
    const notReceived = await financeRequest(c, 2);

    const partial = desk.refundByBank(d.voucher_no, '部分款项退回', {
      amountFen: d.amount_fen - 5_000,
      send: false,
    });
    await unmatched(partial, `退款金额 ${partial.amountFen} 与凭证金额 ${d.amount_fen} 不符`);
    return {
      matchable: [garbled.refundNo],
      lostNotice: [lostNotice],
      notReceived: [notReceived],
      amountDiffers: [partial.refundNo],
    };
  }

  return { receiptUnregistered, voidUnconfirmed, refundUnmatched, freshVoucher, paidVouchers };
}
