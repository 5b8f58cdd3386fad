import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLocalUserStore } from '../../connectors/users/local-store.ts';
import { startApprovalTestbed, type ApprovalTestbed, type PersonName } from '../support/approval-testbed.ts';
import { Agent, api } from './helpers.ts';

let tb: ApprovalTestbed;

before(async () => {
  tb = await startApprovalTestbed();
});
after(async () => {
  await tb?.stop();
});

async function token(who: PersonName): Promise<string> {
  const p = tb.people[who];
  const res = await api(tb.inbox.url, 'POST', '/api/session', { body: { user: p.id, password: p.password } });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json.token as string;
}

const enc = encodeURIComponent;

test('POST /api/session: bad input is a 400 naming the field; wrong credentials a 401', async () => {
  const { approver } = tb.people;
  const cases: [unknown, string, number?][] = [
    [{}, 'user'],
    [{ user: approver.id }, 'password'],
    [{ user: approver.id, password: 42 }, 'password'],
    [{ user: approver.id, password: 'x', admin: true }, 'admin'],
    [[], 'body'],
    ['{not json', 'body'],
  ];
  for (const [body, fieldName] of cases) {
    const res = await api(tb.inbox.url, 'POST', '/api/session', { body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.json.field, fieldName, JSON.stringify(res.json));
    assert.match(String(res.json.message), new RegExp(`^${fieldName}: `));
  }
  const form = await api(tb.inbox.url, 'POST', '/api/session', {
    body: 'user=a',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(form.status, 415);
  assert.equal(form.json.field, 'content-type');

  const wrong = await api(tb.inbox.url, 'POST', '/api/session', {
    body: { user: approver.id, password: 'wrong-password' },
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.token, undefined);
});

test('the API takes bearer tokens only: no token, a bogus one, or a browser cookie are refused', async () => {
  assert.equal((await api(tb.inbox.url, 'GET', '/api/approvals')).status, 401);
  assert.equal((await api(tb.inbox.url, 'GET', '/api/approvals', { token: 'A'.repeat(43) })).status, 401);

  const browser = new Agent(tb.inbox.url);
  await browser.signIn(tb.people.approver.id, tb.people.approver.password);
  const withCookie = await browser.request('GET', '/api/approvals');
  assert.equal(withCookie.status, 401);
  assert.equal(JSON.parse(withCookie.body).error, 'cookie_not_accepted');

  // A bearer token is not a browser session either.
  const t = await token('approver');
  const asCookie = new Agent(tb.inbox.url);
  asCookie.cookies.set('jincai_session', t);
  const page = await asCookie.get('/');
  assert.equal(page.status, 303);

  const list = await api(tb.inbox.url, 'GET', '/api/approvals', { token: t });
  assert.equal(list.status, 200);
  assert.ok(Array.isArray(list.json.approvals));

  assert.equal((await api(tb.inbox.url, 'DELETE', '/api/session', { token: t })).status, 204);
  assert.equal((await api(tb.inbox.url, 'GET', '/api/approvals', { token: t })).status, 401, 'revoked');
});

test('GET /api/approvals lists the run; GET /api/approvals/:id shows it; an unknown run is a 404', async () => {
  const run = await tb.startFixtureRun();
  const t = await token('approver');
  const list = await api(tb.inbox.url, 'GET', '/api/approvals', { token: t });
  const item = (list.json.approvals as { workflowId: string; planDigest: string; quorum: number }[]).find(
    (a) => a.workflowId === run.workflowId,
  );
  assert.ok(item, 'the run is listed');
  assert.equal(item.quorum, 1);

  const detail = await api(tb.inbox.url, 'GET', `/api/approvals/${enc(run.workflowId)}`, { token: t });
  assert.equal(detail.status, 200);
  assert.equal(detail.json.canDecide, true);
  const pending = detail.json.pending as { planDigest: string; gateId: string; plan: { channel: string } };
  assert.equal(pending.planDigest, item.planDigest);
  assert.equal(pending.plan.channel, 'CZ.TO.ICBC');

  const missing = await api(tb.inbox.url, 'GET', `/api/approvals/${enc('no-such/run')}`, { token: t });
  assert.equal(missing.status, 404);
  const missingDecision = await api(tb.inbox.url, 'POST', `/api/approvals/${enc('no-such/run')}/decision`, {
    token: t,
    body: { verdict: 'approve', gateId: pending.gateId, planDigest: pending.planDigest },
  });
  assert.equal(missingDecision.status, 404);
  await run.terminate('test done');
});

test('POST …/decision: each bad field is named, and nothing reaches the run', async () => {
  const run = await tb.startFixtureRun();
  const t = await token('approver');
  const { pending } = await tb.waitForState(run.workflowId);
  const good = { verdict: 'approve', gateId: pending!.gateId, planDigest: pending!.planDigest };
  const cases: [Record<string, unknown>, string][] = [
    [{ ...good, verdict: 'maybe' }, 'verdict'],
    [{ ...good, verdict: undefined }, 'verdict'],
    [{ ...good, gateId: undefined }, 'gateId'],
    [{ ...good, gateId: '' }, 'gateId'],
    [{ ...good, planDigest: 'abc' }, 'planDigest'],
    [{ ...good, reason: 'x'.repeat(1001) }, 'reason'],
    [{ ...good, reason: 7 }, 'reason'],
    [{ ...good, via: 'inbox' }, 'via'],
    [{ ...good, verdict: 'reject' }, 'reason'],
  ];
  for (const [body, fieldName] of cases) {
    const res = await api(tb.inbox.url, 'POST', `/api/approvals/${enc(run.workflowId)}/decision`, {
      token: t,
      body,
    });
    assert.equal(res.status, 400, JSON.stringify(body));
    if (fieldName === 'reason' && body.verdict === 'reject') {
      assert.equal(res.json.reason, 'reason-required');
      assert.deepEqual(res.json.message, {
        zh: '拒绝时必须填写原因（至少 2 个字）。',
        en: 'A rejection needs a reason (at least 2 characters).',
      });
    } else {
      assert.equal(res.json.field, fieldName, JSON.stringify(res.json));
    }
  }
  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, []);
  await run.terminate('test done');
});

test('refusals come back as a code with Chinese and English text; a good decision via the API counts as the CLI', async () => {
  const run = await tb.startFixtureRun({ requestedBy: tb.people.approver2.id });
  const { pending } = await tb.waitForState(run.workflowId);
  const path = `/api/approvals/${enc(run.workflowId)}/decision`;
  const good = { verdict: 'approve', gateId: pending!.gateId, planDigest: pending!.planDigest };

  const stale = await api(tb.inbox.url, 'POST', path, {
    token: await token('approver'),
    body: { ...good, planDigest: '0'.repeat(64) },
  });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.reason, 'plan-changed');

  const self = await api(tb.inbox.url, 'POST', path, { token: await token('approver2'), body: good });
  assert.equal(self.status, 409);
  assert.equal(self.json.reason, 'self-approval');
  assert.deepEqual(self.json.message, {
    zh: '这是您发起的运行，不能自己审批。',
    en: 'You requested this run; you cannot approve it yourself.',
  });

  // Someone given the role after the gate opened passes the inbox's checks, but the workflow
  // knows its approvers from when the gate opened: its own refusal comes back, mapped.
  const late = { id: 'sun.li', displayName: '孙丽', roles: ['finance-approver'] };
  await createLocalUserStore(tb.site.approvals.users.file).put(late, 'late-password-123');
  const lateLogin = await api(tb.inbox.url, 'POST', '/api/session', {
    body: { user: late.id, password: 'late-password-123' },
  });
  const refused = await api(tb.inbox.url, 'POST', path, {
    token: lateLogin.json.token as string,
    body: good,
  });
  assert.equal(refused.status, 409);
  assert.equal(refused.json.reason, 'unknown-user');
  assert.match(String(refused.json.detail), /sun\.li is not a known approver/);

  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, []);

  const ok = await api(tb.inbox.url, 'POST', path, {
    token: await token('approver'),
    body: { ...good, reason: '同意' },
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  assert.deepEqual(ok.json.receipt, {
    gateId: pending!.gateId,
    verdict: 'approve',
    votes: 1,
    quorum: 1,
    gate: 'approved',
  });
  const result = await run.result();
  assert.equal(result.outcome, 'approved');
  assert.deepEqual(result.votes, [{ user: 'li.na', verdict: 'approve', reason: '同意', via: 'cli' }]);
});
