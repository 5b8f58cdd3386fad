import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { localDate } from '../../sandbox/calendar.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import { unsentVoucher } from '../../sandbox/seed/voucher-row.ts';
import type { TestSite } from './helpers.ts';
import { mqsc, startTestSandbox, waitFor } from './helpers.ts';

describe('what sequence resync meets in the sandbox', () => {
  let sandbox: SandboxHandle;
  let site: TestSite;
  before(async () => {
    ({ sandbox, site } = await startTestSandbox());
  });
  after(async () => {
    await sandbox?.stop();
    site?.cleanup();
  });

  const rt = (qmgr: string) => sandbox.estate.channels.findEnd(qmgr, 'CZ.TO.ABC')!.end.rt;

  it('records each MQSC command a queue manager receives, in order, per queue manager', async () => {
    const before = sandbox.estate.mqscLog('QM.CZ').length;
    await mqsc(sandbox.url, 'QM.CZ', 'DISPLAY CHSTATUS(CZ.TO.BOC) ALL');
    await mqsc(sandbox.url, 'QM.BOC', 'DISPLAY QMGR DEADQ');
    await mqsc(sandbox.url, 'QM.CZ', '  PING CHANNEL(CZ.TO.BOC)  ');
    assert.deepEqual(
      sandbox.estate
        .mqscLog('QM.CZ')
        .slice(before)
        .map((e) => e.command),
      ['DISPLAY CHSTATUS(CZ.TO.BOC) ALL', 'PING CHANNEL(CZ.TO.BOC)'],
    );
    assert.equal(sandbox.estate.mqscLog('QM.BOC').at(-1)?.command, 'DISPLAY QMGR DEADQ');
  });

  it('counts what the receiving end puts, per message id: a backed-out batch is delivered once', async () => {
    sandbox.estate.stopChannel('QM.CZ', 'CZ.TO.ABC');
    // The running sandbox's programs may have left a message in the transmission queue.
    const waiting = sandbox.estate.depth('QM.CZ', 'QM.ABC');
    const ids = [1, 2, 3].map((i) => sandbox.estate.put('QM.CZ', 'PAY.TO.ABC', `test ${i}`).msgId);
    assert.equal(sandbox.estate.depth('QM.CZ', 'QM.ABC'), waiting + 3);
    await sandbox.faults.inject({ fault: 'channel-in-doubt', bank: 'ABC' });
    assert.equal(rt('QM.CZ').indoubt, true);
    assert.equal(rt('QM.ABC').lastSeq, rt('QM.CZ').lastSeq, 'the bank has not committed the batch');
    await sandbox.faults.clear({ fault: 'channel-in-doubt', bank: 'ABC' });
    await waitFor('the batch to arrive', () =>
      ids.every((id) => sandbox.estate.deliveries('QM.ABC').has(id)),
    );
    assert.deepEqual(
      ids.map((id) => sandbox.estate.deliveries('QM.ABC').get(id)),
      [1, 1, 1],
    );
  });

  it('an in-doubt batch the bank committed shows as receiver LSTSEQNO = sender CURSEQNO; clearing commits it', async () => {
    sandbox.estate.stopChannel('QM.CZ', 'CZ.TO.ABC');
    const ids = [1, 2].map((i) => sandbox.estate.put('QM.CZ', 'PAY.TO.ABC', `committed ${i}`).msgId);
    await sandbox.faults.inject({ fault: 'channel-in-doubt', bank: 'ABC', received: true });
    assert.equal(rt('QM.ABC').lastSeq, rt('QM.CZ').curSeq);
    assert.notEqual(rt('QM.ABC').lastSeq, rt('QM.CZ').lastSeq);
    await sandbox.faults.clear({ fault: 'channel-in-doubt', bank: 'ABC' });
    await waitFor('the channel to run', () => rt('QM.CZ').status === 'RUNNING');
    sandbox.tick();
    assert.deepEqual(
      ids.map((id) => sandbox.estate.deliveries('QM.ABC').get(id)),
      [1, 1],
      'a committed batch must not be sent again',
    );
    assert.equal(rt('QM.ABC').lastSeq, rt('QM.CZ').lastSeq);
  });

  it('serial-mismatch: the bank refuses the next voucher (E_SERIAL) and says its own number in a status answer', async () => {
    const financeOut = async () =>
      (
        await sandbox.treasury
          .selectFrom('message_serials')
          .select('last_serial')
          .where('bank_code', '=', 'CCB')
          .where('direction', '=', 'out')
          .executeTakeFirstOrThrow()
      ).last_serial;
    const f0 = await financeOut();
    const fault = await sandbox.faults.inject({ fault: 'serial-mismatch', bank: 'CCB', delta: 4 });
    assert.deepEqual(fault.details, { financeLast: f0, bankLast: f0 + 4 });
    assert.equal(sandbox.banks.ledger('CCB').lastSerialAccepted(), f0 + 4);

    const refused = await addVoucher('A');
    const row = await waitFor('the voucher to be answered', async () => {
      const v = await voucher(refused);
      return v?.status === 'rejected' ? v : undefined;
    });
    assert.equal(row.failure_code, 'E_SERIAL');
    assert.equal(sandbox.banks.ledger('CCB').hasVoucher(refused), false);

    // One id for the row and the message: the bank's answer is matched to the row by it.
    const queryId = `t-${Date.now()}`;
    await sandbox.treasury
      .insertInto('bank_queries')
      .values({
        query_id: queryId,
        bank_code: 'CCB',
        subject: 'voucher',
        ref_no: refused,
        body: JSON.stringify({ voucherNo: refused, queryId }),
        status: 'pending_send',
        requested_at: new Date().toISOString(),
        sent_at: null,
        answered_at: null,
        answer: null,
      })
      .execute();
    const answer = await waitFor('the status answer', async () => {
      const q = await sandbox.treasury
        .selectFrom('bank_queries')
        .select(['status', 'answer'])
        .where('bank_code', '=', 'CCB')
        .where('ref_no', '=', refused)
        .executeTakeFirst();
      return q?.status === 'answered' && q.answer
        ? (JSON.parse(q.answer) as Record<string, unknown>)
        : undefined;
    });
    assert.equal(answer.lastSerialAccepted, f0 + 4);
    assert.equal(answer.known, false);

    await sandbox.faults.clear({ fault: 'serial-mismatch', bank: 'CCB' });
    const accepted = await addVoucher('B');
    await waitFor('the next voucher to be accepted', async () =>
      ['accepted', 'paid'].includes((await voucher(accepted))?.status ?? ''),
    );
  });

  async function voucher(no: string) {
    return sandbox.treasury
      .selectFrom('vouchers')
      .select(['status', 'failure_code'])
      .where('voucher_no', '=', no)
      .executeTakeFirst();
  }

  async function addVoucher(tag: string): Promise<string> {
    const now = sandbox.clock.now();
    const date = localDate(now);
    const pick = async (table: 'budget_units' | 'budget_subjects') =>
      (
        await sandbox.treasury
          .selectFrom(table)
          .select('code')
          .orderBy('version')
          .orderBy('code')
          .executeTakeFirstOrThrow()
      ).code;
    const payee = await sandbox.treasury
      .selectFrom('payee_accounts')
      .select('id')
      .orderBy('version')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const voucherNo =
      `ZZ${date.replaceAll('-', '')}CCBS${tag}${now.getTime().toString(36).slice(-4)}`.toUpperCase();
    await sandbox.treasury
      .insertInto('vouchers')
      .values(
        unsentVoucher({
          voucher_no: voucherNo,
          fiscal_year: Number(date.slice(0, 4)),
          bank_code: 'CCB',
          pay_type: 'direct',
          amount_fen: 123_400,
          payee_account_id: payee.id,
          budget_unit_code: await pick('budget_units'),
          subject_code: await pick('budget_subjects'),
          status: 'pending_send',
          business_date: date,
          submitted_at: now.toISOString(),
          updated_at: now.toISOString(),
        }),
      )
      .execute();
    return voucherNo;
  }
});
