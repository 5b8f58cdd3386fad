import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import {
  addTestUsers,
  claim,
  claimedBy,
  decide,
  signedBy,
  waitForClaimWait,
  waitForGate,
} from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC'],
    programs: false,
    edit: (raw) => {
      raw.inspection = { followUp: { 'channel-recovery': 'start' } };
      (raw.approvals as Record<string, unknown>).runbooks = {
        'channel-recovery': { roles: ['comm-approver'], quorum: 1 },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const inspect = async (suffix: string): Promise<DailyInspectionResult> =>
  (
    await estate.client.workflow.start('dailyInspection', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `daily-inspection/follow-up-${suffix}-${Date.now()}`,
      args: [{ skip: ['traffic'] }],
    })
  ).result();

test('by policy the inspection starts channel recovery, which waits to be claimed, then for approval; a second inspection finds it running', async () => {
  await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ICBC' });
  const first = await inspect('first');
  assert.equal(first.followUps.length, 1);
  const [followUp] = first.followUps;
  assert.equal(followUp!.status, 'started');
  assert.match(followUp!.workflowId, /^channel-recovery\/CZ\.TO\.ICBC\/\d{4}-\d{2}-\d{2}$/);

  // Started by the inspection, not by a person: the run asks to be claimed before its approval.
  const waiting = await waitForClaimWait(estate.client, followUp!.workflowId);
  assert.deepEqual(waiting.requester, { user: 'daily-inspection', verified: false, via: 'unverified' });
  assert.equal(waiting.pending, null);
  await claim(
    estate.client,
    followUp!.workflowId,
    claimedBy(estate.site, { workflowId: followUp!.workflowId, runId: waiting.runId }, 'eng'),
  );
  const gate = await waitForGate(estate.client, followUp!.workflowId);
  assert.equal(gate.requestedBy, 'eng');
  const second = await inspect('second');
  assert.deepEqual(
    second.followUps.map((f) => [f.workflowId, f.status]),
    [[followUp!.workflowId, 'already-running']],
  );

  await decide(estate.client, followUp!.workflowId, signedBy(estate.site, gate, 'wang'));
  const recovered = await estate.client.workflow.getHandle(followUp!.workflowId).result();
  assert.equal((recovered as { outcome: string }).outcome, 'recovered');
});
