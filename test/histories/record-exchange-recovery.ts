/**
 * Records, for test/histories/replay.test.ts, exchange recovery as today's code runs it on the
 * sandbox: the exchange client hung, the recovery waiting at its approval gate (a deployment
 * mid-run), then approved — the client stopped and started, watched moving — to its end. Run it by
 * hand when the runbook changes on purpose (see record.ts):
 *   node --import tsx test/histories/record-exchange-recovery.ts
 */
import { addTestUsers, decide, signedBy } from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';
import { saveAtGate, saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const estate = await startTestEstate({
  banks: ['ICBC'],
  programs: false,
  edit: (raw) => {
    (raw.approvals as Record<string, unknown>).runbooks = { 'exchange-recovery': { roles: ['comm-approver'] } };
  },
});
try {
  await addTestUsers(estate.site);
  await estate.sandbox.subsystems.exchange?.runner.start();
  await estate.startWorker();
  const { client, site } = estate;
  await estate.sandbox.subsystems.faults.inject({ fault: 'exchange-client-hung' });
  const id = 'exchange-recovery/budget-exchange/recorded';
  const handle = await client.workflow.start('exchangeRecovery', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ requestedBy: 'eng', drainSeconds: 60 }],
  });
  const gate = await saveAtGate(client, 'exchange-recovery-awaiting-approval', id);
  await decide(client, id, signedBy(site, gate, 'wang', { reason: '同意' }));
  await saveEnded(client, 'exchange-recovery', handle, 'recovered');
} finally {
  await estate.stop();
}
