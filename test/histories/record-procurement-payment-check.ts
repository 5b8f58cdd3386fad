/**
 * Records, for test/histories/replay.test.ts, the procurement contract and payment check as
 * today's code runs it on the sandbox: a confirmation whose amount is not its voucher's pushed to
 * the cloud, the check finding it, to its end. Run it by hand when the runbook changes on purpose
 * (see record.ts):
 *   node --import tsx test/histories/record-procurement-payment-check.ts
 */
import { startTestEstate } from '../support/estate.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const calendar = workingTodayCalendar();
const estate = await startTestEstate({
  banks: ['ICBC'],
  edit: openAllDay(calendar.file, 'procurement-payment-check'),
});
try {
  await estate.startWorker();
  const { client, site } = estate;
  const fault = await estate.sandbox.subsystems.faults.inject({
    fault: 'procurement-contract-mismatch',
    mismatch: 'amount-differs',
  });
  const pushed = async () =>
    (
      await estate.sandbox.treasury
        .selectFrom('procurement_confirmations')
        .select('status')
        .where('confirmation_no', '=', fault.details.confirmationNo as string)
        .executeTakeFirst()
    )?.status === 'pushed';
  while (!(await pushed())) await new Promise((r) => setTimeout(r, 250));
  const handle = await client.workflow.start('procurementPaymentCheck', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: 'procurement-payment-check/procurement/recorded',
    args: [{ requestedBy: 'eng' }],
  });
  await saveEnded(client, 'procurement-payment-check', handle, 'differences');
} finally {
  await estate.stop();
  calendar.remove();
}
