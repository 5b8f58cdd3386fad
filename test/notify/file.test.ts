import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotifyDeliveryError } from '../../connectors/notify/errors.ts';
import { createFileTarget, readNotificationRecords } from '../../connectors/notify/file.ts';
import { quietLogger, sampleNotification } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'notify-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);

test('appends one JSON line per notification, creating the folder', async () => {
  const path = join(dir, 'a', 'b', 'notifications.jsonl');
  const target = createFileTarget({ path }, quietLogger());
  assert.equal(target.name, `file(${path})`);
  const n = sampleNotification();
  const before = Date.now();
  await target.send(n);

  const written = lines(path);
  assert.equal(written.length, 1);
  const record = JSON.parse(written[0]!) as Record<string, unknown>;
  const { at, ...rest } = record;
  assert.deepEqual(rest, { ...n });
  assert.ok(Date.parse(String(at)) >= before - 1000, 'at is an ISO time of the write');
  assert.ok(
    readFileSync(path, 'utf8').includes('工商银行通道序号重同步'),
    'Chinese is stored as UTF-8, not escaped',
  );
});

test('the same idempotency key is written once; another key gets its own line', async () => {
  const path = join(dir, 'idempotent.jsonl');
  const target = createFileTarget({ path }, quietLogger());
  const n = sampleNotification();
  await target.send(n);
  await target.send(n);
  await target.send({ ...n, title: '重试时标题变了' });
  assert.equal(lines(path).length, 1);

  const other = sampleNotification({ kind: 'approval-reminder' });
  await target.send(other);
  const records = await readNotificationRecords(path);
  assert.deepEqual(
    records.map((r) => r.idempotencyKey),
    [n.idempotencyKey, other.idempotencyKey],
  );

  // A second target on the same file (another worker in the process) sees the same record.
  await createFileTarget({ path }, quietLogger()).send(n);
  assert.equal(lines(path).length, 2);
});

test('concurrent sends of one key (two retries racing) still write one line', async () => {
  const path = join(dir, 'race.jsonl');
  const n = sampleNotification();
  const a = createFileTarget({ path }, quietLogger());
  const b = createFileTarget({ path }, quietLogger());
  await Promise.all([a.send(n), b.send(n), a.send(n), b.send(sampleNotification()), a.send(n)]);
  assert.equal(lines(path).length, 2);
});

test('a torn last line does not swallow the next record', async () => {
  const path = join(dir, 'torn.jsonl');
  const target = createFileTarget({ path }, quietLogger());
  const first = sampleNotification();
  await target.send(first);
  appendFileSync(path, '{"at":"2026-11-27T08:00:00.000Z","kind":"run-fa');
  const next = sampleNotification({ kind: 'run-failed', title: '日常巡检失败' });
  await target.send(next);

  const records = await readNotificationRecords(path);
  assert.deepEqual(
    records.map((r) => r.idempotencyKey),
    [first.idempotencyKey, next.idempotencyKey],
  );
});

test('an unwritable path is a typed delivery error', async () => {
  const blocker = join(dir, 'not-a-folder');
  appendFileSync(blocker, 'x');
  const target = createFileTarget({ path: join(blocker, 'notifications.jsonl') }, quietLogger());
  await assert.rejects(target.send(sampleNotification()), (e: unknown) => {
    assert.ok(e instanceof NotifyDeliveryError);
    assert.equal(e.code, 'ENOTDIR');
    return true;
  });
});
