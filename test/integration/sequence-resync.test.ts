import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import type { SequenceResyncResult } from '../../domain/runbooks/sequence-resync.types.ts';
import { startChannel } from '../../sandbox/mq/channel-commands.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { auditKinds as auditKindsOf } from '../support/worker-lane.ts';

let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({
    banks: ['CCB', 'ABC', 'BOC'],
    programs: false,
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'sequence-resync': {
          roles: ['comm-approver'],
          steps: { 'resolve-in-doubt': { roles: ['comm-approver'], quorum: 2 } },
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

const mq = () => estate.sandbox.estate;
const end = (qmgr: string, bank: string) => mq().channels.findEnd(qmgr, `CZ.TO.${bank}`)!.end.rt;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startResync(bank: string, id: string, input: Record<string, unknown> = {}) {
  return estate.client.workflow.start('sequenceResync', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank, requestedBy: 'eng', verifySeconds: 30, ...input }],
  });
}

/** The MQSC a queue manager received since `mark`, split into what changes things and what only looks. */
function mqscSince(qmgr: string, mark: number) {
  const all = mq()
    .mqscLog(qmgr)
    .slice(mark)
    .map((e) => e.command);
  return { changes: all.filter((c) => !/^DISPLAY /.test(c)), all };
}

const auditKinds = (workflowId: string) => auditKindsOf(estate.site, workflowId);

function putMessages(bank: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => mq().put('QM.CZ', `PAY.TO.${bank}`, `resync test ${i}`).msgId);
}

