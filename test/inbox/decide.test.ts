import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  samplePlan,
  startApprovalTestbed,
  type ApprovalTestbed,
  type PersonName,
} from '../support/approval-testbed.ts';
import { Agent, approvalPath, field } from './helpers.ts';

let tb: ApprovalTestbed;

before(async () => {
  tb = await startApprovalTestbed();
});
after(async () => {
  await tb?.stop();
});

async function signedIn(who: PersonName): Promise<Agent> {
  const person = tb.people[who];
  const agent = new Agent(tb.inbox.url);
  assert.equal((await agent.signIn(person.id, person.password)).status, 303);
  return agent;
}

function decisionForm(page: string, verdict: 'approve' | 'reject', reason: string) {
  return {
    csrf: field(page, 'csrf'),
    gateId: field(page, 'gateId'),
    planDigest: field(page, 'planDigest'),
    verdict,
    reason,
  };
}

test('the list shows what waits for my roles; my own request is greyed; an outsider sees nothing', async () => {
  const theirs = await tb.startFixtureRun();
  const mine = await tb.startFixtureRun({ requestedBy: tb.people.approver2.id });

  const approver2 = await signedIn('approver2');
  const list = (await approver2.get('/')).body;
  const row = (id: string) => {
    const at = list.indexOf(approvalPath(id));
    assert.ok(at > 0, `${id} is listed`);
    return list.slice(list.lastIndexOf('<tr', at), list.indexOf('</tr>', at));
  };
  assert.doesNotMatch(row(theirs.workflowId), /class="own"/);
  assert.match(row(theirs.workflowId), /中国工商银行（ICBC）/);
  assert.match(row(theirs.workflowId), /zhang\.wei/);
  assert.match(row(theirs.workflowId), /0 \/ 1/);
  assert.match(row(mine.workflowId), /class="own"/);
  assert.match(row(mine.workflowId), /您发起的，不能自己审批/);

  const outsider = await signedIn('outsider');
  const nothing = (await outsider.get('/')).body;
  assert.doesNotMatch(nothing, new RegExp(encodeURIComponent(theirs.workflowId)));
  assert.match(nothing, /当前没有需要您审批的事项/);

  await theirs.terminate('test done');
  await mine.terminate('test done');
});

test('the approval page shows the plan in an approver’s words: bank, channel, findings, commands, yuan, masked payees', async () => {
  const run = await tb.startFixtureRun();
  const state = await tb.waitForState(run.workflowId);
  const page = (await (await signedIn('approver')).get(approvalPath(run.workflowId))).body;
  for (const text of [
    '重启工商银行发送通道 CZ.TO.ICBC',
    '中国工商银行（ICBC）',
    '发送通道处于 RETRYING 状态已 25 分钟',
    '停止发送通道（等待当前批次完成）',
    '<pre class="command"><code>STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE)</code></pre>',
    '<pre class="command"><code>START CHANNEL(CZ.TO.ICBC)</code></pre>',
    '¥1,234.56',
    '¥1,000,000.00',
    '¥1,001,234.56',
    '****3445',
    '****9981',
    '张**',
    '某*******',
    state.pending!.planDigest.slice(0, 12),
    'zhang.wei',
    '0 / 1（同意票 / 所需票数）',
    '未升级',
    'finance-approver',
  ]) {
    assert.ok(page.includes(text), `the page shows ${text}`);
  }
  assert.ok(!page.includes('6222020200112233445'), 'a full account number never reaches the page');
  assert.ok(!page.includes('张*丰'), 'names are masked down to their first character');
  assert.ok(!page.includes('某某科技有限公司'));
  assert.match(page, /id="approve-form"/);
  assert.match(page, /<textarea id="reason" name="reason" required minlength="2"/);
  assert.equal(field(page, 'gateId'), state.pending!.gateId);
  assert.equal(field(page, 'planDigest'), state.pending!.planDigest);
  await run.terminate('test done');
});

