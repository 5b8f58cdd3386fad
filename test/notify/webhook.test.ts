import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NotifyConfigError,
  NotifyDeliveryError,
  WebhookRejectedError,
} from '../../connectors/notify/errors.ts';
import { createNotifier } from '../../connectors/notify/create-notifier.ts';
import { createWebhookTarget, robotMarkdownMaxBytes } from '../../connectors/notify/webhook.ts';
import { captureLogger, robotOk, sampleNotification, startRobot, type FakeRobot } from './helpers.ts';

let robot: FakeRobot;

before(async () => {
  robot = await startRobot();
});
after(() => robot.close());
beforeEach(() => {
  robot.requests.length = 0;
  robot.answer = () => robotOk;
});

const expectedLines = [
  '### 【待审批】工商银行通道序号重同步',
  '通道 CZ.TO.ICBC 序号不一致：本端 1024，对端 1020。',
  '计划将发送端序号重置为 1021。',
  '> 运行手册：seq-resync',
  '> 工作流：seq-resync/CZ.TO.ICBC/2026-11-27',
  '> 银行：CZ.TO.ICBC',
  '> 需处理角色：finance-approver',
  '[打开审批页面](http://127.0.0.1:8380/approvals/seq-resync%2FCZ.TO.ICBC%2F2026-11-27)',
];

test('WeCom robot receives {"msgtype":"markdown","markdown":{"content"}} in Chinese', async () => {
  const { log, lines } = captureLogger();
  const target = createWebhookTarget({ flavor: 'wecom', url: robot.url, urlEnv: 'WECOM_ROBOT_URL' }, log);
  assert.equal(target.name, 'wecom(WECOM_ROBOT_URL)');
  await target.send(sampleNotification());

  assert.equal(robot.requests.length, 1);
  const req = robot.requests[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.url, `/cgi-bin/webhook/send?key=${robot.key}`);
  assert.match(String(req.headers['content-type']), /^application\/json; charset=utf-8$/);
  assert.deepEqual(JSON.parse(req.raw), {
    msgtype: 'markdown',
    markdown: { content: expectedLines.join('\n') },
  });
  assert.ok(lines.length > 0, 'the send is logged at debug level');
  assert.ok(!lines.join('').includes(robot.key), 'the robot key never reaches the log');
});

test('DingTalk robot receives {"msgtype":"markdown","markdown":{"title","text"}} with blank-line breaks', async () => {
  const target = createWebhookTarget(
    { flavor: 'dingtalk', url: robot.url, urlEnv: 'DINGTALK_ROBOT_URL' },
    captureLogger().log,
  );
  await target.send(sampleNotification({ kind: 'run-escalated', title: '工商银行前置机无应答', roles: [] }));

  const lines = [
    '### 【需人工处理】工商银行前置机无应答',
    ...expectedLines.slice(1, 6),
    '[查看详情](http://127.0.0.1:8380/approvals/seq-resync%2FCZ.TO.ICBC%2F2026-11-27)',
  ];
  assert.deepEqual(JSON.parse(robot.requests[0]!.raw), {
    msgtype: 'markdown',
    markdown: { title: '【需人工处理】工商银行前置机无应答', text: lines.join('\n\n') },
  });
});

test('English labels when the notifier is built for English', async () => {
  const target = createWebhookTarget(
    { flavor: 'wecom', url: robot.url, urlEnv: 'WECOM_ROBOT_URL', language: 'en' },
    captureLogger().log,
  );
  await target.send(sampleNotification({ link: undefined, bankCodes: ['CZ.TO.ICBC', 'CZ.TO.RCB'] }));
  const content = (JSON.parse(robot.requests[0]!.raw) as { markdown: { content: string } }).markdown.content;
  assert.equal(
    content,
    [
      '### [Approval requested] 工商银行通道序号重同步',
      ...expectedLines.slice(1, 3),
      '> Runbook: seq-resync',
      '> Workflow: seq-resync/CZ.TO.ICBC/2026-11-27',
      '> Banks: CZ.TO.ICBC, CZ.TO.RCB',
      '> To act: finance-approver',
    ].join('\n'),
  );
});

test('a robot answering errcode ≠ 0 fails with WebhookRejectedError, without the key', async () => {
  robot.answer = (req) => ({
    status: 200,
    body: JSON.stringify({
      errcode: 93000,
      errmsg: `invalid webhook url, hint: [1764051234_${req.url.split('key=')[1]}], more info at https://open.work.weixin.qq.com/devtool/query?e=93000`,
    }),
  });
  const { log, lines } = captureLogger();
  const target = createWebhookTarget({ flavor: 'wecom', url: robot.url, urlEnv: 'WECOM_ROBOT_URL' }, log);
  const err = await target.send(sampleNotification()).then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WebhookRejectedError);
  assert.equal(err.errcode, 93000);
  assert.equal(err.target, 'wecom(WECOM_ROBOT_URL)');
  assert.match(err.message, /errcode 93000 \(invalid webhook url/);
  assert.ok(!err.message.includes(robot.key), 'the key echoed by the robot is hidden');
  assert.ok(!lines.join('').includes(robot.key));
});

