import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApprovalTestbed, type ApprovalTestbed } from '../support/approval-testbed.ts';
import { Agent, approvalPath, field } from './helpers.ts';

let tb: ApprovalTestbed;

before(async () => {
  tb = await startApprovalTestbed();
});
after(async () => {
  await tb?.stop();
});

async function signedIn(who: 'approver' | 'approver2'): Promise<Agent> {
  const person = tb.people[who];
  const agent = new Agent(tb.inbox.url);
  assert.equal((await agent.signIn(person.id, person.password)).status, 303);
  return agent;
}

test('a decision without the right token or from another origin is refused and changes nothing', async () => {
  const run = await tb.startFixtureRun();
  const path = approvalPath(run.workflowId);
  const agent = await signedIn('approver');
  const page = await agent.get(path);
  assert.equal(page.status, 200);
  const form = {
    csrf: field(page.body, 'csrf'),
    gateId: field(page.body, 'gateId'),
    planDigest: field(page.body, 'planDigest'),
    verdict: 'approve',
    reason: '同意',
  };
  const other = await signedIn('approver2');
  const otherToken = field((await other.get('/')).body, 'csrf');
  assert.notEqual(otherToken, form.csrf);

  const attempts: [string, Promise<Awaited<ReturnType<Agent['postForm']>>>][] = [];
  const { csrf: _drop, ...withoutToken } = form;
  attempts.push(['no token', agent.postForm(`${path}/decision`, withoutToken)]);
  attempts.push([
    'another session’s token',
    agent.postForm(`${path}/decision`, { ...form, csrf: otherToken }),
  ]);
  attempts.push([
    'a foreign Origin',
    agent.postForm(`${path}/decision`, form, { origin: 'https://evil.example' }),
  ]);
  attempts.push(['Origin null', agent.postForm(`${path}/decision`, form, { origin: 'null' })]);
  attempts.push(['neither Origin nor Referer', agent.postForm(`${path}/decision`, form, { origin: null })]);
  for (const [what, attempt] of attempts) {
    const hop = await attempt;
    assert.equal(hop.status, 403, what);
    assert.match(hop.body, /请求被拒绝/, what);
    assert.match(hop.body, /表单已失效或请求来源不可信，本次操作未执行/, what);
  }

  const state = await tb.waitForState(run.workflowId);
  assert.deepEqual(state.pending?.votes, [], 'no vote reached the workflow');
  assert.equal(state.closed.length, 0);

  // The same form, sent properly, is accepted: the refusals above were about the token and origin only.
  const ok = await agent.postForm(`${path}/decision`, form);
  assert.equal(ok.status, 200, ok.body);
  assert.match(ok.body, /方案已批准，运行手册将继续执行/);
  const result = await run.result();
  assert.equal(result.outcome, 'approved');
  assert.deepEqual(result.votes, [{ user: 'li.na', verdict: 'approve', reason: '同意', via: 'inbox' }]);
});

test('a Referer from the inbox stands in for a missing Origin; one from elsewhere does not', async () => {
  const run = await tb.startFixtureRun();
  const path = approvalPath(run.workflowId);
  const agent = await signedIn('approver2');
  const page = await agent.get(path);
  const form = {
    csrf: field(page.body, 'csrf'),
    gateId: field(page.body, 'gateId'),
    planDigest: field(page.body, 'planDigest'),
    verdict: 'reject',
    reason: '窗口期内不允许操作',
  };
  const body = new URLSearchParams(form).toString();
  const headers = (referer: string) => ({ 'content-type': 'application/x-www-form-urlencoded', referer });
  const foreign = await agent.request('POST', `${path}/decision`, {
    body,
    headers: headers('https://evil.example/page'),
  });
  assert.equal(foreign.status, 403);
  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, []);
  const own = await agent.request('POST', `${path}/decision`, {
    body,
    headers: headers(`${tb.inbox.url}${path}`),
  });
  assert.equal(own.status, 200, own.body);
  assert.equal((await run.result()).outcome, 'rejected');
});

test('the sign-in form needs its own token and origin; sign-out needs the session token', async () => {
  const { approver } = tb.people;
  const stranger = new Agent(tb.inbox.url);
  const noToken = await stranger.postForm('/login', {
    user: approver.id,
    password: approver.password,
    next: '/',
  });
  assert.equal(noToken.status, 403);
  assert.equal(stranger.cookies.has('jincai_session'), false);

  const page = await stranger.get('/login');
  const forged = await stranger.postForm(
    '/login',
    { csrf: field(page.body, 'csrf'), user: approver.id, password: approver.password, next: '/' },
    { origin: 'https://evil.example' },
  );
  assert.equal(forged.status, 403);
  assert.equal(stranger.cookies.has('jincai_session'), false);

  const agent = await signedIn('approver');
  const out = await agent.postForm('/logout', { csrf: 'not-the-token' });
  assert.equal(out.status, 403);
  assert.equal((await agent.get('/')).status, 200, 'still signed in');
});
