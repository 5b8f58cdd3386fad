import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotifier, fanOut } from '../../connectors/notify/create-notifier.ts';
import { NotifyConfigError, NotifyFanOutError } from '../../connectors/notify/errors.ts';
import { createFileTarget, readNotificationRecords } from '../../connectors/notify/file.ts';
import type { NotifyTargetConfig } from '../../temporal.config.ts';
import {
  captureLogger,
  quietLogger,
  robotOk,
  sampleNotification,
  startRobot,
  type FakeRobot,
} from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'notify-fanout-'));
let wecom: FakeRobot;
let dingtalk: FakeRobot;

before(async () => {
  [wecom, dingtalk] = await Promise.all([startRobot(), startRobot()]);
});
after(async () => {
  await Promise.all([wecom.close(), dingtalk.close()]);
  rmSync(dir, { recursive: true, force: true });
});

test('one failing target does not stop the others; the call fails naming it; a retry resends only there', async () => {
  const path = join(dir, 'fan-out.jsonl');
  const targets: NotifyTargetConfig[] = [
    { type: 'file', path },
    { type: 'webhook', flavor: 'wecom', urlEnv: 'TEST_WECOM_URL' },
    { type: 'webhook', flavor: 'dingtalk', urlEnv: 'TEST_DING_URL' },
  ];
  const { log, lines } = captureLogger();
  const notifier = createNotifier(targets, log, {
    env: { TEST_WECOM_URL: wecom.url, TEST_DING_URL: dingtalk.url },
  });
  assert.deepEqual(notifier.targets, [`file(${path})`, 'wecom(TEST_WECOM_URL)', 'dingtalk(TEST_DING_URL)']);

  dingtalk.answer = () => ({
    status: 200,
    body: '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}',
  });
  const n = sampleNotification();
  const err = await notifier.send(n).then(
    () => assert.fail('expected the fan-out to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof NotifyFanOutError);
  assert.deepEqual(
    err.failures.map((f) => [f.target, f.code]),
    [['dingtalk(TEST_DING_URL)', 'ROBOT_REJECTED']],
  );
  assert.deepEqual(err.delivered, [`file(${path})`, 'wecom(TEST_WECOM_URL)']);
  assert.match(
    err.message,
    /not delivered to 1 of 3 targets: dingtalk\(TEST_DING_URL\) \(robot refused the message: errcode 130101/,
  );
  assert.equal((await readNotificationRecords(path)).length, 1, 'the file has it');
  assert.equal(wecom.requests.length, 1, 'the WeCom group has it');
  assert.equal(dingtalk.requests.length, 1);

  // The activity retries: the targets that had it are skipped, the failed one is tried again.
  await assert.rejects(notifier.send(n), NotifyFanOutError);
  assert.equal(wecom.requests.length, 1);
  assert.equal(dingtalk.requests.length, 2);

  dingtalk.answer = () => robotOk;
  await notifier.send(n);
  assert.equal(wecom.requests.length, 1, 'no duplicate in the WeCom group');
  assert.equal(dingtalk.requests.length, 3);
  assert.equal((await readNotificationRecords(path)).length, 1);

  // A new notification goes to all again.
  await notifier.send(sampleNotification({ kind: 'approval-reminder' }));
  assert.equal(wecom.requests.length, 2);
  assert.equal(dingtalk.requests.length, 4);
  assert.equal((await readNotificationRecords(path)).length, 2);

  const logged = lines.join('');
  assert.ok(logged.includes('notification not delivered to every target'));
  assert.ok(!logged.includes(wecom.key) && !logged.includes(dingtalk.key), 'no robot key in the log');
});

test('every target failing names every target', async () => {
  const gone = await startRobot();
  await gone.close();
  const blocker = join(dir, 'blocker');
  writeFileSync(blocker, 'a file where a folder should be');
  const path = join(blocker, 'notifications.jsonl');
  const notifier = createNotifier(
    [
      { type: 'webhook', flavor: 'wecom', urlEnv: 'TEST_WECOM_URL' },
      { type: 'file', path },
    ],
    quietLogger(),
    { env: { TEST_WECOM_URL: gone.url } },
  );
  await assert.rejects(notifier.send(sampleNotification()), (e: unknown) => {
    assert.ok(e instanceof NotifyFanOutError);
    assert.deepEqual(e.delivered, []);
    assert.deepEqual(
      e.failures.map((f) => [f.target, f.code]),
      [
        ['wecom(TEST_WECOM_URL)', 'ECONNREFUSED'],
        [`file(${path})`, 'ENOTDIR'],
      ],
    );
    return true;
  });
});

test('no targets: sending is a no-op, with a warning when the notifier is built', async () => {
  const { log, lines } = captureLogger();
  const notifier = createNotifier([], log);
  await notifier.send(sampleNotification());
  assert.match(lines[0] ?? '', /no notification targets configured/);
});

test('the same target twice is a configuration error', () => {
  const path = join(dir, 'twice.jsonl');
  assert.throws(
    () =>
      fanOut(
        [createFileTarget({ path }, quietLogger()), createFileTarget({ path }, quietLogger())],
        quietLogger(),
      ),
    NotifyConfigError,
  );
});
