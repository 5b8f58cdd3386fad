/**
 * Claiming, at the front door, a run nobody signed for at its start (started straight on
 * Temporal, as the Web UI, a schedule or the inspection's follow-ups start runs): engineers find
 * it in 待认领 and claim it on its page, through the API or with `runbook claim`; the inbox signs
 * the claim, the run's validator accepts it, and the run asks the approvers. Approvers without an
 * engineer's role see no claim button and are refused; a second claim is refused; the claimant,
 * now the requester, is not offered the decision forms and is refused when deciding anyway.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ApprovalState, Requester } from '../../domain/approvals/gate-types.ts';
import { runClaimCommand } from '../../scripts/lib/claim-command.ts';
import { runStatusLines } from '../../scripts/lib/run-status.ts';
import { startApprovalTestbed, type ApprovalTestbed, type PersonName } from '../support/approval-testbed.ts';
import { auditPayloads, until } from '../support/worker-lane.ts';
import { Agent, api, approvalPath, field } from './helpers.ts';

let tb: ApprovalTestbed;
const agents = new Map<PersonName, Agent>();
const tokens = new Map<PersonName, string>();

before(async () => {
  tb = await startApprovalTestbed();
});
after(async () => {
  await tb?.stop();
});

/** A browser signed in as `who` (one per person for the file). */
async function browser(who: PersonName): Promise<Agent> {
  const known = agents.get(who);
  if (known) return known;
  const agent = new Agent(tb.inbox.url);
  const signedIn = await agent.signIn(tb.people[who].id, tb.people[who].password);
  assert.equal(signedIn.status, 303);
  agents.set(who, agent);
  return agent;
}

async function tokenOf(who: PersonName): Promise<string> {
  const known = tokens.get(who);
  if (known) return known;
  const { id, password } = tb.people[who];
  const session = await api(tb.inbox.url, 'POST', '/api/session', { body: { user: id, password } });
  assert.equal(session.status, 200);
  tokens.set(who, session.json.token as string);
  return session.json.token as string;
}

const call = async (who: PersonName, method: string, path: string, body?: unknown) =>
  api(tb.inbox.url, method, path, { token: await tokenOf(who), ...(body !== undefined && { body }) });
const claimPath = (workflowId: string) => `/api/approvals/${encodeURIComponent(workflowId)}/claim`;

/** A run started with no start assertion, naming an approver as its requester; it waits to be claimed. */
const unclaimedRun = () => tb.startFixtureRun({ unsigned: true, requestedBy: tb.people.approver.id });

const stateOf = (workflowId: string) => tb.waitForState(workflowId, () => true);

