import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApprovalTestbed, type ApprovalTestbed } from '../support/approval-testbed.ts';
import { Agent, api, approvalPath, field } from './helpers.ts';

let tb: ApprovalTestbed;
const lockMs = 2500;

before(async () => {
  tb = await startApprovalTestbed({ throttle: { maxFailures: 5, lockMs } });
});
after(async () => {
  await tb?.stop();
});

test('a wrong password and an unknown user get the same refusal, and no session', async () => {
  const { approver } = tb.people;
  for (const [user, password] of [
    [approver.id, 'not-the-password'],
    ['nobody.here', 'whatever-password'],
  ] as const) {
    const agent = new Agent(tb.inbox.url);
    const hop = await agent.signIn(user, password);
    assert.equal(hop.status, 401);
    assert.match(hop.body, /用户名或密码错误/);
    assert.equal(agent.cookies.has('jincai_session'), false);
    const home = await agent.get('/');
    assert.equal(home.status, 303);
    assert.match(home.location!, /^\/login\?next=%2F$/);
  }
});

test('signing in sets a HttpOnly, SameSite=Strict, Secure cookie and opens the pending list', async () => {
  const { approver } = tb.people;
  const agent = new Agent(tb.inbox.url);
  const hop = await agent.signIn(approver.id, approver.password);
  assert.equal(hop.status, 303);
  assert.equal(hop.location, '/');
  const cookie = hop.headers.getSetCookie().find((c) => c.startsWith('jincai_session='));
  assert.ok(cookie, 'a session cookie is set');
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Strict/);
  assert.match(cookie, /; Secure/);
  assert.match(cookie, /; Path=\//);
  assert.equal(Buffer.from(agent.cookies.get('jincai_session')!, 'base64url').length, 32);

  const home = await agent.get('/');
  assert.equal(home.status, 200);
  assert.match(home.body, /<html lang="zh-CN">/);
  assert.match(home.body, /待审批/);
  assert.match(home.body, /李娜（li\.na）/);
  assert.equal(home.headers.get('x-frame-options'), 'DENY');
  assert.equal(home.headers.get('cache-control'), 'no-store');
  const csp = home.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.doesNotMatch(home.body, /<script/i);
});

test('a deep link asks for sign-in first, then lands on the approval it named', async () => {
  const run = await tb.startFixtureRun();
  const path = approvalPath(run.workflowId);
  const agent = new Agent(tb.inbox.url);
  const first = await agent.get(path);
  assert.equal(first.status, 303);
  assert.equal(first.location, `/login?next=${encodeURIComponent(path)}`);

  const login = await agent.get(first.location!);
  assert.match(login.body, /请先登录/);
  assert.equal(field(login.body, 'next'), path);
  const { approver } = tb.people;
  const signedIn = await agent.postForm('/login', {
    csrf: field(login.body, 'csrf'),
    next: field(login.body, 'next'),
    user: approver.id,
    password: approver.password,
  });
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.location, path);
  const page = await agent.get(signedIn.location!);
  assert.equal(page.status, 200);
  assert.match(page.body, /重启工商银行发送通道 CZ\.TO\.ICBC/);
  await run.terminate('test done');
});

test('after sign-in the inbox only ever redirects to its own pages', async () => {
  const { approver2 } = tb.people;
  for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
    const agent = new Agent(tb.inbox.url);
    const hop = await agent.signIn(approver2.id, approver2.password, next);
    assert.equal(hop.status, 303);
    assert.equal(hop.location, '/', `next=${next}`);
  }
});

test('five failures lock that user id at that address; the right password waits for the lock to end', async () => {
  const { director, approver2 } = tb.people;
  const agent = new Agent(tb.inbox.url);
  for (let i = 0; i < 5; i++)
    assert.equal((await agent.signIn(director.id, `wrong-${i}-password`)).status, 401);

  const locked = await agent.signIn(director.id, director.password);
  assert.equal(locked.status, 429);
  assert.match(locked.body, /登录尝试次数过多，请 \d+ 秒后再试/);
  assert.equal(agent.cookies.has('jincai_session'), false);
  // The API front door shares the throttle.
  const viaApi = await api(tb.inbox.url, 'POST', '/api/session', {
    body: { user: director.id, password: director.password },
  });
  assert.equal(viaApi.status, 429);
  // Another user at the same address is not affected.
  assert.equal((await new Agent(tb.inbox.url).signIn(approver2.id, approver2.password)).status, 303);

  await new Promise((r) => setTimeout(r, lockMs + 200));
  const later = await agent.signIn(director.id, director.password);
  assert.equal(later.status, 303);
  assert.ok(agent.cookies.has('jincai_session'));
});

test('signing out ends the session on the server, not only in the browser', async () => {
  const { approver } = tb.people;
  const agent = new Agent(tb.inbox.url);
  await agent.signIn(approver.id, approver.password);
  const sessionId = agent.cookies.get('jincai_session')!;
  const home = await agent.get('/');
  const out = await agent.postForm('/logout', { csrf: field(home.body, 'csrf') });
  assert.equal(out.status, 303);
  assert.equal(out.location, '/login?signedOut=1');
  assert.equal(agent.cookies.has('jincai_session'), false);

  const replay = new Agent(tb.inbox.url);
  replay.cookies.set('jincai_session', sessionId);
  const again = await replay.get('/');
  assert.equal(again.status, 303);
  assert.match(again.location!, /^\/login/);
});

test('the language link switches the pages to English and back', async () => {
  const { approver } = tb.people;
  const agent = new Agent(tb.inbox.url);
  await agent.signIn(approver.id, approver.password);
  const zh = await agent.get('/');
  assert.match(zh.body, /href="\/lang\?to=en&amp;next=%2F"/);
  const switched = await agent.get('/lang?to=en&next=%2F');
  assert.equal(switched.status, 303);
  assert.equal(switched.location, '/');
  const en = await agent.get('/');
  assert.match(en.body, /<html lang="en">/);
  assert.match(en.body, /Pending approvals/);
  await agent.get('/lang?to=zh&next=%2F');
  assert.match((await agent.get('/')).body, /<html lang="zh-CN">/);
});
