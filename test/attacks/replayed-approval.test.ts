/**
 * Attack: one approval used twice (issue 7, attack 3). An approved channel recovery has started
 * its channel; the channel goes down again. Then (1) `temporal workflow reset` of that run to just
 * before its START CHANNEL, and (2) a second run under the same workflow id, fed the first run's
 * signed decision. Neither acts on the old approval: the reset run's START is refused where it
 * would happen (the decisions name the first run) and the run plans and asks again — and, approved
 * anew, is refused again where the change would happen, because the lock it took before the reset
 * point ended with the first run (Temporal shows the reset run holding no lock); the second run's
 * validator refuses the decision with no event in its history. The channel was started exactly once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { openAuditDb } from '../../connectors/audit/database.ts';
import type { SignedDecision } from '../../domain/approvals/decision.ts';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import { decide, refusedWithoutTrace, signedBy, waitForGate } from '../support/approvals.ts';
import type { TestEstate } from '../support/estate.ts';
import { loggedEstate, type LoggedWorkers } from '../support/logged-workers.ts';

let estate: TestEstate;
let workers: LoggedWorkers;
let stop: (() => Promise<void>) | undefined;

before(async () => {
  ({ estate, workers, stop } = await loggedEstate({ banks: ['ICBC', 'ABC'], programs: false }));
});
after(() => stop?.());

const starts = () =>
  estate.sandbox.estate.mqscLog('QM.CZ').filter((e) => e.command.startsWith('START CHANNEL(CZ.TO.ABC)'))
    .length;

async function auditKinds(workflowId: string, runId: string): Promise<string[]> {
  const db = await openAuditDb(estate.site.audit);
  try {
    const rows = await db
      .selectFrom('audit_records')
      .select('kind')
      .where('workflow_id', '=', workflowId)
      .where('run_id', '=', runId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => r.kind);
  } finally {
    await db.destroy();
  }
}

test('a reset run and a second run under the same id cannot use the first run’s approval', async () => {
  const { faults } = estate.sandbox;
  await faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
  const id = `channel-recovery/CZ.TO.ABC/replayed-${Date.now()}`;
  const start = () =>
    estate.client.workflow.start('channelRecovery', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [{ bank: 'ABC', requestedBy: 'eng', verifySeconds: 20 }],
    });
  const first = await start();
  const gate = await waitForGate(estate.client, id);
  const approval: SignedDecision = signedBy(estate.site, gate, 'wang');
  await decide(estate.client, id, approval);
  const done: ChannelRecoveryResult = await first.result();
  assert.equal(done.outcome, 'recovered');
  assert.equal(starts(), 1);

  // (1) The channel is down again; the approved run is reset to just before its START CHANNEL.
  await faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
  const events = (await first.fetchHistory()).events ?? [];
  const startAt = events.findIndex(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'startSenderChannel',
  );
  const finish = events
    .slice(0, startAt)
    .filter((e) => e.workflowTaskCompletedEventAttributes)
    .at(-1);
  const reset = await estate.client.workflowService.resetWorkflowExecution({
    namespace: estate.site.temporal.namespace,
    workflowExecution: { workflowId: id, runId: first.firstExecutionRunId },
    workflowTaskFinishEventId: finish?.eventId,
    reason: 'attack: act again on the old approval',
    requestId: randomUUID(),
  });
  const resetRunId = reset.runId ?? '';
  // It looks again, finds the channel stopped, and asks for a new approval instead of acting.
  const again = await waitForGate(estate.client, id);
  assert.equal(again.runId, resetRunId);
  assert.equal(again.gateId, 'execute-2');
  assert.equal(starts(), 1, 'the reset run did not start the channel on the old approval');
  assert.ok(
    workers.lines.some(
      (l) => l.msg === 'activity refused' && l.refused === 'startSenderChannel' && l.runId === resetRunId,
    ),
    'the refusal is logged',
  );
  assert.deepEqual(
    (await auditKinds(id, resetRunId)).filter((k) => k === 'mutation' || k === 'proof-used'),
    [],
    'no change recorded for the reset run',
  );
  const state = await estate.client.workflow.getHandle(id).query(approvalStateQuery);
  assert.equal(state.runId, resetRunId);
  // Approved anew, it still does not act: its lock ended with the first run (a reset run holds none).
  await decide(estate.client, id, signedBy(estate.site, again, 'wang'));
  await assert.rejects(estate.client.workflow.getHandle(id, resetRunId).result(), (err) => {
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ActivityFailure);
    const refusal = err.cause.cause;
    assert.ok(refusal instanceof ApplicationFailure);
    assert.equal(refusal.type, 'ResourceLocked');
    assert.ok(refusal.message.includes('holds no resource lock'), refusal.message);
    return true;
  });
  assert.ok(
    workers.lines.some(
      (l) => l.refused === 'startSenderChannel' && l.runId === resetRunId && l.reason === 'lock-not-held',
    ),
    'the refusal for the lock is logged',
  );
  assert.equal(starts(), 1, 'the reset run did not start the channel without the lock');
  assert.deepEqual(
    (await auditKinds(id, resetRunId)).filter((k) => k === 'mutation' || k === 'proof-used'),
    [],
    'still no change recorded for the reset run',
  );

  // (2) A second run under the same workflow id, fed the first run's decision.
  const second = await start();
  const secondGate = await waitForGate(estate.client, id);
  assert.equal(secondGate.runId, second.firstExecutionRunId);
  assert.equal(secondGate.gateId, gate.gateId, 'the same gate id as the first run’s');
  await refusedWithoutTrace(estate.client, id, approval, 'wrong-run');
  assert.equal(starts(), 1, 'the channel was started exactly once');
  await second.terminate('test over');
});
