/**
 * Records, for test/histories/replay.test.ts, the procurement push retry as today's code runs it
 * on the sandbox: two confirmations left failed while the cloud was down, the cloud back, the
 * retry waiting at its approval gate (a deployment mid-run), then approved — both pushed again and
 * held by the cloud — to its end. Run it by hand when the runbook changes on purpose (see
 * record.ts):
 *   node --import tsx test/histories/record-procurement-push-retry.ts
 */
import { addTestUsers, decide, signedBy } from '../support/approvals.ts';
import { sandboxApi, startTestEstate } from '../support/estate.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { saveAtGate, saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const calendar = workingTodayCalendar();
const estate = await startTestEstate({
  banks: ['ICBC'],
  edit: openAllDay(calendar.file, 'procurement-push-retry'),
});
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const { client, site } = estate;
  await estate.sandbox.subsystems.faults.inject({ fault: 'procurement-push-failing' });
  await sandboxApi(estate, 'POST', '/sandbox/estate/procurement/payments', { count: 2, bank: 'ICBC' });
  const failed = async () =>
    (
      await estate.sandbox.treasury
        .selectFrom('procurement_confirmations')
        .select('confirmation_no')
        .where('status', '=', 'failed')
        .execute()
    ).length;
  while ((await failed()) < 2) await new Promise((r) => setTimeout(r, 250));
  await estate.sandbox.subsystems.faults.clear({});
  const id = 'procurement-push-retry/procurement/recorded';
  const handle = await client.workflow.start('procurementPushRetry', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ requestedBy: 'eng', verifySeconds: 60 }],
  });
  const gate = await saveAtGate(client, 'procurement-push-retry-awaiting-approval', id);
  await decide(client, id, signedBy(site, gate, 'wang', { reason: '同意' }));
  await saveEnded(client, 'procurement-push-retry', handle, 'recovered');
} finally {
  await estate.stop();
  calendar.remove();
}
