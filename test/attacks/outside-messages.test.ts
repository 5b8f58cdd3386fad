/**
 * Attack: runs killed from outside, refusals unseen (issue 7, attack 8). With the Temporal port and
 * the payload key, someone sends a channel recovery waiting at its gate 28 signals of 1.9 MB
 * (together past the 50 MB at which the server terminates a run), a signal of a name the run does
 * not take, a forged decision and an oversized update. The server refuses each large signal at its
 * blob limit (the sender is told why; nothing reaches the history), the run still waits at its
 * gate, and the worker logs the stray signal and every refused update with what was refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { deploymentBlobLimits } from '../../scripts/lib/dev-server.ts';
import { maxUpdateChars } from '../../workflows/interceptors.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import {
  historyLength,
  quietHistoryLength,
  refusedWithoutTrace,
  signedBy,
  waitForGate,
} from '../support/approvals.ts';
import type { TestEstate } from '../support/estate.ts';
import { loggedEstate } from '../support/logged-workers.ts';
import { captureSdkLog, loggedLine } from '../support/sdk-log.ts';

const sdkLines = captureSdkLog();
let estate: TestEstate;
let stop: (() => Promise<void>) | undefined;

before(async () => {
  ({ estate, stop } = await loggedEstate({ banks: ['ICBC', 'ABC'], programs: false }));
});
after(() => stop?.());

test('large signals are refused at the server, stray messages and refused updates are logged', async () => {
  assert.ok(deploymentBlobLimits()['limit.blobSize.error']! < 1.9e6, 'the blob limit is below 1.9 MB');
  await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
  const id = `channel-recovery/CZ.TO.ABC/outside-${Date.now()}`;
  const run = await estate.client.workflow.start('channelRecovery', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank: 'ABC', requestedBy: 'eng', verifySeconds: 20 }],
  });
  const gate = await waitForGate(estate.client, id);
  const quiet = await quietHistoryLength(estate.client, id);

  // 28 signals of 1.9 MB: each refused by the server, the sender told why.
  const big = 'x'.repeat(1_900_000);
  for (let i = 0; i < 28; i++)
    await assert.rejects(run.signal('stuff', big), (err: Error) => {
      assert.match(`${err.message}: ${(err.cause as Error | undefined)?.message}`, /size exceeds limit/i);
      return true;
    });
  assert.equal(await historyLength(estate.client, id), quiet, 'nothing of them reached the history');
  assert.equal((await run.describe()).status.name, 'RUNNING');

  // A signal the run does not take: recorded by the server, logged and dropped by the worker.
  await run.signal('execute', { vouchers: 'all' });
  await loggedLine(sdkLines, (l) => l.message.startsWith('signal ignored') && l.meta.refused === 'execute');

  // A forged decision and an oversized update: refused without a trace, each logged.
  const forged = { ...signedBy(estate.site, gate, 'wang'), signature: 'ab'.repeat(64) };
  await refusedWithoutTrace(estate.client, id, forged, 'bad-signature');
  await loggedLine(
    sdkLines,
    (l) => l.message === 'update refused' && l.meta.refused === 'decide' && l.meta.workflowId === id,
  );
  const before = await quietHistoryLength(estate.client, id);
  await assert.rejects(
    run.executeUpdate('claimRun', { args: [{ claims: 'c'.repeat(maxUpdateChars) }] }),
    (err) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.match(err.cause?.message ?? '', /more than 16384/);
      return true;
    },
  );
  assert.equal(await historyLength(estate.client, id), before, 'the oversized update left no event');
  await loggedLine(
    sdkLines,
    (l) => l.message === 'update refused' && l.meta.refused === 'claimRun' && l.meta.workflowId === id,
  );

  // The run still waits at its gate, no vote taken.
  const state = await run.query(approvalStateQuery);
  assert.equal(state.pending?.gateId, gate.gateId);
  assert.deepEqual(state.pending?.votes, []);
  await run.terminate('test over');
});
