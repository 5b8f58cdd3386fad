/**
 * Records the histories that test/histories/replay.test.ts replays on every change, so a run that
 * is half-way through survives a deployment of new workflow code. Run it by hand when a runbook
 * changes on purpose (and then use `patched()` for runs already in flight):
 *   node --import tsx test/histories/record.ts
 * Payloads are encrypted with the fixed, test-only key in ./payload-key.txt. A history does not carry
 * its workflow id: each one's is in ./workflow-ids.json, for replay. record-sequence-resync.ts and
 * record-bank-checks.ts record the others.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';

const here = new URL('.', import.meta.url);
process.env.JINCAI_PAYLOAD_KEYS = readFileSync(new URL('payload-key.txt', here), 'utf8').trim();

const estate = await startTestEstate({
  banks: ['ICBC', 'ABC'],
  programs: false,
  edit: (raw) => {
    (raw.approvals as Record<string, unknown>).runbooks = {
      'channel-recovery': { roles: ['comm-approver'], quorum: 1 },
    };
  },
});
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const save = async (name: string, workflowId: string) => {
    const history = await estate.client.workflow.getHandle(workflowId).fetchHistory();
    // Binary protobuf: exactly what the server returned, decoded by replay.test.ts.
    writeFileSync(new URL(`${name}.history.bin`, here), proto.temporal.api.history.v1.History.encode(history).finish());
    console.log(`recorded ${name}.history.bin (${history.events?.length} events)`);
  };

  const inspection = await estate.client.workflow.start('dailyInspection', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: 'daily-inspection/recorded',
    args: [{}],
  });
  await inspection.result();
  await save('daily-inspection', inspection.workflowId);

  await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ICBC' });
  const recovery = await estate.client.workflow.start('channelRecovery', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: 'channel-recovery/CZ.TO.ICBC/recorded',
    args: [{ bank: 'ICBC', requestedBy: 'eng', verifySeconds: 30 }],
  });
  const gate = await waitForGate(estate.client, recovery.workflowId);
  await decide(estate.client, recovery.workflowId, signedBy(estate.site, gate, 'wang', { reason: '同意' }));
  await recovery.result();
  await save('channel-recovery', recovery.workflowId);
} finally {
  await estate.stop();
}