test('everything from the plan is HTML-escaped', async () => {
  const run = await tb.startFixtureRun({
    plan: samplePlan({
      title: { zh: '<script>alert("x")</script>标题', en: 'title' },
      findings: [{ zh: '<img src=x onerror=alert(1)>', en: 'x' }],
      actions: [
        {
          kind: 'sql',
          target: 'treasury',
          command: "UPDATE t SET a = '<b>' WHERE id = 1",
          description: { zh: '"><iframe>', en: 'x' },
        },
      ],
    }),
  });
  const page = (await (await signedIn('approver')).get(approvalPath(run.workflowId))).body;
  assert.ok(!page.includes('<script>alert'), 'no script tag from the plan');
  assert.ok(!page.includes('<img src=x'), 'no image tag from the plan');
  assert.ok(!page.includes('"><iframe>'));
  assert.ok(page.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;标题'));
  assert.ok(page.includes('UPDATE t SET a = &#39;&lt;b&gt;&#39; WHERE id = 1'));
  await run.terminate('test done');
});

test('a rejection without a reason is refused by the server too, and changes nothing', async () => {
  const run = await tb.startFixtureRun();
  const agent = await signedIn('approver');
  const path = approvalPath(run.workflowId);
  const page = (await agent.get(path)).body;
  for (const reason of ['', '   ', '无']) {
    const hop = await agent.postForm(`${path}/decision`, decisionForm(page, 'reject', reason));
    assert.equal(hop.status, 400, JSON.stringify(reason));
    assert.match(hop.body, /拒绝时必须填写原因（至少 2 个字）/);
    assert.match(hop.body, /data-reason="reason-required"/);
  }
  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, []);

  const hop = await agent.postForm(
    `${path}/decision`,
    decisionForm(page, 'reject', '需先联系工行确认对端状态'),
  );
  assert.equal(hop.status, 200, hop.body);
  assert.match(hop.body, /方案已被拒绝，运行手册不会执行该方案/);
  const result = await run.result();
  assert.equal(result.outcome, 'rejected');
  assert.deepEqual(result.executed, []);
  assert.deepEqual(result.votes, [
    { user: 'li.na', verdict: 'reject', reason: '需先联系工行确认对端状态', via: 'inbox' },
  ]);

  const history = (await agent.get('/history')).body;
  assert.match(history, /我的审批记录/);
  assert.ok(history.includes(encodeURIComponent(run.workflowId)), 'the decision is in my history');
  assert.ok(history.includes('需先联系工行确认对端状态'));
});

test('a user without the role can neither see nor decide; the requester sees but cannot decide', async () => {
  const run = await tb.startFixtureRun({ requestedBy: tb.people.approver2.id });
  const path = approvalPath(run.workflowId);
  const approver = await signedIn('approver');
  const form = decisionForm((await approver.get(path)).body, 'approve', '');

  const outsider = await signedIn('outsider');
  const seen = await outsider.get(path);
  assert.equal(seen.status, 404);
  assert.ok(!seen.body.includes('STOP CHANNEL'), 'no plan for an outsider');
  const tried = await outsider.postForm(`${path}/decision`, {
    ...form,
    csrf: field((await outsider.get('/')).body, 'csrf'),
  });
  assert.equal(tried.status, 404);
  assert.match(tried.body, /找不到该运行/);

  const requester = await signedIn('approver2');
  const own = await requester.get(path);
  assert.equal(own.status, 200);
  assert.match(own.body, /这是您发起的运行，不能自己审批/);
  assert.doesNotMatch(own.body, /id="approve-form"/);
  const self = await requester.postForm(`${path}/decision`, { ...form, csrf: field(own.body, 'csrf') });
  assert.equal(self.status, 409);
  assert.match(self.body, /data-reason="self-approval"/);

  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, [], 'nobody’s vote counted');
  await run.terminate('test done');
});

test('a plan that changed after the page was shown is not approved blindly', async () => {
  const run = await tb.startFixtureRun();
  const agent = await signedIn('approver');
  const path = approvalPath(run.workflowId);
  const form = decisionForm((await agent.get(path)).body, 'approve', '');
  for (const stale of [
    { ...form, planDigest: 'f'.repeat(64) },
    { ...form, gateId: 'execute-0' },
  ]) {
    const hop = await agent.postForm(`${path}/decision`, stale);
    assert.equal(hop.status, 409);
    assert.match(hop.body, /您看到的方案已经变化，未作审批/);
  }
  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, []);
  await run.terminate('test done');
});

test('a run that is not waiting says so; an unknown run is a 404', async () => {
  const run = await tb.startFixtureRun();
  const agent = await signedIn('approver');
  const path = approvalPath(run.workflowId);
  const page = (await agent.get(path)).body;
  assert.equal((await agent.postForm(`${path}/decision`, decisionForm(page, 'approve', '可以'))).status, 200);
  await run.result();
  const after = await agent.get(path);
  assert.equal(after.status, 200);
  assert.match(after.body, /此运行当前没有待审批事项/);
  assert.match(after.body, /已批准/);
  const again = await agent.postForm(`${path}/decision`, decisionForm(page, 'approve', ''));
  assert.equal(again.status, 409);
  assert.match(again.body, /data-reason="no-pending-approval"/);

  const unknown = await agent.get(approvalPath('no-such-run/at-all'));
  assert.equal(unknown.status, 404);
  assert.match(unknown.body, /找不到/);
});
