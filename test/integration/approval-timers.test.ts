import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

// Short real durations on the dev server: a reminder every 2 s, the deputies at 5 s, expiry at 9 s.
let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC'],
    programs: false,
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'channel-recovery': {
          roles: ['comm-approver'],
          quorum: 1,
          deputyRoles: ['finance-director'],
          remindAfter: '2s',
          escalateAfter: '5s',
          expireAfter: '9s',
        },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

function startRecovery(bank: string, id: string) {
  return estate.client.workflow.start('channelRecovery', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank, requestedBy: 'eng', verifySeconds: 30 }],
  });
}

describe('approval deadlines', () => {
  it('reminds, escalates to the deputy role, then expires — in that order, changing nothing', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ICBC' });
    const id = `channel-recovery/CZ.TO.ICBC/timers-${Date.now()}`;
    const handle = await startRecovery('ICBC', id);
    const result: ChannelRecoveryResult = await handle.result();
    assert.equal(result.outcome, 'expired');
    assert.equal(result.approval?.reminded, true);
    assert.equal(result.approval?.escalated, true);
    assert.deepEqual(result.actions, []);

    const notices = (await readNotificationRecords((estate.site.notify.targets[0] as { path: string }).path))
      .filter((n) => n.workflowId === id)
      .map((n) => n.kind);
    assert.deepEqual(notices, [
      'approval-requested',
      'approval-reminder',
      'approval-reminder',
      'approval-escalated',
      'approval-expired',
    ]);
    const described = await handle.describe();
    assert.equal(described.searchAttributes.PendingApproval?.[0], false);
    assert.equal(described.searchAttributes.Outcome?.[0], 'expired');
  });

  it('after the escalation the deputy may approve, and the runbook goes on', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
    const id = `channel-recovery/CZ.TO.ABC/timers-${Date.now()}`;
    const handle = await startRecovery('ABC', id);
    const gate = await waitForGate(estate.client, id);
    // Before the escalation the deputy has no say.
    await assert.rejects(
      decide(estate.client, id, signedBy(estate.site, gate, 'zhao')),
      (err: Error) => (err.cause as ApplicationFailure).details?.[0] === 'wrong-role',
    );
    let escalated = gate;
    for (let i = 0; i < 100 && !escalated.escalated; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const state = await handle.query(approvalStateQuery);
      escalated = state.pending ? { ...state.pending, runId: state.runId } : escalated;
    }
    assert.equal(escalated.escalated, true);
    assert.deepEqual(escalated.roles, ['comm-approver', 'finance-director']);
    const described = await handle.describe();
    assert.deepEqual(described.searchAttributes.ApprovalRoles, ['comm-approver', 'finance-director']);

    const receipt = await decide(estate.client, id, signedBy(estate.site, escalated, 'zhao'));
    assert.equal(receipt.gate, 'approved');
    const result: ChannelRecoveryResult = await handle.result();
    assert.equal(result.outcome, 'recovered');
    assert.equal(result.approval?.escalated, true);
  });
});
