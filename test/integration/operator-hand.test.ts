/**
 * The operator's hand on a paused step, end to end against the dev server and the sandbox, on
 * channel recovery: a START the queue manager refuses (the MQ administrator's authority taken
 * away, AMQ8135E) pauses the run instead of failing it. Retry once authority is back; skip when a
 * person started the channel by hand (a reason, a role the site allows, never the requester);
 * abort, which starts again the channel the run had stopped. Every bad decision is refused with
 * no event in history. Then the same through the front door: the inbox's 待处置 list and the
 * paused step's page with the buttons each person may press, and `runbook retry|skip|abort`.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { signHandDecision } from '../../connectors/approvals/run-signing.ts';
import { loadSigningKey } from '../../connectors/approvals/signing-keys.ts';
import { createLogger } from '../../connectors/logging/logger.ts';
import { createLocalUserStore } from '../../connectors/users/local-store.ts';
import { startInbox, type InboxHandle } from '../../inbox/server.ts';
import { runHandCommand } from '../../scripts/lib/hand-command.ts';
import { openAuditDb } from '../../connectors/audit/database.ts';
import { siteVerifyOptions } from '../../connectors/audit/site-audit.ts';
import { verifyAuditTrail } from '../../connectors/audit/verify.ts';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import type { HandRefusalReason, SignedHandDecision } from '../../domain/approvals/hand-decision.ts';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { addTestUsers, decide, signedBy, testPassword, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { decideStep, handBy, handRefusedWithoutTrace, waitForPause } from '../support/hand.ts';
import { until } from '../support/worker-lane.ts';
import { Agent, api, field } from '../inbox/helpers.ts';

let estate: TestEstate;
let inbox: InboxHandle;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC', 'BOC', 'CCB'],
    programs: false,
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'channel-recovery': { roles: ['comm-approver'], quorum: 1, deputyRoles: ['finance-director'] },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
  inbox = await startInbox({
    site: estate.site,
    client: estate.client,
    users: createLocalUserStore(estate.site.approvals.users.file),
    signingKey: loadSigningKey(estate.site.approvals),
    log: createLogger('test-inbox', 'warn'),
    port: 0,
    host: '127.0.0.1',
  });
});
after(async () => {
  await inbox?.stop();
  await estate?.stop();
});

const sender = (bank: string) => estate.sandbox.estate.channels.findEnd('QM.CZ', `CZ.TO.${bank}`)?.end.rt;
const mqsc = (bank: string) =>
  estate.sandbox.estate
    .mqscLog('QM.CZ')
    .map((e) => e.command)
    .filter((c) => /^(START|STOP) CHANNEL/.test(c) && c.includes(`CZ.TO.${bank}`));
const refused = (id: string, signed: unknown, reason: HandRefusalReason) =>
  handRefusedWithoutTrace(estate.client, id, signed, reason);
const notices = async (id: string) =>
  (await readNotificationRecords((estate.site.notify.targets[0] as { path: string }).path)).filter(
    (n) => n.workflowId === id,
  );

/** Starts a recovery of `bank`'s channel as eng, with START refused, and approves its plan as wang. */
async function approvedRecoveryWithStartRefused(
  bank: string,
): Promise<{ id: string; result: Promise<unknown> }> {
  await estate.sandbox.faults.inject({ fault: 'channel-command-refused', bank, command: 'START' });
  const id = `channel-recovery/CZ.TO.${bank}/hand-${Date.now()}`;
  const handle = await estate.client.workflow.start('channelRecovery', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank, requestedBy: 'eng', verifySeconds: 20 }],
  });
  const gate = await waitForGate(estate.client, id);
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  return { id, result: handle.result() };
}

async function auditKinds(id: string): Promise<string[]> {
  const db = await openAuditDb(estate.site.audit);
  try {
    const verdict = await verifyAuditTrail(db, await siteVerifyOptions(estate.site));
    assert.equal(verdict.ok, true, JSON.stringify(verdict.problems));
    const rows = await db
      .selectFrom('audit_records')
      .select('kind')
      .where('workflow_id', '=', id)
      .orderBy('seq')
      .execute();
    return rows.map((r) => r.kind);
  } finally {
    await db.destroy();
  }
}