describe('sequence resync, channel scope', () => {
  it('AMQ9526 with messages waiting: STOP, RESET to the receiver + 1, START — exactly that MQSC, then each message arrives once', async () => {
    // The ends disagree; the line drops and the sender spends its short retries; the line comes
    // back and the sender sits in its long retry — RETRYING with AMQ9526 waiting at its next try.
    await estate.sandbox.faults.inject({ fault: 'sequence-mismatch', bank: 'CCB', delta: 5 });
    await estate.sandbox.faults.inject({ fault: 'channel-network-down', bank: 'CCB' });
    startChannel(mq().channels, 'QM.CZ', 'CZ.TO.CCB');
    const sender = () => end('QM.CZ', 'CCB');
    const longRetrying = () => sender().shortRts === 0 && sender().longRts < 999_999_999;
    for (let i = 0; i < 300 && !longRetrying(); i++) await pause(50);
    assert.ok(longRetrying(), 'the sender should have spent its short retries');
    await estate.sandbox.faults.clear({ fault: 'channel-network-down', bank: 'CCB', lift: true });
    assert.equal(sender().status, 'RETRYING');
    const ids = putMessages('CCB', 4);
    const receiverLast = end('QM.CCB', 'CCB').lastSeq;
    assert.equal(receiverLast, sender().lastSeq + 5);
    const expected = [
      'STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)',
      `RESET CHANNEL(CZ.TO.CCB) SEQNUM(${receiverLast + 1})`,
      'START CHANNEL(CZ.TO.CCB)',
    ];

    // A dry run shows the same plan and sends nothing that changes anything.
    let mark = mq().mqscLog('QM.CZ').length;
    const planned: SequenceResyncResult = await (
      await startResync('CCB', `sequence-resync/CZ.TO.CCB/dry-${Date.now()}`, { dryRun: true })
    ).result();
    assert.equal(planned.outcome, 'planned');
    assert.deepEqual(
      planned.plans.map((p) => p.plan.actions.map((a) => a.command)),
      [expected],
    );
    assert.deepEqual(mqscSince('QM.CZ', mark).changes, []);

    mark = mq().mqscLog('QM.CZ').length;
    const bankMark = mq().mqscLog('QM.CCB').length;
    const id = `sequence-resync/CZ.TO.CCB/test-${Date.now()}`;
    const handle = await startResync('CCB', id, { reason: '日常巡检：SEQUENCE_MISMATCH' });
    const gate = await waitForGate(estate.client, id);
    assert.equal(gate.step, 'execute');
    assert.deepEqual(
      gate.plan.actions.map((a) => `${a.target} ${a.command}`),
      expected.map((c) => `QM.CZ ${c}`),
    );
    assert.match(gate.plan.findings.map((f) => f.zh).join('\n'), /接收端 LSTSEQNO \+ 1/);

    // The same lock as channel recovery: no recovery of CZ.TO.CCB while the resync runs.
    const recovery = await estate.client.workflow.start('channelRecovery', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `channel-recovery/CZ.TO.CCB/test-${Date.now()}`,
      args: [{ bank: 'CCB', requestedBy: 'ops', dryRun: true }],
    });
    await assert.rejects(recovery.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'ResourceLocked');
      return true;
    });
    assert.equal(sender().status, 'RETRYING', 'nothing changes before the approval');

    await decide(estate.client, id, signedBy(estate.site, gate, 'wang', { reason: '已与建行核对序列号' }));
    const result: SequenceResyncResult = await handle.result();
    assert.equal(result.outcome, 'resynced', result.why);
    assert.deepEqual(
      result.actions.map((a) => a.command),
      expected,
    );

    const sent = mqscSince('QM.CZ', mark);
    assert.deepEqual(
      sent.changes,
      expected,
      'the MQSC sent is exactly what an operator would type, in order',
    );
    assert.ok(sent.all.length > sent.changes.length, 'and the rest only looked (DISPLAY)');
    assert.deepEqual(
      mqscSince('QM.CCB', bankMark).changes,
      [],
      "nothing was changed on the bank's queue manager",
    );

    assert.equal(sender().status, 'RUNNING');
    assert.equal(mq().depth('QM.CZ', 'QM.CCB'), 0);
    assert.equal(end('QM.CCB', 'CCB').lastSeq, sender().lastSeq);
    assert.equal(sender().lastSeq, receiverLast + 1 + ids.length);
    const delivered = mq().deliveries('QM.CCB');
    assert.deepEqual(
      ids.map((m) => delivered.get(m)),
      [1, 1, 1, 1],
      'each queued message arrives once',
    );
    assert.equal(result.verification?.ok, true);
    assert.deepEqual(await auditKinds(id), [
      'run-started',
      'plan',
      'decision',
      'proof-used',
      'mutation',
      'mutation',
      'mutation',
      'outcome',
    ]);
  });

  it('an in-doubt batch: the BACKOUT is its own gate, first; refusing it changes nothing; approving both delivers the batch once', async () => {
    mq().stopChannel('QM.CZ', 'CZ.TO.ABC');
    const ids = putMessages('ABC', 3);
    await estate.sandbox.faults.inject({ fault: 'channel-in-doubt', bank: 'ABC' });
    const sender = () => end('QM.CZ', 'ABC');
    assert.equal(sender().indoubt, true);
    const backout = ['RESOLVE CHANNEL(CZ.TO.ABC) ACTION(BACKOUT)'];

    // Refused: nothing changes.
    let mark = mq().mqscLog('QM.CZ').length;
    const refusedId = `sequence-resync/CZ.TO.ABC/refused-${Date.now()}`;
    const refused = await startResync('ABC', refusedId);
    const first = await waitForGate(estate.client, refusedId);
    assert.equal(first.step, 'resolve-in-doubt');
    assert.equal(first.quorum, 2, "the site's policy for the backout step");
    assert.deepEqual(
      first.plan.actions.map((a) => a.command),
      backout,
    );
    await decide(
      estate.client,
      refusedId,
      signedBy(estate.site, first, 'li', { verdict: 'reject', reason: '须先与农行确认该批次' }),
    );
    const rejected: SequenceResyncResult = await refused.result();
    assert.equal(rejected.outcome, 'rejected');
    assert.deepEqual(rejected.actions, []);
    assert.deepEqual(mqscSince('QM.CZ', mark).changes, []);
    assert.equal(sender().indoubt, true);
    assert.equal(sender().status, 'STOPPED');
    assert.equal(mq().depth('QM.CZ', 'QM.ABC'), 0, 'the batch is still held in doubt');
    assert.deepEqual(await auditKinds(refusedId), ['run-started', 'plan', 'decision', 'outcome']);

    // Approved: BACKOUT (two approvers), then the second gate starts the channel.
    mark = mq().mqscLog('QM.CZ').length;
    const id = `sequence-resync/CZ.TO.ABC/test-${Date.now()}`;
    const handle = await startResync('ABC', id);
    const gate1 = await waitForGate(estate.client, id);
    assert.equal(gate1.step, 'resolve-in-doubt');
    await decide(estate.client, id, signedBy(estate.site, gate1, 'wang'));
    assert.equal(sender().indoubt, true, 'one approval of two changes nothing');
    await decide(estate.client, id, signedBy(estate.site, gate1, 'li'));
    const gate2 = await waitForGate(estate.client, id);
    assert.equal(gate2.step, 'execute');
    assert.notEqual(gate2.gateId, gate1.gateId);
    assert.equal(gate2.quorum, 1);
    assert.deepEqual(
      gate2.plan.actions.map((a) => a.command),
      ['START CHANNEL(CZ.TO.ABC)'],
    );
    assert.equal(sender().indoubt, false);
    assert.equal(mq().depth('QM.CZ', 'QM.ABC'), 3, 'the backed-out batch waits on the transmission queue');
    await decide(estate.client, id, signedBy(estate.site, gate2, 'wang'));
    const result: SequenceResyncResult = await handle.result();
    assert.equal(result.outcome, 'resynced', result.why);
    assert.deepEqual(
      result.approvals.map((a) => a.step),
      ['resolve-in-doubt', 'execute'],
    );
    assert.deepEqual(mqscSince('QM.CZ', mark).changes, [...backout, 'START CHANNEL(CZ.TO.ABC)']);
    assert.equal(sender().status, 'RUNNING');
    assert.deepEqual(
      ids.map((m) => mq().deliveries('QM.ABC').get(m)),
      [1, 1, 1],
    );
    assert.deepEqual(await auditKinds(id), [
      'run-started',
      'plan',
      'decision',
      'decision',
      'proof-used',
      'mutation',
      'plan',
      'decision',
      'proof-used',
      'mutation',
      'outcome',
    ]);
  });

  it('stops with evidence instead of guessing: ends that agree, and a batch the bank already committed', async () => {
    const healthy: SequenceResyncResult = await (
      await startResync('BOC', `sequence-resync/CZ.TO.BOC/ok-${Date.now()}`)
    ).result();
    assert.equal(healthy.outcome, 'nothing-to-do');
    assert.deepEqual(healthy.plans, []);

    mq().stopChannel('QM.CZ', 'CZ.TO.BOC');
    putMessages('BOC', 2);
    await estate.sandbox.faults.inject({ fault: 'channel-in-doubt', bank: 'BOC', received: true });
    const mark = mq().mqscLog('QM.CZ').length;
    const id = `sequence-resync/CZ.TO.BOC/test-${Date.now()}`;
    const result: SequenceResyncResult = await (await startResync('BOC', id)).result();
    assert.equal(result.outcome, 'unexpected-state');
    assert.match(result.why, /回退会使其重复送达/);
    assert.deepEqual(result.plans, []);
    assert.deepEqual(mqscSince('QM.CZ', mark).changes, []);
    assert.equal(end('QM.CZ', 'BOC').indoubt, true);
    assert.deepEqual(await auditKinds(id), ['run-started', 'escalation', 'outcome']);
    const notices = (
      await readNotificationRecords((estate.site.notify.targets[0] as { path: string }).path)
    ).filter((n) => n.workflowId === id);
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['run-escalated'],
    );
    assert.match(notices[0]!.lines.join('\n'), /INDOUBT YES/);
    await estate.sandbox.faults.clear({ fault: 'channel-in-doubt', bank: 'BOC' });
  });

  it('refuses bad input naming the field, before any side effect', async () => {
    for (const [args, field] of [
      [{ bank: 'NOPE', requestedBy: 'eng' }, /input\.bank: unknown bank code "NOPE"/],
      [{ bank: 'CCB', requestedBy: 'eng', scope: 'everything' }, /input\.scope/],
      [{ bank: 'CCB', requestedBy: 'eng', scope: 'serials', bankLastSeq: 7 }, /input\.bankLastSeq/],
    ] as const) {
      const handle = await estate.client.workflow.start('sequenceResync', {
        taskQueue: estate.site.temporal.taskQueues.runbooks,
        workflowId: `sequence-resync/bad-${Date.now()}-${Math.random().toString(36).slice(2)}`,
        args: [args],
      });
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, 'InvalidInput');
        assert.match(err.cause.message, field);
        return true;
      });
      const history = await handle.fetchHistory();
      const activities = (history.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter(Boolean);
      assert.ok(
        activities.every((a) => a === 'describeEstate'),
        activities.join(),
      );
    }
  });
});
