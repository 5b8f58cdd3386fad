/**
 * Records, for test/histories/replay.test.ts, the runbooks behind an approval gate as today's code
 * runs them — channel recovery, sequence resync in both scopes — to their end, and every gated
 * runbook waiting at its gate (a deployment mid-run): channel recovery, sequence resync, receipt
 * registration repair, the void status check and refund tracking; and the inspection that finds a
 * stopped channel and starts its recovery. record.ts,
 * record-sequence-resync.ts and record-bank-checks.ts keep the histories of older code. Run it by
 * hand when one of these runbooks changes on purpose (see record.ts):
 *   node --import tsx test/histories/record-gated-runbooks.ts
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import { instantAt, localDate } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, signedBy, waitForGate, type WaitingGate } from '../support/approvals.ts';
import { addPendingVoucher } from '../support/ccb-serials.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import type { RawSite } from '../support/site.ts';
import { until } from '../support/voucher-resend.ts';
import { saveAtGate, saveEnded, saveHistory, useRecordingKey } from './recording.ts';

const gated = [
  'channel-recovery',
  'sequence-resync',
  'receipt-registration-repair',
  'void-status-check',
  'refund-tracking',
];

useRecordingKey();
const policies = (raw: RawSite) => {
  (raw.approvals as Record<string, unknown>).runbooks = Object.fromEntries(
    gated.map((r) => [r, { roles: ['comm-approver'], quorum: 1 }]),
  );
  raw.inspection = { followUp: { 'channel-recovery': 'start' } };
};
const today = localDate(new Date(), 'Asia/Shanghai');

/** Runs `body` on a fresh estate of `banks` (with or without their send/receive programs). */
async function onEstate(
  options: { banks: string[]; programs: boolean },
  body: (estate: TestEstate, start: Start, approve: Approve) => Promise<void>,
) {
  const estate = await startTestEstate({ ...options, edit: policies });
  try {
    await addTestUsers(estate.site);
    await estate.startWorker();
    const { client, site } = estate;
    await body(
      estate,
      (type, workflowId, input) =>
        client.workflow.start(type, {
          taskQueue: site.temporal.taskQueues.runbooks,
          workflowId,
          args: [{ requestedBy: 'eng', ...input }],
        }),
      (workflowId, gate) => decide(client, workflowId, signedBy(site, gate, 'wang', { reason: '同意' })),
    );
  } finally {
    await estate.stop();
  }
}
type Start = (type: string, workflowId: string, input: Record<string, unknown>) => Promise<WorkflowHandle>;
type Approve = (workflowId: string, gate: WaitingGate) => Promise<unknown>;

// Without the programs, as MQ alone: channel recovery, and an in-doubt batch for sequence resync.
await onEstate({ banks: ['ICBC', 'CCB'], programs: false }, async ({ client, site, sandbox }, start, approve) => {
  await sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ICBC' });
  const inspected: DailyInspectionResult = await client.workflow.execute('dailyInspection', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: `daily-inspection/${today}/recorded`,
    args: [{}],
  });
  const [followUp] = inspected.followUps;
  if (!followUp) throw new Error('the inspection started no channel recovery');
  await saveHistory(client, 'daily-inspection-findings', inspected.workflowId);
  await client.workflow.getHandle(followUp.workflowId).terminate('recorded: a recovery is recorded next');

  const recovery = `channel-recovery/CZ.TO.ICBC/${today}/recorded`;
  const recovering = await start('channelRecovery', recovery, { bank: 'ICBC', verifySeconds: 30 });
  await approve(recovery, await saveAtGate(client, 'channel-recovery-awaiting-approval', recovery));
  await saveEnded(client, 'channel-recovery-recovered', recovering, 'recovered');

  // The backout under its own approval, then the reset under a second.
  sandbox.estate.stopChannel('QM.CZ', 'CZ.TO.CCB');
  for (let i = 0; i < 3; i++) sandbox.estate.put('QM.CZ', 'PAY.TO.CCB', `recorded ${i}`);
  await sandbox.faults.inject({ fault: 'channel-in-doubt', bank: 'CCB' });
  const resync = `sequence-resync/CZ.TO.CCB/${today}/recorded`;
  const resyncing = await start('sequenceResync', resync, { bank: 'CCB', verifySeconds: 30 });
  const backout = await saveAtGate(client, 'sequence-resync-awaiting-approval', resync);
  await approve(resync, backout);
  let reset = await waitForGate(client, resync);
  while (reset.gateId === backout.gateId) {
    await new Promise((r) => setTimeout(r, 200));
    reset = await waitForGate(client, resync);
  }
  await approve(resync, reset);
  await saveEnded(client, 'sequence-resync-in-doubt', resyncing, 'resynced');
});

// With the programs: the serials scope, which asks the bank, and the settling bank checks.
await onEstate({ banks: ['ICBC', 'ABC', 'BOC', 'CCB'], programs: true }, async (estate, start, approve) => {
  const { client, sandbox } = estate;
  await sandbox.faults.inject({ fault: 'serial-mismatch', bank: 'ABC', delta: 3 });
  const refused = await addPendingVoucher(estate, 'ABC', 'RREC', 56_700);
  await until(`the bank to refuse ${refused}`, async () => {
    const v = await sandbox.treasury
      .selectFrom('vouchers')
      .select('status')
      .where('voucher_no', '=', refused)
      .executeTakeFirstOrThrow();
    return !['pending_send', 'sent'].includes(v.status);
  });
  const serials = `sequence-resync/serials/ABC/${today}/recorded`;
  const realigning = await start('sequenceResync', serials, {
    bank: 'ABC',
    scope: 'serials',
    verifySeconds: 30,
    answerSeconds: 30,
  });
  await approve(serials, await saveAtGate(client, 'sequence-resync-serials-awaiting-approval', serials));
  await saveEnded(client, 'sequence-resync-serials', realigning, 'realigned');

  // After the bank's close, so nothing gets paid while they wait.
  const yesterday = localDate(new Date(Date.now() - 86_400_000), 'Asia/Shanghai');
  sandbox.clock.set(instantAt(yesterday, '18:30', 'Asia/Shanghai').toISOString());
  const checks = [
    ['receiptRegistrationRepair', 'receipt-registration-repair', 'receipt-unregistered', 'BOC'],
    ['voidStatusCheck', 'void-status-check', 'void-unconfirmed', 'CCB'],
    ['refundTracking', 'refund-tracking', 'refund-unmatched', 'ICBC'],
  ] as const;
  for (const [type, runbook, fault, bank] of checks) {
    await sandbox.faults.inject({ fault, bank });
    const id = `${runbook}/${bank}/${today}/recorded`;
    const run = await start(type, id, { bank, answerWaitSeconds: 30 });
    await saveAtGate(client, `${runbook}-awaiting-approval`, id);
    await run.terminate('recorded at its gate');
  }
});
