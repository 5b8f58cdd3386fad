import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from '../../connectors/notify/create-notifier.ts';
import { NotifyConfigError, NotifyDeliveryError } from '../../connectors/notify/errors.ts';
import { createSmtpTarget, notificationMessageId } from '../../connectors/notify/smtp.ts';
import {
  captureLogger,
  parseMail,
  quietLogger,
  sampleNotification,
  startSmtpSink,
  type SmtpSink,
} from './helpers.ts';

const user = 'runbooks@czj.example';
const password = 'mail-pass-7d1e';
let sink: SmtpSink;

before(async () => {
  sink = await startSmtpSink({ user, password, refuse: ['nobody@czj.example'] });
});
after(() => sink.close());
beforeEach(() => {
  sink.mails.length = 0;
});

const base = () => ({
  host: '127.0.0.1',
  port: sink.port,
  secure: false,
  from: '"金财运维" <runbooks@czj.example>',
  to: ['approver1@czj.example', 'approver2@czj.example'],
  auth: { user, password },
  timeoutMs: 3000,
});

test('one mail per notification: UTF-8 Chinese subject, recipients, text and HTML bodies', async () => {
  const { log, lines } = captureLogger();
  const target = createSmtpTarget(base(), log);
  assert.equal(target.name, `smtp(127.0.0.1:${sink.port})`);
  const n = sampleNotification({
    lines: ['计划将发送端序号重置为 1021。', '影响范围：<工商银行> 通道 & 回执队列'],
  });
  await target.send(n);

  assert.equal(sink.mails.length, 1);
  const mail = sink.mails[0]!;
  assert.equal(mail.user, user, 'the sink saw our login');
  assert.equal(mail.from, 'runbooks@czj.example');
  assert.deepEqual(mail.to, ['approver1@czj.example', 'approver2@czj.example']);

  const parsed = parseMail(mail.raw);
  assert.equal(parsed.subject, '【待审批】工商银行通道序号重同步');
  assert.match(parsed.headers.get('subject')!, /=\?UTF-8\?[BQ]\?/i, 'the subject is RFC 2047 encoded');
  assert.equal(parsed.headers.get('message-id'), notificationMessageId(n));
  assert.match(parsed.headers.get('to')!, /approver1@czj\.example, approver2@czj\.example/);

  const text = parsed.parts.find((p) => p.contentType.startsWith('text/plain'));
  const html = parsed.parts.find((p) => p.contentType.startsWith('text/html'));
  assert.ok(text && html, `both bodies present: ${parsed.parts.map((p) => p.contentType).join(', ')}`);
  assert.match(text.contentType, /charset=utf-8/i);
  assert.equal(
    text.text.replace(/\r\n/g, '\n'),
    [
      '【待审批】工商银行通道序号重同步',
      '',
      '计划将发送端序号重置为 1021。',
      '影响范围：<工商银行> 通道 & 回执队列',
      '',
      '运行手册：seq-resync',
      '工作流：seq-resync/CZ.TO.ICBC/2026-11-27',
      '银行：CZ.TO.ICBC',
      '需处理角色：finance-approver',
      '',
      '打开审批页面：http://127.0.0.1:8380/approvals/seq-resync%2FCZ.TO.ICBC%2F2026-11-27',
      '',
    ].join('\n'),
  );
  assert.ok(html.text.includes('<h3>【待审批】工商银行通道序号重同步</h3>'));
  assert.ok(
    html.text.includes('<p>影响范围：&lt;工商银行&gt; 通道 &amp; 回执队列</p>'),
    'body text is escaped',
  );
  assert.ok(
    html.text.includes(
      '<a href="http://127.0.0.1:8380/approvals/seq-resync%2FCZ.TO.ICBC%2F2026-11-27">打开审批页面</a>',
    ),
  );
  assert.ok(!lines.join('').includes(password), 'the password never reaches the log');
});

test('a resend of the same notification carries the same Message-ID', async () => {
  const target = createSmtpTarget(base(), quietLogger());
  const n = sampleNotification();
  await target.send(n);
  await target.send(n);
  await target.send(sampleNotification());
  const ids = sink.mails.map((m) => parseMail(m.raw).headers.get('message-id'));
  assert.equal(ids.length, 3);
  assert.equal(ids[0], ids[1]);
  assert.notEqual(ids[0], ids[2]);
});

test('a wrong password is a typed EAUTH delivery error without the password', async () => {
  const target = createSmtpTarget({ ...base(), auth: { user, password: 'wrong-pass-42' } }, quietLogger());
  await assert.rejects(target.send(sampleNotification()), (e: unknown) => {
    assert.ok(e instanceof NotifyDeliveryError);
    assert.equal(e.code, 'EAUTH');
    assert.ok(!e.message.includes('wrong-pass-42'));
    return true;
  });
  assert.equal(sink.mails.length, 0);
});

test('a refused recipient fails the send, naming the address', async () => {
  const target = createSmtpTarget(
    { ...base(), to: ['approver1@czj.example', 'nobody@czj.example'] },
    quietLogger(),
  );
  await assert.rejects(target.send(sampleNotification()), (e: unknown) => {
    assert.ok(e instanceof NotifyDeliveryError);
    assert.equal(e.code, 'ERECIPIENT');
    assert.match(e.message, /refused 1 of 2 recipients: nobody@czj\.example/);
    return true;
  });
  assert.deepEqual(sink.mails[0]?.to, ['approver1@czj.example'], 'the other recipient has it');
});

test('an unreachable mail server is a typed delivery error', async () => {
  const gone = await startSmtpSink({ user, password });
  const port = gone.port;
  await gone.close();
  const target = createSmtpTarget({ ...base(), port }, quietLogger());
  await assert.rejects(target.send(sampleNotification()), (e: unknown) => {
    assert.ok(e instanceof NotifyDeliveryError);
    assert.equal(e.code, 'ESOCKET');
    assert.match(e.message, /ECONNREFUSED/);
    return true;
  });
});

test('createNotifier takes SMTP credentials from the named env vars', async () => {
  const targets = [
    {
      type: 'smtp' as const,
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      userEnv: 'TEST_SMTP_USER',
      passwordEnv: 'TEST_SMTP_PASSWORD',
      from: 'runbooks@czj.example',
      to: ['approver1@czj.example'],
    },
  ];
  const notifier = createNotifier(targets, quietLogger(), {
    env: { TEST_SMTP_USER: user, TEST_SMTP_PASSWORD: password },
  });
  await notifier.send(sampleNotification({ kind: 'approval-expired', title: '审批超时未处理' }));
  assert.equal(parseMail(sink.mails[0]!.raw).subject, '【审批已过期】审批超时未处理');

  assert.throws(
    () => createNotifier(targets, quietLogger(), { env: { TEST_SMTP_USER: user } }),
    (e: unknown) =>
      e instanceof NotifyConfigError &&
      e.message === 'notify.targets[0].passwordEnv: environment variable TEST_SMTP_PASSWORD is not set',
  );
  assert.throws(
    () => createNotifier([{ ...targets[0]!, passwordEnv: undefined }], quietLogger(), { env: {} }),
    (e: unknown) => e instanceof NotifyConfigError && /set both userEnv and passwordEnv/.test(e.message),
  );
});
