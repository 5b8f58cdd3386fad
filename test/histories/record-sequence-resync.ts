/**
 * Records sequence-resync.history.bin for test/histories/replay.test.ts: the longest path of the
 * runbook — an in-doubt batch backed out under its own approval, then the channel started under a
 * second one. Run it by hand when the runbook changes on purpose (see record.ts):
 *   node --import tsx test/histories/record-sequence-resync.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import proto from '@temporalio/proto';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';

const here = new URL('.', import.meta.url);
process.env.JINCAI_PAYLOAD_KEYS = readFileSync(new URL('payload-key.txt', here), 'utf8').trim();

const estate = await startTestEstate({ banks: ['CCB'], programs: false });
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  estate.sandbox.estate.stopChannel('QM.CZ', 'CZ.TO.CCB');
  for (let i = 0; i < 3; i++) estate.sandbox.estate.put('QM.CZ', 'PAY.TO.CCB', `recorded ${i}`);
  await estate.sandbox.faults.inject({ fault: 'channel-in-doubt', bank: 'CCB' });

  const run = await estate.client.workflow.start('sequenceResync', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: 'sequence-resync/CZ.TO.CCB/recorded',
    args: [{ bank: 'CCB', requestedBy: 'eng', verifySeconds: 30 }],
  });
  const backout = await waitForGate(estate.client, run.workflowId);
  await decide(estate.client, run.workflowId, signedBy(estate.site, backout, 'wang', { reason: '同意回退' }));
  let start = await waitForGate(estate.client, run.workflowId);
  while (start.gateId === backout.gateId) {
    await new Promise((r) => setTimeout(r, 200));
    start = await waitForGate(estate.client, run.workflowId);
  }
  await decide(estate.client, run.workflowId, signedBy(estate.site, start, 'wang', { reason: '同意启动' }));
  const result = (await run.result()) as { outcome: string };
  if (result.outcome !== 'resynced') throw new Error(`unexpected outcome ${result.outcome}`);
  const history = await run.fetchHistory();
  writeFileSync(
    new URL('sequence-resync.history.bin', here),
    proto.temporal.api.history.v1.History.encode(history).finish(),
  );
  console.log(`recorded sequence-resync.history.bin (${history.events?.length} events)`);
} finally {
  await estate.stop();
}
