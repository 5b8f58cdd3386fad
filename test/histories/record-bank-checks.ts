/**
 * Records the settling bank checks' histories for test/histories/replay.test.ts — receipt
 * registration repair, the void status check and refund tracking — along the roads their shared
 * round loop can take: a plan made again when a receipt moved before approval (two gates), a run
 * refused by the lock, nothing registrable; voids settled with a request sent again and waited
 * for, a dry run; refunds partly settled and escalated, a plan rejected, nothing to do. Run it by
 * hand when one of these runbooks changes on purpose (see record.ts):
 *   node --import tsx test/histories/record-bank-checks.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { instantAt, localDate } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';

const here = new URL('.', import.meta.url);
process.env.JINCAI_PAYLOAD_KEYS = readFileSync(new URL('payload-key.txt', here), 'utf8').trim();

const runbooks = ['receipt-registration-repair', 'void-status-check', 'refund-tracking'];
// A history does not carry its workflow id, and these runbooks derive query ids from it.
const idsFile = new URL('workflow-ids.json', here);
const workflowIds: Record<string, string> = existsSync(idsFile) ? JSON.parse(readFileSync(idsFile, 'utf8')) : {};
const tz = 'Asia/Shanghai';

const estate = await startTestEstate({
  banks: ['ICBC', 'ABC', 'BOC', 'CCB'],
  edit: (raw) => {
    (raw.approvals as Record<string, unknown>).runbooks = Object.fromEntries(
      runbooks.map((r) => [r, { roles: ['comm-approver'], quorum: 1 }]),
    );
  },
});
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const treasury = estate.sandbox.treasury;
  const start = (type: string, workflowId: string, input: Record<string, unknown>) =>
    estate.client.workflow.start(type, {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId,
      args: [{ requestedBy: 'eng', answerWaitSeconds: 30, ...input }],
    });
  const save = async (name: string, handle: WorkflowHandle, outcome: string | 'failed') => {
    const result = await handle.result().then(
      (r: { outcome: string }) => r.outcome,
      () => 'failed',
    );
    if (result !== outcome) throw new Error(`${name}: expected ${outcome}, got ${result}`);
    const history = await handle.fetchHistory();
    writeFileSync(
      new URL(`${name}.history.bin`, here),
      proto.temporal.api.history.v1.History.encode(history).finish(),
    );
    workflowIds[`${name}.history.bin`] = handle.workflowId;
    console.log(`recorded ${name}.history.bin (${history.events?.length} events, ${outcome})`);
  };
  const today = localDate(new Date(), tz);

  // Receipts: one of two clean matches registered by hand while the plan waits; a second run
  // meanwhile refused by the lock; once done, a third run finds nothing it may register.
  {
    const fault = await estate.sandbox.faults.inject({ fault: 'receipt-unregistered', bank: 'ABC' });
    const [moved] = (fault.details as Record<string, string[]>).clean!;
    const id = `receipt-registration-repair/ABC/${today}/recorded`;
    const run = await start('receiptRegistrationRepair', id, { bank: 'ABC' });
    const first = await waitForGate(estate.client, id, 60_000);
    const locked = await start('receiptRegistrationRepair', `${id}-locked`, {
      bank: 'ABC',
      requestedBy: 'ops',
    });
    await save('receipt-registration-repair-locked', locked, 'failed');
    const row = await treasury
      .selectFrom('receipts')
      .select('voucher_no')
      .where('receipt_no', '=', moved!)
      .executeTakeFirstOrThrow();
    await treasury
      .updateTable('receipts')
      .set({ registered: 1, registered_at: new Date().toISOString() })
      .where('receipt_no', '=', moved!)
      .execute();
    await treasury.updateTable('vouchers').set({ status: 'paid' }).where('voucher_no', '=', row.voucher_no).execute();
    await decide(estate.client, id, signedBy(estate.site, first, 'wang'));
    let again = await waitForGate(estate.client, id, 60_000);
    while (again.gateId === first.gateId) {
      await new Promise((r) => setTimeout(r, 200));
      again = await waitForGate(estate.client, id, 60_000);
    }
    await decide(estate.client, id, signedBy(estate.site, again, 'li'));
    await save('receipt-registration-repair', run, 'partly-registered');
    const after = await start('receiptRegistrationRepair', `${id}-after`, { bank: 'ABC' });
    await save('receipt-registration-repair-nothing', after, 'nothing-registrable');
  }

  // Voids, after the bank's close so nothing accepted gets paid meanwhile: confirmed, refused and
  // one request sent again and waited for; then a dry run on another bank's faults.
  {
    const yesterday = localDate(new Date(Date.now() - 86_400_000), tz);
    estate.sandbox.clock.set(instantAt(yesterday, '18:30', tz).toISOString());
    await estate.sandbox.faults.inject({ fault: 'void-unconfirmed', bank: 'CCB' });
    const id = `void-status-check/CCB/${today}/recorded`;
    const run = await start('voidStatusCheck', id, { bank: 'CCB', verifySeconds: 30 });
    const gate = await waitForGate(estate.client, id, 60_000);
    await decide(estate.client, id, signedBy(estate.site, gate, 'wang', { reason: '已核对' }));
    await save('void-status-check', run, 'settled');
    await estate.sandbox.faults.inject({ fault: 'void-unconfirmed', bank: 'BOC' });
    const dry = await start('voidStatusCheck', `void-status-check/BOC/${today}/recorded`, {
      bank: 'BOC',
      dryRun: true,
    });
    await save('void-status-check-dry-run', dry, 'planned');
  }

  // Refunds: settled but the partial refund, escalated; a plan rejected; a bank with none open.
  {
    await estate.sandbox.faults.inject({ fault: 'refund-unmatched', bank: 'ICBC' });
    const id = `refund-tracking/ICBC/${today}/recorded`;
    const run = await start('refundTracking', id, { bank: 'ICBC', verifySeconds: 30 });
    const gate = await waitForGate(estate.client, id, 60_000);
    await decide(estate.client, id, signedBy(estate.site, gate, 'wang', { reason: '已核对' }));
    await save('refund-tracking', run, 'partly-settled');

    await estate.sandbox.faults.inject({ fault: 'refund-unmatched', bank: 'ABC' });
    const rid = `refund-tracking/ABC/${today}/recorded`;
    const rejected = await start('refundTracking', rid, { bank: 'ABC' });
    const rgate = await waitForGate(estate.client, rid, 60_000);
    await decide(
      estate.client,
      rid,
      signedBy(estate.site, rgate, 'li', { verdict: 'reject', reason: '须先与银行核对退款金额' }),
    );
    await save('refund-tracking-rejected', rejected, 'rejected');

    const none = await start('refundTracking', `refund-tracking/BOC/${today}/recorded`, { bank: 'BOC' });
    await save('refund-tracking-nothing', none, 'nothing-to-do');
  }
  const sorted = Object.fromEntries(Object.entries(workflowIds).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(idsFile, `${JSON.stringify(sorted, null, 2)}\n`);
} finally {
  await estate.stop();
}