test('DingTalk keyword mismatch (errcode 310000) is a rejection too', async () => {
  robot.answer = () => ({ status: 200, body: '{"errcode":310000,"errmsg":"keywords not in content"}' });
  const target = createWebhookTarget(
    { flavor: 'dingtalk', url: robot.url, urlEnv: 'DINGTALK_ROBOT_URL' },
    captureLogger().log,
  );
  await assert.rejects(target.send(sampleNotification()), (e: unknown) => {
    assert.ok(e instanceof WebhookRejectedError);
    assert.equal(e.errcode, 310000);
    assert.equal(e.errmsg, 'keywords not in content');
    return true;
  });
});

test('HTTP errors, non-JSON answers and silence are typed delivery errors', async () => {
  const target = createWebhookTarget(
    { flavor: 'wecom', url: robot.url, urlEnv: 'WECOM_ROBOT_URL', timeoutMs: 300 },
    captureLogger().log,
  );
  const codeOf = async () => {
    const e = await target.send(sampleNotification()).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(e instanceof NotifyDeliveryError, String(e));
    assert.ok(!e.message.includes(robot.key));
    return e.code;
  };
  robot.answer = () => ({ status: 502, body: 'Bad Gateway' });
  assert.equal(await codeOf(), 'HTTP_502');
  robot.answer = () => ({ status: 200, body: '<html>portal login</html>' });
  assert.equal(await codeOf(), 'BAD_ANSWER');
  robot.answer = () => 'hang';
  const started = Date.now();
  assert.equal(await codeOf(), 'ETIMEDOUT');
  assert.ok(Date.now() - started < 3000, 'the timeout bounds the wait');
});

test('an unreachable robot is a delivery error naming the code, not the URL', async () => {
  const gone = await startRobot();
  const url = gone.url;
  await gone.close();
  const target = createWebhookTarget(
    { flavor: 'wecom', url, urlEnv: 'WECOM_ROBOT_URL' },
    captureLogger().log,
  );
  await assert.rejects(target.send(sampleNotification()), (e: unknown) => {
    assert.ok(e instanceof NotifyDeliveryError);
    assert.equal(e.code, 'ECONNREFUSED');
    assert.ok(!e.message.includes(gone.key));
    return true;
  });
});

test('a long message is cut to the robot limit, keeping the facts and the link', async () => {
  const target = createWebhookTarget(
    { flavor: 'wecom', url: robot.url, urlEnv: 'WECOM_ROBOT_URL' },
    captureLogger().log,
  );
  const many = Array.from(
    { length: 80 },
    (_, i) => `第 ${i + 1} 张凭证：金额 1,234.56 元，状态 已发送，等待银行回执。`,
  );
  await target.send(sampleNotification({ lines: many }));
  const content = (JSON.parse(robot.requests[0]!.raw) as { markdown: { content: string } }).markdown.content;
  assert.ok(Buffer.byteLength(content, 'utf8') <= robotMarkdownMaxBytes);
  assert.ok(
    Buffer.byteLength(many.join('\n'), 'utf8') > robotMarkdownMaxBytes,
    'the input really was too long',
  );
  assert.ok(content.startsWith('### 【待审批】工商银行通道序号重同步\n第 1 张凭证'));
  assert.ok(content.includes('……（内容过长，已截断，详见链接）'));
  assert.ok(content.endsWith(expectedLines.slice(3).join('\n')), 'facts and link survive the cut');
  assert.ok(!content.includes('第 80 张凭证'));
});

test('createNotifier reads the robot URL from the named env var and refuses a missing or bad one', async () => {
  const { log, lines } = captureLogger();
  const notifier = createNotifier([{ type: 'webhook', flavor: 'wecom', urlEnv: 'TEST_WECOM_URL' }], log, {
    env: { TEST_WECOM_URL: robot.url },
  });
  assert.deepEqual(notifier.targets, ['wecom(TEST_WECOM_URL)']);
  await notifier.send(sampleNotification());
  assert.equal(robot.requests.length, 1);
  assert.ok(!lines.join('').includes(robot.key));

  assert.throws(
    () =>
      createNotifier([{ type: 'webhook', flavor: 'dingtalk', urlEnv: 'TEST_DING_URL' }], log, { env: {} }),
    (e: unknown) =>
      e instanceof NotifyConfigError &&
      /notify\.targets\[0\]\.urlEnv: environment variable TEST_DING_URL is not set/.test(e.message),
  );
  assert.throws(
    () =>
      createNotifier([{ type: 'webhook', flavor: 'dingtalk', urlEnv: 'TEST_DING_URL' }], log, {
        env: { TEST_DING_URL: 'oapi.dingtalk.com/robot/send?access_token=s3cr3t-token' },
      }),
    (e: unknown) =>
      e instanceof NotifyConfigError &&
      /TEST_DING_URL does not hold a URL/.test(e.message) &&
      !e.message.includes('s3cr3t'),
  );
});
