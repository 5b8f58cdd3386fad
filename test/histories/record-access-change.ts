/**
 * Records, for test/histories/replay.test.ts, an access change as today's code runs it on the
 * sandbox: waiting at its approval gate (a deployment mid-run), then to its end — a clerk moved to
 * reviewing and a read-only role given the export. Run it by hand when it changes on purpose (see
 * record.ts):
 *   node --import tsx test/histories/record-access-change.ts
 */
import { startAccessEstate } from '../support/access-change.ts';
import { decide, signedBy } from '../support/approvals.ts';
import { saveAtGate, saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const estate = await startAccessEstate();
try {
  await estate.startWorker();
  const { client, site } = estate;
  const id = 'access-change/payment/recorded';
  const handle = await client.workflow.start('accessChange', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [
      {
        system: 'payment',
        users: [{ user: 'li.chuna', grant: ['reviewer'], revoke: ['cashier'] }],
        roles: [{ role: 'auditor', grant: ['report.export'] }],
        requestedBy: 'eng',
        reason: '岗位调整（人事通知 2026-118 号）',
      },
    ],
  });
  const gate = await saveAtGate(client, 'access-change-awaiting-approval', id);
  await decide(client, id, signedBy(site, gate, 'wang', { reason: '同意' }));
  await saveEnded(client, 'access-change', handle, 'changed');
} finally {
  await estate.stop();
}