test('in the inbox: an engineer finds the run in 待认领 and claims it; an approver cannot; the claimant cannot approve', async () => {
  const run = await unclaimedRun();
  const { workflowId } = run;
  const engineer = await browser('requester');
  const approver = await browser('approver');

  const home = await engineer.get('/');
  assert.match(home.body, /<h2>待认领<\/h2>/);
  assert.ok(home.body.includes(`href="${approvalPath(workflowId)}"`), 'listed for the engineer');
  assert.doesNotMatch((await approver.get('/')).body, /id="claims"/, 'no claim list for an approver');

  const page = await engineer.get(approvalPath(workflowId));
  assert.equal(page.status, 200);
  assert.match(page.body, /id="awaiting-claim"/);
  assert.match(page.body, /li\.na（未经验证）/, 'the name in the input, marked unverified');
  const { runId } = await stateOf(workflowId);
  assert.equal(field(page.body, 'runId'), runId);
  const csrf = field(page.body, 'csrf');

  const approverPage = await approver.get(approvalPath(workflowId));
  assert.equal(approverPage.status, 200);
  assert.match(approverPage.body, /id="cannot-claim"/);
  assert.doesNotMatch(approverPage.body, /id="claim-form"/);
  const refused = await approver.postForm(`${approvalPath(workflowId)}/claim`, {
    csrf: field(approverPage.body, 'csrf'),
    runId,
  });
  assert.equal(refused.status, 403);
  assert.match(refused.body, /data-reason="not-allowed"/);
  assert.match(refused.body, /仅运维工程师/);

  const forged = await engineer.postForm(
    `${approvalPath(workflowId)}/claim`,
    { csrf, runId },
    { origin: 'https://evil.example' },
  );
  assert.equal(forged.status, 403);
  assert.equal(
    await engineer.postForm(`${approvalPath(workflowId)}/claim`, { csrf: 'x', runId }).then((r) => r.status),
    403,
  );
  assert.equal((await stateOf(workflowId)).awaitingClaim, true, 'nothing claimed so far');

  const claimed = await engineer.postForm(`${approvalPath(workflowId)}/claim`, {
    csrf,
    runId,
    reason: '巡检发现问题，由我负责处理',
  });
  assert.equal(claimed.status, 200, claimed.body);
  assert.match(claimed.body, /id="claimed" data-requester="zhang\.wei"/);
  const asked = await tb.waitForState(workflowId);
  assert.deepEqual(asked.requester, { user: 'zhang.wei', verified: true, via: 'claim' });
  assert.equal(asked.pending?.requestedBy, 'zhang.wei');
  const [record] = await auditPayloads<{ claimant: string; claims: { via: string; reason: string } }>(
    tb.site,
    workflowId,
    'run-claimed',
  );
  assert.equal(record?.claimant, 'zhang.wei');
  assert.deepEqual([record?.claims.via, record?.claims.reason], ['inbox', '巡检发现问题，由我负责处理']);

  const own = await engineer.get(approvalPath(workflowId));
  assert.match(own.body, /id="cannot-decide">您已认领此运行，是它的申请人，不能自己审批。/);
  assert.doesNotMatch(own.body, /id="approve-form"|id="claim-form"/);
  const selfApproval = await engineer.postForm(`${approvalPath(workflowId)}/decision`, {
    csrf,
    verdict: 'approve',
    gateId: asked.pending?.gateId ?? '',
    planDigest: asked.pending?.planDigest ?? '',
  });
  assert.equal(selfApproval.status, 409);
  assert.match(selfApproval.body, /data-reason="self-approval"/);
  const again = await engineer.postForm(`${approvalPath(workflowId)}/claim`, { csrf, runId });
  assert.equal(again.status, 409);
  assert.match(again.body, /data-reason="already-claimed"/);

  const decision = await approver.get(approvalPath(workflowId));
  const approved = await approver.postForm(`${approvalPath(workflowId)}/decision`, {
    csrf: field(decision.body, 'csrf'),
    verdict: 'approve',
    gateId: field(decision.body, 'gateId'),
    planDigest: field(decision.body, 'planDigest'),
  });
  assert.equal(approved.status, 200, approved.body);
  const result = await run.result();
  assert.equal(result.outcome, 'approved');
  assert.deepEqual(
    result.votes.map((v) => v.user),
    ['li.na'],
    'named in the input, yet the approver',
  );
});

test('the API: engineers list and claim; an approver is refused; bad input names the field; the claimant may not decide', async () => {
  const run = await unclaimedRun();
  const { workflowId } = run;
  assert.equal((await call('approver', 'GET', '/api/claims')).status, 403);
  const listed = await call('requester', 'GET', '/api/claims');
  assert.equal(listed.status, 200);
  const item = (listed.json.claims as { workflowId: string; runbook: string; namedRequester: string }[]).find(
    (c) => c.workflowId === workflowId,
  );
  assert.deepEqual(
    { runbook: item?.runbook, namedRequester: item?.namedRequester },
    { runbook: 'inbox-fixture', namedRequester: 'li.na' },
  );

  const detail = await call('requester', 'GET', `/api/approvals/${encodeURIComponent(workflowId)}`);
  assert.equal(detail.status, 200);
  assert.deepEqual(
    [detail.json.awaitingClaim, detail.json.canClaim, detail.json.requester],
    [true, true, { user: 'li.na', verified: false, via: 'unverified' }],
  );

  const byApprover = await call('approver', 'POST', claimPath(workflowId), {});
  assert.equal(byApprover.status, 403);
  assert.equal(byApprover.json.reason, 'not-allowed');
  const unknownField = await call('requester', 'POST', claimPath(workflowId), { user: 'someone.else' });
  assert.equal(unknownField.status, 400);
  assert.equal(unknownField.json.field, 'user');
  const otherRun = await call('requester', 'POST', claimPath(workflowId), { runId: 'not-this-run' });
  assert.equal(otherRun.status, 409);
  assert.equal(otherRun.json.reason, 'wrong-run');
  assert.equal((await call('requester', 'POST', claimPath('no-such-run/1'), {})).status, 404);

  // wang.fang approves for finance and is an engineer too: having claimed the run, she may not approve it.
  const claimed = await call('approver2', 'POST', claimPath(workflowId), { reason: '我来负责' });
  assert.equal(claimed.status, 200, JSON.stringify(claimed.json));
  assert.deepEqual(claimed.json.requester, {
    user: 'wang.fang',
    verified: true,
    via: 'claim',
  } satisfies Requester);
  const second = await call('requester', 'POST', claimPath(workflowId), {});
  assert.equal(second.status, 409);
  assert.equal(second.json.reason, 'already-claimed');
  assert.match(String((second.json.message as { zh: string }).zh), /已被认领/);
  // The list is one visibility query over the run's AwaitingClaim tag: claimed, the run leaves it.
  const listedNow = async () =>
    ((await call('requester', 'GET', '/api/claims')).json.claims as { workflowId: string }[]).map(
      (c) => c.workflowId,
    );
  await until('the claimed run to leave the list', async () => !(await listedNow()).includes(workflowId));

  const { pending } = await tb.waitForState(workflowId);
  const decide = (who: PersonName) =>
    call(who, 'POST', `/api/approvals/${encodeURIComponent(workflowId)}/decision`, {
      verdict: 'approve',
      gateId: pending?.gateId,
      planDigest: pending?.planDigest,
    });
  const self = await decide('approver2');
  assert.equal(self.status, 409);
  assert.equal(self.json.reason, 'self-approval');
  assert.equal((await decide('approver')).status, 200);
  assert.equal((await run.result()).outcome, 'approved');

  const signed = await tb.startFixtureRun();
  const notWaiting = await call('requester', 'POST', claimPath(signed.workflowId), {});
  assert.equal(notWaiting.status, 409);
  assert.equal(notWaiting.json.reason, 'not-awaiting-claim');
  assert.match(String(notWaiting.json.detail), /zhang\.wei started this run through the front door/);
  await signed.terminate('test done');
});

