/**
 * Records, for test/histories/replay.test.ts, the system migration as today's code runs it on the
 * sandbox: waiting at its approval gate, a copy the target corrupts rolled back to its end, and a
 * migration waiting for its decommission (the old side kept: a deployment mid-wait, days long at a
 * site) and then decommissioned to its end. Run it by hand when the migration changes on purpose
 * (see record.ts):
 *   node --import tsx test/histories/record-system-migration.ts
 */
import { decommissionGate, startMigrationEstate } from '../support/migration.ts';
import { saveAtGate, saveEnded, saveHistory, useRecordingKey } from './recording.ts';
import { decide, quietHistoryLength, signedBy, waitForGate } from '../support/approvals.ts';

useRecordingKey();
const estate = await startMigrationEstate();
try {
  await estate.startWorker();
  const { client, site } = estate;
  const start = (id: string) =>
    client.workflow.start('systemMigration', {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [{ subsystem: 'accounting', target: 'acct-app-02', requestedBy: 'eng', trafficWaitSeconds: 30 }],
    });

  await estate.sandbox.subsystems.faults.inject({ fault: 'migration-copy-corrupt', subsystem: 'accounting' });
  const failing = await start('system-migration/accounting/acct-app-02/recorded-rollback');
  const gate = await saveAtGate(client, 'system-migration-awaiting-approval', failing.workflowId);
  await decide(client, failing.workflowId, signedBy(site, gate, 'wang', { reason: '同意' }));
  await saveEnded(client, 'system-migration-rolled-back', failing, 'rolled-back');
  await estate.sandbox.subsystems.faults.clear({});

  const id = 'system-migration/accounting/acct-app-02/recorded';
  const handle = await start(id);
  const first = await waitForGate(client, id);
  await decide(client, id, signedBy(site, first, 'wang', { reason: '同意' }));
  const kept = await decommissionGate(estate, id);
  await quietHistoryLength(client, id);
  await saveHistory(client, 'system-migration-awaiting-decommission', id);
  await decide(client, id, signedBy(site, kept, 'wang', { reason: '新环境运行正常，同意下线' }));
  await saveEnded(client, 'system-migration', handle, 'decommissioned');
} finally {
  await estate.stop();
}
