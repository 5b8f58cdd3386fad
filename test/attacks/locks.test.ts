/**
 * Attack: locks (issue 7, attack 5). With the Temporal port and the payload key, someone (1) sends
 * `release` — the signal, and the release update with a token of their own — to the lock a channel
 * recovery holds, then starts a second recovery of that channel; and (2) pre-starts a lock under a
 * runbook's lock id, as a `resourceLock` on the runbooks queue and as a workflow of their own,
 * so that the runbook would always fail. Neither works: the lock stays with its holder until the
 * holder releases it with its token, the second recovery is refused, each refusal is logged; a
 * pre-started lock is terminated with an audit record and a log line, and the runbook takes the lock.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Client,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { decide, historyLength, quietHistoryLength, signedBy, waitForGate } from '../support/approvals.ts';
import { testDataConverter } from '../support/codec.ts';
import type { TestEstate } from '../support/estate.ts';
import { loggedEstate, type LoggedWorkers } from '../support/logged-workers.ts';
import { captureSdkLog, loggedLine } from '../support/sdk-log.ts';
import { auditPayloads } from '../support/worker-lane.ts';

const sdkLines = captureSdkLog();
let estate: TestEstate;
let workers: LoggedWorkers;
let stop: (() => Promise<void>) | undefined;

before(async () => {
  ({ estate, workers, stop } = await loggedEstate({ banks: ['ICBC', 'ABC'], programs: false }));
});
after(() => stop?.());

const runbooks = () => estate.site.temporal.taskQueues.runbooks;

function recovery(bank: string, id: string, more: Record<string, unknown> = {}) {
  return estate.client.workflow.start('channelRecovery', {
    taskQueue: runbooks(),
    workflowId: id,
    args: [{ bank, requestedBy: 'eng', verifySeconds: 20, ...more }],
  });
}

const status = (d: WorkflowExecutionDescription) => d.status.name;

test('release from outside does not release a lock; its holder does, with its token', async () => {
  await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
  const id = `channel-recovery/CZ.TO.ABC/locked-${Date.now()}`;
  const holder = await recovery('ABC', id);
  const gate = await waitForGate(estate.client, id);
  const lock = estate.client.workflow.getHandle('lock/channel/CZ.TO.ABC');
  const held = await lock.describe();
  assert.equal(held.parentExecution?.workflowId, id, 'the recovery holds its channel’s lock');

  // The signal anyone may send is logged and ignored.
  await lock.signal('release');
  const ignored = await loggedLine(
    sdkLines,
    (l) => l.message.startsWith('lock release refused') && l.meta.refused === 'release',
  );
  assert.equal(ignored.meta.workflowId, 'lock/channel/CZ.TO.ABC');
  assert.equal(status(await lock.describe()), 'RUNNING');

  // The release update with a token of one's own is refused by its validator, without a trace.
  const before = await quietHistoryLength(estate.client, lock.workflowId);
  await assert.rejects(lock.executeUpdate('releaseLock', { args: [{ token: 'f'.repeat(64) }] }), (err) => {
    assert.ok(err instanceof WorkflowUpdateFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'ResourceLocked');
    return true;
  });
  assert.equal(await historyLength(estate.client, lock.workflowId), before, 'the refusal left no event');
  assert.ok(sdkLines.some((l) => l.message === 'update refused' && l.meta.refused === 'releaseLock'));
  assert.equal(status(await lock.describe()), 'RUNNING');

  // So a second recovery of the channel is refused before it has changed anything.
  const second = await recovery('ABC', `${id}-second`, { dryRun: true });
  await assert.rejects(second.result(), (err) => {
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'ResourceLocked');
    assert.ok(err.cause.message.includes(`locked by ${id}`), err.cause.message);
    return true;
  });

  // The holder, approved, recovers the channel and releases its lock with its token.
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  const done: ChannelRecoveryResult = await holder.result();
  assert.equal(done.outcome, 'recovered');
  const released = await estate.client.workflow.getHandle(lock.workflowId, held.runId).describe();
  assert.equal(status(released), 'COMPLETED', 'released by its holder, not ended with it');
});

test('a lock pre-started under a runbook’s lock id is recorded, terminated, and taken', async () => {
  const lockId = 'lock/channel/CZ.TO.ICBC';
  const { connection } = estate.client;
  const namespace = estate.site.temporal.namespace;
  const squatters = [
    {
      how: 'a resourceLock on the runbooks queue, with the payload key',
      start: () =>
        new Client({ connection, namespace, dataConverter: testDataConverter() }).workflow.start(
          'resourceLock',
          {
            taskQueue: runbooks(),
            workflowId: lockId,
            args: [{ resource: 'channel/CZ.TO.ICBC', holder: 'mallory' }],
          },
        ),
    },
    {
      how: 'a workflow of its own, in plaintext, on a queue nobody polls',
      start: () =>
        new Client({ connection, namespace }).workflow.start('squat', {
          taskQueue: 'nobody-polls',
          workflowId: lockId,
          args: [],
        }),
    },
  ];
  for (const [i, squatter] of squatters.entries()) {
    const foreign = await squatter.start();
    const id = `channel-recovery/CZ.TO.ICBC/squatted-${i}-${Date.now()}`;
    const run = await recovery('ICBC', id, { dryRun: true });
    const result: ChannelRecoveryResult = await run.result();
    assert.ok(['planned', 'already-running'].includes(result.outcome), `${squatter.how}: ${result.outcome}`);

    const ended = await estate.client.workflow.getHandle(lockId, foreign.firstExecutionRunId).describe();
    assert.equal(status(ended), 'TERMINATED', squatter.how);
    const [refused, ...more] = await auditPayloads<{ lockId: string; runId: string }>(
      estate.site,
      id,
      'lock-refused',
    );
    assert.deepEqual(more, []);
    assert.equal(refused?.lockId, lockId);
    assert.equal(refused.runId, foreign.firstExecutionRunId);
    assert.ok(
      workers.lines.some(
        (l) => l.msg === 'foreign lock refused: terminated' && l.runId === foreign.firstExecutionRunId,
      ),
      `${squatter.how}: the refusal is logged`,
    );
    const taken = await estate.client.workflow.getHandle(lockId).describe();
    assert.equal(taken.parentExecution?.workflowId, id, `${squatter.how}: the runbook took the lock`);
  }
});