test('two engineers claim at once: one claim is accepted, the other refused as already claimed', async () => {
  const { workflowId } = await unclaimedRun();
  const answers = await Promise.all(
    (['requester', 'approver2'] as const).map((who) => call(who, 'POST', claimPath(workflowId), {})),
  );
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409]);
  const winner = answers.find((a) => a.status === 200)?.json.requester as Requester;
  assert.equal(answers.find((a) => a.status === 409)?.json.reason, 'already-claimed');
  const state: ApprovalState = await tb.waitForState(workflowId);
  assert.deepEqual(state.requester, winner);
  assert.equal((await auditPayloads(tb.site, workflowId, 'run-claimed')).length, 1);
  await tb.client.workflow.getHandle(workflowId).terminate('test done');
});

async function cli(args: string[], who: PersonName) {
  const out: string[] = [];
  const err: string[] = [];
  const person = tb.people[who];
  const code = await runClaimCommand('claim', args, {
    site: tb.site,
    io: {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { JINCAI_USER: person.id, JINCAI_PASSWORD: person.password },
      stderr: { write: () => true },
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('runbook claim signs in and claims; runbook status shows the requester and the wait; refusals are clear', async () => {
  const { workflowId } = await unclaimedRun();
  const status = async () => (await runStatusLines(tb.client, workflowId, tb.site.site.timezone)).join('\n');
  const waiting = await status();
  assert.match(waiting, /Requester: li\.na \(unverified: named in the input only\)/);
  assert.match(waiting, new RegExp(`Waiting to be claimed .*: npm run runbook -- claim ${workflowId}`));

  const approver = await cli([workflowId], 'approver');
  assert.equal(approver.code, 3);
  assert.match(approver.err, /Claim not accepted \(not-allowed\)/);
  assert.match(approver.err, /仅运维工程师/);
  assert.equal((await cli([], 'requester')).code, 2);
  const missing = await cli(['no-such-run/2'], 'requester');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /找不到该运行/);

  const claimed = await cli([workflowId, '--reason', '由我负责'], 'requester');
  assert.equal(claimed.code, 0, claimed.err);
  assert.match(claimed.out, new RegExp(`^已认领 / Claimed: ${workflowId}`));
  assert.match(claimed.out, /you cannot approve it/);
  const [record] = await auditPayloads<{ claims: { via: string } }>(tb.site, workflowId, 'run-claimed');
  assert.equal(record?.claims.via, 'cli');

  await tb.waitForState(workflowId);
  const asked = await status();
  assert.match(asked, /Requester: zhang\.wei \(claimed, signed by the front door\)/);
  assert.doesNotMatch(asked, /Waiting to be claimed/);
  assert.match(asked, /Waiting for approval at step execute/);

  const twice = await cli([workflowId], 'approver2');
  assert.equal(twice.code, 3);
  assert.match(twice.err, /\(already-claimed\)[\s\S]*zhang\.wei has claimed this run/);
  await tb.client.workflow.getHandle(workflowId).terminate('test done');
});
