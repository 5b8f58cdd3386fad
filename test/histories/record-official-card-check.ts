/**
 * Records, for test/histories/replay.test.ts, the official-card check as today's code runs it on
 * the sandbox: CCB paid two card repayments while its answers were lost; the check asks the bank,
 * waits at its approval gate (a deployment mid-run), then records the receipts and sees the
 * repayments paid, to its end. Run it by hand when the runbook changes on purpose (see record.ts):
 *   node --import tsx test/histories/record-official-card-check.ts
 */
import { addTestUsers, decide, signedBy } from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { until } from '../support/voucher-resend.ts';
import { saveAtGate, saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const calendar = workingTodayCalendar();
const estate = await startTestEstate({ banks: ['BOC', 'CCB'], edit: openAllDay(calendar.file, 'official-card-check') });
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const { client, site, sandbox } = estate;
  const injected = await sandbox.subsystems.faults.inject({ fault: 'official-card-stuck', bank: 'CCB', count: 3, stuck: 2 });
  const stuck = (injected.details as { stuckVouchers: string[] }).stuckVouchers;
  await until('the stuck vouchers sent', async () => {
    const rows = await sandbox.treasury.selectFrom('vouchers').select('status').where('voucher_no', 'in', stuck).execute();
    return rows.length === 2 && rows.every((r) => r.status === 'sent');
  });
  const id = 'official-card-check/CCB/recorded';
  const handle = await client.workflow.start('officialCardCheck', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank: 'CCB', requestedBy: 'eng', stuckMinutes: 0, answerWaitSeconds: 30, verifySeconds: 60 }],
  });
  const gate = await saveAtGate(client, 'official-card-check-awaiting-approval', id);
  await decide(client, id, signedBy(site, gate, 'wang', { reason: '同意' }));
  await saveEnded(client, 'official-card-check', handle, 'repaired');
} finally {
  await estate.stop();
  calendar.remove();
}
