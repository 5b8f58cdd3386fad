import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFen, formatInstant, maskAccount, maskName } from '../../inbox/format.ts';
import { html } from '../../inbox/html.ts';
import { refusalText } from '../../inbox/i18n.ts';
import { createLoginThrottle, createSessionStore } from '../../inbox/sessions.ts';
import { refusalReasons } from '../../workflows/shared/approval-messages.ts';

test('fen become yuan with separators and two decimals', () => {
  assert.equal(formatFen(0), '¥0.00');
  assert.equal(formatFen(5), '¥0.05');
  assert.equal(formatFen(123456), '¥1,234.56');
  assert.equal(formatFen(100000000), '¥1,000,000.00');
  assert.equal(formatFen(-12345), '-¥123.45');
  assert.equal(formatFen(1.5), '¥?');
});

test('payee data is masked however it arrives', () => {
  assert.equal(maskAccount('6222 0202 0011 2233 445'), '****3445');
  assert.equal(maskAccount('****1234'), '****1234');
  assert.equal(maskAccount('12'), '****12');
  assert.equal(maskAccount(undefined), '');
  assert.equal(maskName('张三丰'), '张**');
  assert.equal(maskName('张*'), '张*');
  assert.equal(maskName('李'), '李*');
});

test('instants show in the site time zone', () => {
  assert.equal(formatInstant('2026-11-27T16:30:00.000Z', 'Asia/Shanghai'), '2026-11-28 00:30');
});

test('html escapes every interpolation but nests its own output', () => {
  const inner = html`<b>${'<i>'}</b>`;
  assert.equal(
    html`<p title="${'"x"'}">${inner}${['<', '>']}${undefined}${false}</p>`.value,
    '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;&gt;</p>',
  );
});

test('every refusal the workflow can give has Chinese and English text', () => {
  for (const reason of refusalReasons) {
    const text = refusalText(reason);
    assert.ok(text.zh && /[\u4e00-\u9fff]/.test(text.zh), reason);
    assert.ok(text.en && /^[A-Z]/.test(text.en), reason);
  }
});

test('sessions end after the idle time; browser and bearer sessions are not interchangeable', () => {
  let now = 0;
  const store = createSessionStore({ idleMs: 1000, now: () => now });
  const user = { id: 'li.na', displayName: '李娜', roles: [] };
  const s = store.create(user, 'browser');
  assert.equal(store.touch(s.id, 'bearer'), undefined);
  now = 900;
  assert.equal(store.touch(s.id, 'browser')?.user.id, 'li.na');
  now = 1800;
  assert.ok(store.touch(s.id, 'browser'), 'touching restarted the idle timer');
  now = 2900;
  assert.equal(store.touch(s.id, 'browser'), undefined);
  assert.equal(store.sweep(), 0);
});

test('the throttle locks a user id at one address after five failures, for the lock time', () => {
  let now = 0;
  const t = createLoginThrottle({ maxFailures: 5, lockMs: 60_000, now: () => now });
  for (let i = 0; i < 4; i++) t.failed('li.na', '10.0.0.1');
  assert.equal(t.lockedFor('li.na', '10.0.0.1'), 0);
  t.failed('LI.NA', '10.0.0.1');
  assert.equal(t.lockedFor('li.na', '10.0.0.1'), 60);
  assert.equal(t.lockedFor('li.na', '10.0.0.2'), 0);
  assert.equal(t.lockedFor('wang.fang', '10.0.0.1'), 0);
  now = 59_500;
  assert.equal(t.lockedFor('li.na', '10.0.0.1'), 1);
  now = 60_000;
  assert.equal(t.lockedFor('li.na', '10.0.0.1'), 0);
});
