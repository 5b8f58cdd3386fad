import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { instantAt, localDate } from '../../sandbox/calendar.ts';
import { checkTraffic } from '../../sandbox/seed/consistency.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import type { TestSite } from './helpers.ts';
import { authHeader, startTestSandbox, submitDirectVoucher, waitFor } from './helpers.ts';

describe('a voucher end to end', () => {
  let sandbox: SandboxHandle;
  let site: TestSite;
  before(async () => {
    ({ sandbox, site } = await startTestSandbox());
  });
  after(async () => {
    await sandbox?.stop();
    site?.cleanup();
  });

  const addVoucher = async (voucherNo: string) => {
    const now = sandbox.clock.now();
    const date = localDate(now);
    const fiscalYear = Number(date.slice(0, 4));
    await submitDirectVoucher(sandbox.treasury, {
      voucherNo,
      bank: 'ICBC',
      fiscalYear,
      date,
      amountFen: 4_560_000,
      at: now,
    });
    return date;
  };
  const voucher = (no: string) =>
    sandbox.treasury
      .selectFrom('vouchers')
      .selectAll()
      .where('voucher_no', '=', no)
      .executeTakeFirstOrThrow();
  const logRows = (no: string) =>
    sandbox.treasury
      .selectFrom('message_log')
      .select(['direction', 'kind'])
      .where('ref_no', '=', no)
      .orderBy('id')
      .execute();

  it('starts a send/receive program per bank and keeps the seeded estate consistent', async () => {
    for (const code of ['ICBC', 'ABC', 'BOC', 'CCB', 'RCB'])
      assert.equal(sandbox.programs.info(code)?.running, true);
    await waitFor('seeded pending vouchers to be sent', async () => {
      const left = await sandbox.treasury
        .selectFrom('vouchers')
        .select('voucher_no')
        .where('status', '=', 'pending_send')
        .execute();
      return left.length === 0;
    });
    assert.deepEqual(
      await checkTraffic(sandbox.treasury, localDate(sandbox.clock.now()), sandbox.clock.now()),
      [],
    );
  });

  it('flows from pending_send through MQ to the bank and back as paid, paid exactly once', async () => {
    const no = `ZZTEST${Date.now().toString().slice(-8)}`;
    await addVoucher(no);
    const paid = await waitFor('the voucher to be paid', async () => {
      const v = await voucher(no);
      return v.status === 'paid' ? v : undefined;
    });
    assert.ok(paid.serial_no && paid.sent_at && paid.accepted_at && paid.paid_at);
    assert.deepEqual(await logRows(no), [
      { direction: 'out', kind: 'direct_payment' },
      { direction: 'in', kind: 'voucher_ack' },
      { direction: 'in', kind: 'receipt' },
    ]);
    const receipt = await sandbox.treasury
      .selectFrom('receipts')
      .selectAll()
      .where('voucher_no', '=', no)
      .executeTakeFirstOrThrow();
    assert.equal(receipt.registered, 1);
    assert.equal(receipt.amount_fen, 4_560_000);
    const ledger = sandbox.banks.ledger('ICBC');
    assert.equal(ledger.voucher(no)?.status, 'paid');
    assert.equal(ledger.payCount(no), 1);
    assert.equal(ledger.lastSerialAccepted(), paid.serial_no);
  });

  it('pays a voucher number delivered twice only once, even when finance resends it', async () => {
    const no = `ZZDUP${Date.now().toString().slice(-8)}`;
    await addVoucher(no);
    await waitFor('the first delivery to be paid', async () => (await voucher(no)).status === 'paid');
    // An operator resends it: a new application serial, the same voucher number.
    await sandbox.treasury
      .updateTable('vouchers')
      .set({ status: 'pending_send' })
      .where('voucher_no', '=', no)
      .execute();
    await waitFor(
      'the bank to answer the resend',
      async () => (await logRows(no)).filter((r) => r.kind === 'voucher_ack').length === 2,
    );
    await waitFor(
      'the voucher to be paid again in the treasury',
      async () => (await voucher(no)).status === 'paid',
    );
    const ledger = sandbox.banks.ledger('ICBC');
    assert.equal(ledger.payCount(no), 1);
    const receipts = await sandbox.treasury
      .selectFrom('receipts')
      .select('receipt_no')
      .where('voucher_no', '=', no)
      .execute();
    assert.equal(receipts.length, 1);
  });

  it('answers an MQ redelivery of the same message without paying again', async () => {
    const no = `ZZRED${Date.now().toString().slice(-8)}`;
    await addVoucher(no);
    await waitFor('payment', async () => (await voucher(no)).status === 'paid');
    const v = await voucher(no);
    const message = {
      head: {
        msgType: 'direct_payment',
        serialNo: v.serial_no,
        sender: 'CZ',
        receiver: 'ICBC',
        sendTime: new Date().toISOString(),
        businessDate: v.business_date,
        msgId: 'redelivered-0001',
      },
      body: { voucherNo: no, payType: 'direct', amountFen: v.amount_fen },
    };
    sandbox.estate.put('QM.ICBC', 'PAY.IN', JSON.stringify(message));
    sandbox.estate.put(
      'QM.ICBC',
      'PAY.IN',
      JSON.stringify({ ...message, head: { ...message.head, msgId: 'redelivered-0002' } }),
    );
    await waitFor(
      'both redeliveries answered',
      async () => (await logRows(no)).filter((r) => r.kind === 'voucher_ack').length === 3,
    );
    assert.equal(sandbox.banks.ledger('ICBC').payCount(no), 1);
    assert.equal((await voucher(no)).status, 'paid');
  });

  it('refuses a voucher after hours (E_OUT_OF_WINDOW), and pays one on a day it agreed to extended hours', async () => {
    const today = localDate(new Date());
    const extend = (body: unknown) =>
      fetch(`${sandbox.url}/sandbox/banks/ICBC/extended-hours`, {
        method: 'POST',
        headers: { authorization: authHeader(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    try {
      sandbox.clock.set(instantAt(today, '20:00').toISOString());
      const late = `ZZLATE${Date.now().toString().slice(-8)}`;
      await addVoucher(late);
      const refused = await waitFor('the late voucher to be refused', async () => {
        const v = await voucher(late);
        return v.status === 'rejected' || v.status === 'timed_out' ? v : undefined;
      });
      assert.equal(refused.failure_code, 'E_OUT_OF_WINDOW');

      const bad = await extend({ date: today, open: '22:00', close: '08:00' });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /close/);
      assert.equal((await extend({ date: today, open: '00:00', close: '23:59' })).status, 200);
      const extended = `ZZEXT${Date.now().toString().slice(-8)}`;
      await addVoucher(extended);
      await waitFor(
        'the voucher sent in extended hours to be paid',
        async () => (await voucher(extended)).status === 'paid',
      );
      assert.equal(sandbox.banks.ledger('ICBC').payCount(extended), 1);
    } finally {
      sandbox.clock.reset();
    }
  });
});
