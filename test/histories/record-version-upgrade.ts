/**
 * Records, for test/histories/replay.test.ts, the version upgrade as today's code runs it on the
 * sandbox: waiting at its approval gate (a deployment mid-run), the province's 3.5.0 installed to
 * its end, and a package whose migration fails half-way rolled back to its end. Run it by hand when
 * the upgrade changes on purpose (see record.ts):
 *   node --import tsx test/histories/record-version-upgrade.ts
 */
import { decide, signedBy } from '../support/approvals.ts';
import { startUpgradeEstate } from '../support/upgrade.ts';
import { saveAtGate, saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const estate = await startUpgradeEstate();
try {
  await estate.startWorker();
  const { client, site } = estate;
  const run = async (pkg: string, name: string, outcome: string) => {
    const id = `version-upgrade/${pkg}/recorded`;
    const handle = await client.workflow.start('versionUpgrade', {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [{ package: pkg, requestedBy: 'eng', smokeWaitSeconds: 20 }],
    });
    const gate = await saveAtGate(client, `${name}-awaiting-approval`, id);
    await decide(client, id, signedBy(site, gate, 'wang', { reason: '同意' }));
    await saveEnded(client, name, handle, outcome);
  };
  const failing = await estate.sandbox.subsystems.faults.inject({ fault: 'release-migration-fails', subsystem: 'payment' });
  await run(failing.details.package as string, 'version-upgrade-rolled-back', 'rolled-back');
  await estate.sandbox.subsystems.faults.clear({});
  await run('payment-3.5.0', 'version-upgrade', 'upgraded');
} finally {
  await estate.stop();
}
