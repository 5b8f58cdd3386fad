import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { signDecision } from '../../connectors/approvals/signing-keys.ts';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { siteVerifyOptions } from '../../connectors/audit/site-audit.ts';
import { verifyAuditTrail } from '../../connectors/audit/verify.ts';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import type { SignedDecision } from '../../domain/approvals/decision.ts';
import type { RefusalReason } from '../../domain/approvals/gate-types.ts';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { addTestUsers, decide, refusedWithoutTrace, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC', 'BOC'],
    programs: false,
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'channel-recovery': { roles: ['comm-approver'], quorum: 2, deputyRoles: ['finance-director'] },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const senderStatus = (bank: string) =>
  estate.sandbox.estate.channels.findEnd('QM.CZ', `CZ.TO.${bank}`)?.end.rt.status;

function startRecovery(bank: string, id: string, input: Record<string, unknown> = {}) {
  return estate.client.workflow.start('channelRecovery', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank, requestedBy: 'eng', verifySeconds: 30, ...input }],
  });
}

const refusedWith = (workflowId: string, decision: SignedDecision, reason: RefusalReason) =>
  refusedWithoutTrace(estate.client, workflowId, decision, reason);

describe('channel recovery through the approval gate', () => {
  it('refuses every bad decision without a trace, then two approvers recover the channel', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ICBC' });
    const id = `channel-recovery/CZ.TO.ICBC/test-${Date.now()}`;
    const handle = await startRecovery('ICBC', id);
    const gate = await waitForGate(estate.client, id);
    assert.deepEqual(
      gate.plan.actions.map((a) => a.command),
      ['START CHANNEL(CZ.TO.ICBC)'],
    );
    assert.deepEqual(gate.roles, ['comm-approver']);
    assert.equal(gate.quorum, 2);
    const site = estate.site;
    const rogue = { keyId: 'test-inbox', privateKey: generateKeyPairSync('ed25519').privateKey };

    await refusedWith(id, signedBy(site, gate, 'eng'), 'self-approval');
    await refusedWith(id, signedBy(site, gate, 'nobody'), 'unknown-user');
    await refusedWith(id, signedBy(site, gate, 'ops'), 'wrong-role');
    await refusedWith(id, signedBy(site, gate, 'zhao'), 'wrong-role');
    await refusedWith(id, signedBy(site, gate, 'wang', { planDigest: 'ab'.repeat(32) }), 'wrong-plan');
    await refusedWith(
      id,
      signedBy(site, gate, 'wang', { issuedAt: new Date(Date.now() - 10 * 60_000).toISOString() }),
      'expired-decision',
    );
    await refusedWith(id, signDecision(signedBy(site, gate, 'wang').claims, rogue), 'bad-signature');
    await refusedWith(id, { ...signedBy(site, gate, 'wang'), keyId: 'unknown' }, 'unknown-key');
    await refusedWith(id, signedBy(site, gate, 'wang', { verdict: 'reject' }), 'reason-required');
    await refusedWith(
      id,
      signedBy(site, gate, 'wang', { workflowId: 'channel-recovery/other' }),
      'wrong-workflow',
    );

    const first = signedBy(site, gate, 'wang', { reason: '同意，已与工行确认' });
    const receipt = await decide(estate.client, id, first);
    assert.deepEqual(receipt, {
      gateId: gate.gateId,
      verdict: 'approve',
      votes: 1,
      quorum: 2,
      gate: 'pending',
    });
    await refusedWith(id, first, 'replayed');
    await refusedWith(id, signedBy(site, gate, 'wang'), 'already-voted');
    assert.equal(senderStatus('ICBC'), 'STOPPED', 'nothing may change before the quorum');

    const second = await decide(estate.client, id, signedBy(site, gate, 'li'));
    assert.equal(second.gate, 'approved');
    const result: ChannelRecoveryResult = await handle.result();
    assert.equal(result.outcome, 'recovered');
    assert.deepEqual(
      result.actions.map((a) => a.command),
      ['START CHANNEL(CZ.TO.ICBC)'],
    );
    assert.deepEqual(
      result.approval?.votes.map((v) => v.user),
      ['wang', 'li'],
    );
    assert.equal(senderStatus('ICBC'), 'RUNNING');
    assert.equal(result.verification?.status, 'RUNNING');

    const db = await openAuditDb(site.audit);
    try {
      const verdict = await verifyAuditTrail(db, await siteVerifyOptions(site));
      assert.equal(verdict.ok, true, JSON.stringify(verdict.problems));
      const kinds = (
        await db
          .selectFrom('audit_records')
          .select('kind')
          .where('workflow_id', '=', id)
          .orderBy('seq')
          .execute()
      ).map((r) => r.kind);
      assert.deepEqual(kinds, [
        'run-started',
        'plan',
        'decision',
        'decision',
        'proof-used',
        'mutation',
        'outcome',
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a second recovery of a channel while one runs; a rejection changes nothing', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
    const id = `channel-recovery/CZ.TO.ABC/test-${Date.now()}`;
    const first = await startRecovery('ABC', id);
    const gate = await waitForGate(estate.client, id);

    const second = await startRecovery('ABC', `${id}-again`, { requestedBy: 'ops' });
    await assert.rejects(second.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'ResourceLocked');
      assert.match(err.cause.message, /lock\/channel\/CZ\.TO\.ABC/);
      return true;
    });
    const failed = (
      await readNotificationRecords((estate.site.notify.targets[0] as { path: string }).path)
    ).filter((n) => n.workflowId === `${id}-again`);
    assert.deepEqual(
      failed.map((n) => n.kind),
      ['run-failed'],
    );
    assert.ok(failed[0]!.link?.endsWith(`/workflows/${encodeURIComponent(`${id}-again`)}`));

    const receipt = await decide(
      estate.client,
      id,
      signedBy(estate.site, gate, 'li', { verdict: 'reject', reason: '银行未确认线路已恢复' }),
    );
    assert.equal(receipt.gate, 'rejected');
    const result: ChannelRecoveryResult = await first.result();
    assert.equal(result.outcome, 'rejected');
    assert.deepEqual(result.actions, []);
    assert.equal(senderStatus('ABC'), 'STOPPED');
    // The lock is gone with the run: a new recovery may start.
    const third = await startRecovery('ABC', `${id}-third`, { dryRun: true });
    const planned: ChannelRecoveryResult = await third.result();
    assert.equal(planned.outcome, 'planned');
  });

  it('escalates with evidence, changing nothing, when the bank cannot be reached', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-network-down', bank: 'BOC' });
    const id = `channel-recovery/CZ.TO.BOC/test-${Date.now()}`;
    const result: ChannelRecoveryResult = await (await startRecovery('BOC', id)).result();
    assert.equal(result.outcome, 'escalated');
    assert.equal(result.diagnosis.tcp.reachable, false);
    assert.deepEqual(result.actions, []);
    assert.equal(result.approval, undefined);
    const notices = (
      await readNotificationRecords((estate.site.notify.targets[0] as { path: string }).path)
    ).filter((n) => n.workflowId === id);
    assert.deepEqual(
      notices.map((n) => n.kind),
      ['run-escalated'],
    );
    assert.ok(notices[0]!.link?.endsWith(`/workflows/${encodeURIComponent(id)}`), notices[0]!.link);
    assert.match(notices[0]!.lines.join('\n'), /银行前置机不可达/);
  });

  it('refuses bad input naming the field, before any side effect', async () => {
    const handle = await estate.client.workflow.start('channelRecovery', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `channel-recovery/bad-${Date.now()}`,
      args: [{ bank: 'NOPE', requestedBy: 'eng' }],
    });
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'InvalidInput');
      assert.match(err.cause.message, /input\.bank: unknown bank code "NOPE"/);
      return true;
    });
    const history = await handle.fetchHistory();
    const activities = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    assert.deepEqual(activities, ['describeEstate']);
  });
});
