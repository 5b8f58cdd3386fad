import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createNotifyActivities } from '../../activities/notify.ts';
import { createNotifier } from '../../connectors/notify/create-notifier.ts';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import type { Notification } from '../../connectors/notify/notification.ts';
import { ErrorKind } from '../../domain/errors.ts';
import { quietLogger, sampleNotification, startRobot, type FakeRobot } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'notify-activity-'));
let robot: FakeRobot;

before(async () => {
  robot = await startRobot(() => ({
    status: 200,
    body: '{"errcode":45009,"errmsg":"api freq out of limit"}',
  }));
});
after(async () => {
  await robot.close();
  rmSync(dir, { recursive: true, force: true });
});

test('notify records the notification through the configured targets', async () => {
  const path = join(dir, 'ok.jsonl');
  const { notify } = createNotifyActivities({
    notifier: createNotifier([{ type: 'file', path }], quietLogger()),
  });
  const n = sampleNotification();
  await notify(n);
  await notify(n); // a retry of the same activity
  assert.deepEqual(
    (await readNotificationRecords(path)).map((r) => r.idempotencyKey),
    [n.idempotencyKey],
  );
});

test('a bad notification fails at once, non-retryably, naming each wrong field', async () => {
  const path = join(dir, 'bad.jsonl');
  const { notify } = createNotifyActivities({
    notifier: createNotifier([{ type: 'file', path }], quietLogger()),
  });
  const bad = {
    ...sampleNotification(),
    kind: 'approval-granted',
    link: 'javascript:alert(1)',
    title: ' ',
  } as unknown as Notification;
  await assert.rejects(notify(bad), (e: unknown) => {
    assert.ok(e instanceof ApplicationFailure);
    assert.equal(e.type, ErrorKind.InvalidInput);
    assert.equal(e.nonRetryable, true);
    assert.match(e.message, /input\.kind: /);
    assert.match(e.message, /input\.link: an http\(s\) URL/);
    assert.match(e.message, /input\.title: /);
    return true;
  });
  assert.deepEqual(await readNotificationRecords(path), [], 'nothing was sent');
});

test('a failed target becomes a retryable NotificationFailed naming it', async () => {
  const path = join(dir, 'partial.jsonl');
  const { notify } = createNotifyActivities({
    notifier: createNotifier(
      [
        { type: 'file', path },
        { type: 'webhook', flavor: 'wecom', urlEnv: 'TEST_WECOM_URL' },
      ],
      quietLogger(),
      { env: { TEST_WECOM_URL: robot.url } },
    ),
  });
  await assert.rejects(notify(sampleNotification()), (e: unknown) => {
    assert.ok(e instanceof ApplicationFailure);
    assert.equal(e.type, ErrorKind.NotificationFailed);
    assert.equal(e.nonRetryable, false);
    assert.match(e.message, /wecom\(TEST_WECOM_URL\).*errcode 45009/);
    assert.deepEqual(e.details, [
      {
        failed: [
          {
            target: 'wecom(TEST_WECOM_URL)',
            reason: 'robot refused the message: errcode 45009 (api freq out of limit)',
            code: 'ROBOT_REJECTED',
          },
        ],
        delivered: [`file(${path})`],
      },
    ]);
    assert.ok(!JSON.stringify(e.details).includes(robot.key));
    return true;
  });
  assert.equal((await readNotificationRecords(path)).length, 1);
});
