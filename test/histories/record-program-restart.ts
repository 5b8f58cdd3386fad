/**
 * Records, for test/histories/replay.test.ts, program restart as today's code runs it on the
 * sandbox: BOC's send/receive program killed, the restart waiting at its approval gate (a
 * deployment mid-run), then approved and verified with a test message to its end. Run it by hand
 * when the runbook changes on purpose (see record.ts):
 *   node --import tsx test/histories/record-program-restart.ts
 */
import { addTestUsers, decide, signedBy } from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';
import { saveAtGate, saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const estate = await startTestEstate({
  banks: ['BOC'],
  edit: (raw) => {
    (raw.approvals as Record<string, unknown>).runbooks = { 'program-restart': { roles: ['comm-approver'] } };
  },
});
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const { client, site } = estate;
  await estate.sandbox.faults.inject({ fault: 'send-program-dead', bank: 'BOC' });
  const id = 'program-restart/BOC/recorded';
  const handle = await client.workflow.start('programRestart', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank: 'BOC', requestedBy: 'eng', verifySeconds: 30 }],
  });
  const gate = await saveAtGate(client, 'program-restart-awaiting-approval', id);
  await decide(client, id, signedBy(site, gate, 'wang', { reason: '同意' }));
  await saveEnded(client, 'program-restart', handle, 'restarted');
} finally {
  await estate.stop();
}
