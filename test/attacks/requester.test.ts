/**
 * Attack 4 of issue 7, workflow side: self-approval by naming someone else. A run started straight
 * on Temporal (no front door, so no signed start assertion) with `requestedBy` naming another
 * person waits to be claimed before it asks for any approval; its real starter cannot approve it;
 * unsigned, forged, foreign, stale and replayed claims are refused without an event in history;
 * the claimant becomes the requester and four-eyes applies to them. Start assertions that do not
 * hold — for another input, under another key, or replayed by a second run under the same
 * workflow id — leave the run unverified, and the audit trail says why.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { signClaim } from '../../connectors/approvals/run-signing.ts';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { siteVerifyOptions } from '../../connectors/audit/site-audit.ts';
import { verifyAuditTrail } from '../../connectors/audit/verify.ts';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import { createLocalUserStore } from '../../connectors/users/local-store.ts';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import { startAssertionMemoKey, type SignedStart } from '../../domain/approvals/signed-claims.ts';
import {
  addTestUsers,
  claim,
  claimedBy,
  claimRefusedWithoutTrace,
  decide,
  refusedWithoutTrace,
  signedBy,
  testPassword,
  waitForClaimWait,
  waitForGate,
} from '../support/approvals.ts';
import { testDataConverter } from '../support/codec.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { signedStartMemo } from '../support/signed-starts.ts';
import { auditKinds, auditPayloads } from '../support/worker-lane.ts';

let estate: TestEstate;
/** A client that starts runs as anyone with the gRPC port can: no front door, no start assertion. */
let raw: Client;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC', 'BOC', 'CCB'],
    programs: false,
    edit: (site) => {
      (site.approvals as Record<string, unknown>).runbooks = {
        'channel-recovery': { roles: ['comm-approver'], quorum: 1 },
      };
    },
  });
  await addTestUsers(estate.site);
  // An approver who may also start runbooks.
  await createLocalUserStore(estate.site.approvals.users.file).put(
    { id: 'chen', displayName: '陈审批', roles: ['comm-approver', 'engineer'] },
    testPassword,
  );
  raw = new Client({
    connection: estate.client.connection,
    namespace: estate.site.temporal.namespace,
    dataConverter: testDataConverter(),
  });
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const taskQueue = () => estate.site.temporal.taskQueues.runbooks;
const recoveryInput = (bank: string, requestedBy: string, more: Record<string, unknown> = {}) => ({
  bank,
  requestedBy,
  verifySeconds: 30,
  ...more,
});
const notificationsFile = () => {
  const [target] = estate.site.notify.targets;
  assert.ok(target?.type === 'file');
  return target.path;
};
/** The run's claim-requested notification, once written (up to a minute). */
async function claimNotice(workflowId: string) {
  for (let i = 0; i < 600; i++) {
    const notices = await readNotificationRecords(notificationsFile());
    const asked = notices.find((n) => n.kind === 'claim-requested' && n.workflowId === workflowId);
    if (asked) return asked;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
const senderStatus = (bank: string) =>
  estate.sandbox.estate.channels.findEnd('QM.CZ', `CZ.TO.${bank}`)?.end.rt.status;
const runStarted = async (workflowId: string) =>
  auditPayloads<{ requester: string; via?: string; unverified?: string }>(
    estate.site,
    workflowId,
    'run-started',
  );

describe('a run started without the front door', () => {
  it('waits to be claimed; its starter cannot approve it; bad claims leave no trace; four-eyes binds the claimant', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ICBC' });
    const id = `channel-recovery/CZ.TO.ICBC/unsigned-${Date.now()}`;
    // chen, an approver, starts it from outside the front door, naming eng as the requester.
    const handle = await raw.workflow.start('channelRecovery', {
      taskQueue: taskQueue(),
      workflowId: id,
      args: [recoveryInput('ICBC', 'eng')],
    });

    const waiting = await waitForClaimWait(estate.client, id);
    assert.deepEqual(waiting.requester, { user: 'eng', verified: false, via: 'unverified' });
    assert.equal(waiting.pending, null, 'no approval is asked before the claim');
    const run = { workflowId: id, runId: waiting.runId };
    // The gate shows the wait at once; its notification is an activity that follows it.
    const asked = await claimNotice(id);
    assert.ok(asked, 'the wait for a claim is notified');
    assert.equal(
      asked.link,
      `${estate.site.inbox.publicUrl.replace(/\/$/, '')}/approvals/${encodeURIComponent(id)}`,
    );
    assert.deepEqual(asked.roles, ['engineer']);

    // The starter, posing as an approver of the run they started as eng: there is nothing to approve.
    const unopened = {
      workflowId: id,
      runId: run.runId,
      gateId: 'execute-1',
      step: 'execute',
      planDigest: '0'.repeat(64),
    };
    await refusedWithoutTrace(
      estate.client,
      id,
      signedBy(estate.site, unopened, 'chen'),
      'no-pending-approval',
    );

    const rogue = {
      keyId: estate.site.approvals.signers[0]!.keyId,
      privateKey: generateKeyPairSync('ed25519').privateKey,
    };
    const refused = (signed: unknown, reason: Parameters<typeof claimRefusedWithoutTrace>[3]) =>
      claimRefusedWithoutTrace(estate.client, id, signed, reason);
    await refused({ claims: { kind: 'claim', user: 'chen' } }, 'malformed');
    await refused({ ...claimedBy(estate.site, run, 'chen'), keyId: 'not-a-front-door' }, 'unknown-key');
    await refused(signClaim(claimedBy(estate.site, run, 'chen').claims, rogue), 'bad-signature');
    await refused(claimedBy(estate.site, { ...run, runId: 'another-run' }, 'chen'), 'wrong-run');
    await refused(
      claimedBy(estate.site, run, 'chen', { issuedAt: new Date(Date.now() - 10 * 60_000).toISOString() }),
      'expired-claim',
    );
    await refused(claimedBy(estate.site, run, 'nobody'), 'unknown-user');
    await refused(claimedBy(estate.site, run, 'wang'), 'not-a-starter');

    // chen claims it: chen is now the requester, and cannot approve what they asked for.
    const chenClaims = claimedBy(estate.site, run, 'chen', { reason: '巡检发现工行通道停止' });
    const receipt = await claim(estate.client, id, chenClaims);
    assert.deepEqual(receipt.requester, { user: 'chen', verified: true, via: 'claim' });
    await refused(chenClaims, 'not-awaiting-claim');
    await refused(claimedBy(estate.site, run, 'ops'), 'not-awaiting-claim');
    const gate = await waitForGate(estate.client, id);
    assert.equal(gate.requestedBy, 'chen');
    await refusedWithoutTrace(estate.client, id, signedBy(estate.site, gate, 'chen'), 'self-approval');
    assert.equal(senderStatus('ICBC'), 'STOPPED');

    await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
    const result: ChannelRecoveryResult = await handle.result();
    assert.equal(result.outcome, 'recovered');
    assert.deepEqual(await auditKinds(estate.site, id), [
      'run-started',
      'run-claimed',
      'plan',
      'decision',
      'proof-used',
      'mutation',
      'outcome',
    ]);
    assert.deepEqual(
      (await runStarted(id)).map((r) => [r.requester, r.via]),
      [['eng', 'unverified']],
    );
    const [used] = await auditPayloads<{ requester: unknown }>(estate.site, id, 'proof-used');
    assert.deepEqual(used?.requester, { user: 'chen', via: 'claim' });
    const db = await openAuditDb(estate.site.audit);
    try {
      const verdict = await verifyAuditTrail(db, await siteVerifyOptions(estate.site));
      assert.equal(verdict.ok, true, JSON.stringify(verdict.problems));
    } finally {
      await db.destroy();
    }
  });
});

describe('start assertions', () => {
  it('a run started through the front door is verified and asks for its approval at once', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
    const id = `channel-recovery/CZ.TO.ABC/signed-${Date.now()}`;
    const handle = await estate.client.workflow.start('channelRecovery', {
      taskQueue: taskQueue(),
      workflowId: id,
      args: [recoveryInput('ABC', 'eng')],
    });
    const gate = await waitForGate(estate.client, id);
    const state = await handle.query(approvalStateQuery);
    assert.deepEqual(state.requester, { user: 'eng', verified: true, via: 'start' });
    assert.equal(state.awaitingClaim, false);
    await refusedWithoutTrace(estate.client, id, signedBy(estate.site, gate, 'eng'), 'self-approval');
    assert.deepEqual(
      (await runStarted(id)).map((r) => [r.requester, r.via]),
      [['eng', 'start']],
    );
    await handle.terminate('test done');
  });

  it('for another input, under another key, or replayed by a second run: the run is unverified and must be claimed', async () => {
    const start = (id: string, input: Record<string, unknown>, memo: Record<string, unknown>) =>
      raw.workflow.start('channelRecovery', { taskQueue: taskQueue(), workflowId: id, args: [input], memo });
    const facts = (id: string, input: unknown, user = 'eng') => ({
      workflowType: 'channelRecovery',
      workflowId: id,
      taskQueue: taskQueue(),
      input,
      user,
    });

    // Signed for eng's input, started with ops named instead.
    const retargeted = `channel-recovery/CZ.TO.BOC/retargeted-${Date.now()}`;
    const dry = recoveryInput('BOC', 'eng', { dryRun: true });
    await start(
      retargeted,
      { ...dry, requestedBy: 'ops' },
      signedStartMemo(estate.site, facts(retargeted, dry)),
    );

    // Signed with a key that is not the front door's.
    const forgedId = `channel-recovery/CZ.TO.ICBC/forged-${Date.now()}`;
    const dryIcbc = recoveryInput('ICBC', 'eng', { dryRun: true });
    const memo = signedStartMemo(estate.site, facts(forgedId, dryIcbc));
    const forged = memo[startAssertionMemoKey] as SignedStart;
    await start(forgedId, dryIcbc, {
      [startAssertionMemoKey]: { ...forged, signature: forged.signature.replace(/^../, '00') },
    });

    // A good assertion, used by a first run and then replayed by a second run under the same id.
    const replayedId = `channel-recovery/CZ.TO.CCB/replayed-${Date.now()}`;
    const dryCcb = recoveryInput('CCB', 'eng', { dryRun: true });
    const good = signedStartMemo(estate.site, facts(replayedId, dryCcb));
    await (await start(replayedId, dryCcb, good)).result();
    await (await start(replayedId, dryCcb, good)).result();

    for (const id of [retargeted, forgedId, replayedId]) await raw.workflow.getHandle(id).result();
    const [retargetedStart] = await runStarted(retargeted);
    assert.equal(retargetedStart?.via, 'unverified');
    assert.match(retargetedStart?.unverified ?? '', /inputDigest/);
    const [forgedStart] = await runStarted(forgedId);
    assert.equal(forgedStart?.via, 'unverified');
    assert.match(forgedStart?.unverified ?? '', /signature/);
    const replays = await runStarted(replayedId);
    assert.deepEqual(
      replays.map((r) => r.via),
      ['start', 'unverified'],
    );
    assert.match(replays[1]?.unverified ?? '', /first used by/);
  });
});