describe('the operator’s hand on a paused step', () => {
  it('pauses on a START refused for authority, refuses every bad decision, and recovers on a retry', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ICBC' });
    const { id, result } = await approvedRecoveryWithStartRefused('ICBC');
    const site = estate.site;
    const pause = await waitForPause(estate.client, id, 'execute:start');
    assert.equal(pause.trouble.cause, 'failed');
    assert.equal(pause.trouble.type, 'MqAuthFailed');
    assert.equal(pause.trouble.source, 'startSenderChannel');
    assert.match(pause.trouble.message, /AMQ8135E/);
    assert.deepEqual(pause.choices, ['retry', 'skip', 'abort']);
    assert.deepEqual(pause.roles.retry, ['engineer']);
    assert.equal(pause.attempts, 1);

    const rogue = { keyId: 'test-inbox', privateKey: generateKeyPairSync('ed25519').privateKey };
    const good = handBy(site, pause, 'ops', 'retry');
    await refused(id, signHandDecision(good.claims, rogue), 'bad-signature');
    await refused(id, { ...good, keyId: 'unknown' }, 'unknown-key');
    const { signature: _unsigned, ...unsigned } = good;
    await refused(id, unsigned, 'malformed');
    await refused(id, handBy(site, pause, 'ops', 'retry', { runId: 'another-run' }), 'wrong-run');
    await refused(id, handBy(site, pause, 'ops', 'retry', { pauseId: 'execute:start-9' }), 'wrong-pause');
    await refused(
      id,
      handBy(site, pause, 'ops', 'retry', { issuedAt: new Date(Date.now() - 10 * 60_000).toISOString() }),
      'expired-decision',
    );
    await refused(id, handBy(site, pause, 'wang', 'retry'), 'not-allowed');
    await refused(id, handBy(site, pause, 'nobody', 'retry'), 'unknown-user');
    await refused(id, handBy(site, pause, 'ops', 'abort', { reason: ' ' }), 'reason-required');
    assert.equal(sender('ICBC')?.status, 'STOPPED');

    // Retried while the authority is still missing: refused again, a second pause.
    const first = await decideStep(estate.client, id, good);
    assert.deepEqual(first, { pauseId: pause.pauseId, action: 'retry' });
    const again = await waitForPause(estate.client, id, 'execute:start');
    assert.notEqual(again.pauseId, pause.pauseId);
    assert.equal(again.attempts, 2);
    await refused(id, { ...good, claims: { ...good.claims } } satisfies SignedHandDecision, 'replayed');

    await estate.sandbox.faults.clear({ fault: 'channel-command-refused', bank: 'ICBC' });
    await decideStep(
      estate.client,
      id,
      handBy(site, again, 'eng', 'retry', { reason: '已恢复 mqadmin 权限' }),
    );
    const recovered = (await result) as ChannelRecoveryResult;
    assert.equal(recovered.outcome, 'recovered');
    assert.equal(sender('ICBC')?.status, 'RUNNING');
    assert.deepEqual(mqsc('ICBC'), [
      'START CHANNEL(CZ.TO.ICBC)',
      'START CHANNEL(CZ.TO.ICBC)',
      'START CHANNEL(CZ.TO.ICBC)',
    ]);

    assert.deepEqual(await auditKinds(id), [
      'run-started',
      'plan',
      'decision',
      'proof-used',
      'step-paused',
      'hand-decision',
      'step-paused',
      'hand-decision',
      'mutation',
      'outcome',
    ]);
    const told = await notices(id);
    assert.deepEqual(
      told.filter((n) => n.kind.startsWith('step-')).map((n) => n.kind),
      ['step-paused', 'step-decided', 'step-paused', 'step-decided'],
    );
    assert.ok(
      told.every((n) => !n.kind.startsWith('step-') || n.link?.endsWith(`/paused/${encodeURIComponent(id)}`)),
    );
    const report = readFileSync(recovered.report.markdown, 'utf8');
    assert.match(report, /## 人工处置/);
    assert.match(report, /已恢复 mqadmin 权限/);
  });

  it('skips a START a person did by hand: a reason and a role the site allows, never the requester', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
    const { id, result } = await approvedRecoveryWithStartRefused('ABC');
    const site = estate.site;
    const pause = await waitForPause(estate.client, id, 'execute:start');
    assert.match(pause.skipMeans?.zh ?? '', /人工/);

    await refused(id, handBy(site, pause, 'eng', 'skip'), 'self-skip');
    await refused(id, handBy(site, pause, 'ops', 'skip'), 'not-allowed');
    await refused(id, handBy(site, pause, 'wang', 'skip', { reason: '' }), 'reason-required');

    // The engineer on duty starts the channel with his own authority, then asks the run to go on.
    await estate.sandbox.faults.clear({ fault: 'channel-stopped', bank: 'ABC' });
    await decideStep(
      estate.client,
      id,
      handBy(site, pause, 'wang', 'skip', { reason: '值班员已手工启动通道' }),
    );
    const done = (await result) as ChannelRecoveryResult;
    assert.equal(done.outcome, 'recovered');
    assert.deepEqual(done.actions, [], 'a skipped command is not the run’s action');
    assert.deepEqual(await auditKinds(id), [
      'run-started',
      'plan',
      'decision',
      'proof-used',
      'step-paused',
      'hand-decision',
      'outcome',
    ]);
    assert.match(readFileSync(done.report.markdown, 'utf8'), /跳过（不执行此命令/);
    await estate.sandbox.faults.clear({ fault: 'channel-command-refused', bank: 'ABC' });
  });

  it('aborts a run that stopped a stuck channel: the channel is started again and the report says so', async () => {
    // A channel left in its long retry after the line came back: the plan is STOP then START.
    await estate.sandbox.faults.inject({ fault: 'channel-network-down', bank: 'BOC' });
    await until('the sender to spend its short retries', () => {
      const rt = sender('BOC');
      return rt?.shortRts === 0 && rt.longRts < 999_999_999;
    });
    await estate.sandbox.faults.clear({ fault: 'channel-network-down', bank: 'BOC', lift: true });
    assert.equal(sender('BOC')?.status, 'RETRYING');
    const { id, result } = await approvedRecoveryWithStartRefused('BOC');
    const site = estate.site;
    const pause = await waitForPause(estate.client, id, 'execute:start');
    assert.equal(sender('BOC')?.status, 'STOPPED');

    await refused(id, handBy(site, pause, 'ops', 'abort', { reason: undefined }), 'reason-required');
    await refused(id, handBy(site, pause, 'wang', 'abort'), 'not-allowed');
    await estate.sandbox.faults.clear({ fault: 'channel-command-refused', bank: 'BOC' });
    await decideStep(estate.client, id, handBy(site, pause, 'ops', 'abort', { reason: '改由银行窗口处理' }));

    await assert.rejects(result, (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'RunAborted');
      const [details] = err.cause.details as [
        { user: string; compensations: { name: string; ok: boolean }[]; report: { markdown: string } },
      ];
      assert.equal(details.user, 'ops');
      assert.deepEqual(
        details.compensations.map((c) => [c.name, c.ok]),
        [['START CHANNEL(CZ.TO.BOC)', true]],
      );
      const report = readFileSync(details.report.markdown, 'utf8');
      assert.match(report, /已中止/);
      assert.match(report, /改由银行窗口处理/);
      assert.match(report, /## 补偿操作/);
      return true;
    });
    assert.deepEqual(mqsc('BOC'), [
      'STOP CHANNEL(CZ.TO.BOC) MODE(QUIESCE)',
      'START CHANNEL(CZ.TO.BOC)',
      'START CHANNEL(CZ.TO.BOC)',
    ]);
    assert.notEqual(sender('BOC')?.status, 'STOPPED');
    assert.deepEqual(await auditKinds(id), [
      'run-started',
      'plan',
      'decision',
      'proof-used',
      'mutation',
      'step-paused',
      'hand-decision',
      'mutation',
      'outcome',
    ]);
  });

  it('through the front door: the 待处置 list, the step’s page with each person’s buttons, and runbook retry|skip|abort', async () => {
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'CCB' });
    const { id, result } = await approvedRecoveryWithStartRefused('CCB');
    await waitForPause(estate.client, id, 'execute:start');
    const page = `/paused/${encodeURIComponent(id)}`;
    const browser = async (user: string) => {
      const agent = new Agent(inbox.url);
      assert.equal((await agent.signIn(user, testPassword)).status, 303);
      return agent;
    };
    const buttons = (body: string) => [...body.matchAll(/name="action"\s+value="(\w+)"/g)].map((m) => m[1]);

    const ops = await browser('ops');
    const list = await ops.get('/');
    assert.match(list.body, /id="paused"/);
    assert.ok(list.body.includes(page), 'the run is listed under 待处置');
    const opsPage = await ops.get(page);
    assert.equal(opsPage.status, 200);
    assert.match(opsPage.body, /AMQ8135E/);
    assert.match(opsPage.body, /startSenderChannel/);
    assert.deepEqual(buttons(opsPage.body), ['retry', 'abort']);
    assert.deepEqual(buttons((await (await browser('wang')).get(page)).body), ['skip']);
    assert.deepEqual(buttons((await (await browser('eng')).get(page)).body), ['retry', 'abort']);
    assert.equal(
      (await (await browser('zhao')).get(page)).status,
      200,
      'a deputy approver may skip, so sees it',
    );

    const cli = async (action: 'retry' | 'skip' | 'abort', user: string, args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runHandCommand(action, [id, '--inbox', inbox.url, ...args], {
        site: estate.site,
        io: {
          out: (l) => out.push(l),
          err: (l) => err.push(l),
          env: { JINCAI_USER: user, JINCAI_PASSWORD: testPassword },
          stderr: { write: () => true },
        },
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    assert.equal((await cli('skip', 'wang', [])).code, 2, 'a skip needs a reason');
    const own = await cli('skip', 'eng', ['--reason', '我自己跳过']);
    assert.equal(own.code, 3);
    assert.match(own.err, /self-skip/);
    assert.match(own.out, /AMQ8135E/, 'the CLI shows the paused step before deciding');

    // Retried from the page while the authority is still missing: the run pauses again.
    const retried = await ops.postForm(`${page}/decision`, {
      csrf: field(opsPage.body, 'csrf'),
      runId: field(opsPage.body, 'runId'),
      pauseId: field(opsPage.body, 'pauseId'),
      action: 'retry',
      reason: '',
    });
    assert.equal(retried.status, 200, retried.body);
    assert.match(retried.body, /id="decided" data-action="retry"/);
    const second = await waitForPause(estate.client, id, 'execute:start');
    // The form of the first pause no longer decides anything.
    const stale = await ops.postForm(`${page}/decision`, {
      csrf: field(opsPage.body, 'csrf'),
      runId: field(opsPage.body, 'runId'),
      pauseId: field(opsPage.body, 'pauseId'),
      action: 'retry',
    });
    assert.equal(stale.status, 409);
    assert.match(stale.body, /data-reason="pause-changed"/);

    const token = (
      await api(inbox.url, 'POST', '/api/session', { body: { user: 'ops', password: testPassword } })
    ).json.token as string;
    const listed = await api(inbox.url, 'GET', '/api/paused', { token });
    assert.deepEqual(
      (listed.json.paused as { workflowId: string; pause: { pauseId: string } }[]).map((p) => [
        p.workflowId,
        p.pause.pauseId,
      ]),
      [[id, second.pauseId]],
    );

    await estate.sandbox.faults.clear({ fault: 'channel-command-refused', bank: 'CCB' });
    const done = await cli('retry', 'ops', ['--reason', '已恢复权限']);
    assert.equal(done.code, 0, done.err);
    assert.match(done.out, /Decided: 重试 \/ Retry/);
    assert.equal(((await result) as ChannelRecoveryResult).outcome, 'recovered');
    const history = (await ops.get(page)).body;
    assert.match(history, /id="not-paused"/);
    assert.match(history, /已恢复权限/);
  });
});
