/**
 * The sandbox's counterparts of the void status check and refund tracking, through the real
 * send/receive programs: void requests and their answers, refund notices the bank starts (matched
 * or not), status queries by refund number filed against their question, serials kept in step.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { instantAt, localDate } from '../../sandbox/calendar.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import type { TestSite } from './helpers.ts';
import { startTestSandbox, waitFor } from './helpers.ts';

describe('voids and refunds between finance and a bank', () => {
  let sandbox: SandboxHandle;
  let site: TestSite;
  before(async () => {
    // After the banks' close: nothing accepted gets paid while the tests look.
    const evening = instantAt(localDate(new Date()), '18:30').getTime();
    ({ sandbox, site } = await startTestSandbox({
      clock: { mode: 'offset', offsetMs: evening - Date.now() },
    }));
  });
  after(async () => {
    await sandbox?.stop();
    site?.cleanup();
  });

  const db = () => sandbox.treasury;
  const voidRow = (no: string) =>
    db()
      .selectFrom('voucher_voids')
      .select(['status', 'answer_reason'])
      .where('voucher_no', '=', no)
      .executeTakeFirstOrThrow();
  const voucherStatus = async (no: string) =>
    (
      await db()
        .selectFrom('vouchers')
        .select('status')
        .where('voucher_no', '=', no)
        .executeTakeFirstOrThrow()
    ).status;
  const serials = async (bank: string) => ({
    finance: (
      await db()
        .selectFrom('message_serials')
        .select('last_serial')
        .where('bank_code', '=', bank)
        .where('direction', '=', 'out')
        .executeTakeFirstOrThrow()
    ).last_serial,
    bank: sandbox.banks.ledger(bank).lastSerialAccepted(),
  });

  it('sends void requests with the next serial; the bank voids, refuses after paying, and answers a repeat alike', async () => {
    const fault = await sandbox.faults.inject({ fault: 'void-unconfirmed', bank: 'ICBC' });
    const d = fault.details as Record<string, string[]>;
    const [voided] = d.voidedAtBank!;
    const [paid] = d.paidAtBank!;
    const [lost] = d.unknownToBank!;
    const before = await serials('ICBC');
    await db()
      .updateTable('voucher_voids')
      .set({ status: 'pending_send', sent_at: null })
      .where('voucher_no', 'in', [voided!, paid!, lost!])
      .execute();
    await waitFor('the three void answers', async () => {
      const rows = await Promise.all([voided!, paid!, lost!].map(voidRow));
      return rows.every((r) => r.status === 'confirmed' || r.status === 'refused');
    });
    assert.equal((await voidRow(voided!)).status, 'confirmed');
    assert.equal(await voucherStatus(voided!), 'voided');
    assert.equal((await voidRow(paid!)).status, 'refused');
    assert.match((await voidRow(paid!)).answer_reason ?? '', /已于.*支付，不能作废/);
    assert.equal(await voucherStatus(paid!), 'paid');
    assert.equal((await voidRow(lost!)).status, 'confirmed');
    assert.equal(sandbox.banks.ledger('ICBC').voucher(lost!)?.status, 'voided');
    const afterwards = await serials('ICBC');
    // The estate's own traffic may send more meanwhile; the three requests took serials of their own.
    assert.ok(afterwards.finance >= before.finance + 3, `${afterwards.finance} < ${before.finance} + 3`);
    assert.equal(afterwards.bank, afterwards.finance, 'finance and bank serials stay in step');
  });

  it("files the bank's own refund notices: matched to a paid voucher, or unmatched with the reason", async () => {
    const [a, b] = await db()
      .selectFrom('vouchers')
      .select(['voucher_no', 'amount_fen'])
      .where('bank_code', '=', 'ABC')
      .where('status', '=', 'paid')
      .orderBy('voucher_no')
      .limit(2)
      .execute();
    const desk = sandbox.banks.bank('ABC').desk;
    const good = desk.refundByBank(a!.voucher_no, '收款人账户已销户');
    const garbled = desk.refundByBank(b!.voucher_no, '收款人账户已销户', {
      notice: { voucherNo: 'ZZ-GARBLED' },
    });
    const refund = (no: string) =>
      db().selectFrom('refunds').selectAll().where('refund_no', '=', no).executeTakeFirst();
    await waitFor(
      'both notices filed',
      async () => (await refund(good.refundNo)) && (await refund(garbled.refundNo)),
    );
    const matched = await refund(good.refundNo);
    assert.equal(matched?.status, 'matched');
    assert.equal(matched?.initiated_by, 'bank');
    assert.equal(Number(matched?.amount_fen), Number(a!.amount_fen));
    assert.equal(await voucherStatus(a!.voucher_no), 'refunded');
    const unmatched = await refund(garbled.refundNo);
    assert.equal(unmatched?.status, 'unmatched');
    assert.equal(unmatched?.voucher_no, null);
    assert.match(unmatched?.match_error ?? '', /ZZ-GARBLED 在财政端不存在/);
    assert.equal(await voucherStatus(b!.voucher_no), 'paid');

    // Asked by refund number, the bank names the voucher its books hold.
    await db()
      .insertInto('bank_queries')
      .values({
        query_id: 'q-test-refund-1',
        bank_code: 'ABC',
        subject: 'refund',
        ref_no: garbled.refundNo,
        body: JSON.stringify({ queryId: 'q-test-refund-1', refundNo: garbled.refundNo }),
        status: 'pending_send',
        requested_at: new Date().toISOString(),
        sent_at: null,
        answered_at: null,
        answer: null,
      })
      .execute();
    const answer = await waitFor('the answer filed', async () => {
      const row = await db()
        .selectFrom('bank_queries')
        .select(['status', 'answer'])
        .where('query_id', '=', 'q-test-refund-1')
        .executeTakeFirstOrThrow();
      return row.status === 'answered' && (JSON.parse(row.answer ?? '{}') as Record<string, unknown>);
    });
    assert.deepEqual(answer.refund, {
      refundNo: garbled.refundNo,
      known: true,
      state: 'refunded',
      voucherNo: b!.voucher_no,
      amountFen: Number(b!.amount_fen),
      refundDate: garbled.refundDate,
      initiatedBy: 'bank',
      reason: '收款人账户已销户',
    });
    assert.equal(answer.queryId, 'q-test-refund-1');
  });
});
