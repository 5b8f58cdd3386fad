import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusalReasons } from '../../domain/approvals/gate-types.ts';
import { formatFen, formatInstant, maskAccount, maskName } from '../../domain/display.ts';
import { html } from '../../inbox/html.ts';
import { refusalText } from '../../inbox/i18n.ts';
import { createLoginThrottle, type LoginThrottle } from '../../inbox/login-throttle.ts';
import { createSessionStore } from '../../inbox/sessions.ts';

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

function attempt(t: LoginThrottle, user: string, ip: string, succeeds: boolean): number | 'admitted' {
  const a = t.admit(user, ip);
  if (!a.admitted) return a.retryAfterSeconds;
  a.ticket.finish(succeeds);
  return 'admitted';
}

test('the throttle counts attempts per account: five unsuccessful ones lock it, across addresses', () => {
  let now = 0;
  const t = createLoginThrottle({ maxFailures: 5, lockMs: 60_000 }, () => now);
  for (let i = 0; i < 4; i++) assert.equal(attempt(t, 'li.na', `10.0.0.${i}`, false), 'admitted');
  assert.equal(attempt(t, 'LI.NA', '10.0.0.9', false), 'admitted', 'the fifth is still checked');
  assert.equal(
    attempt(t, 'li.na', '10.0.0.1', true),
    60,
    'then the account is locked, right password or not',
  );
  assert.equal(attempt(t, 'wang.fang', '10.0.0.1', true), 'admitted');
  now = 59_500;
  assert.equal(attempt(t, 'li.na', '10.0.0.1', true), 1);
  now = 60_000;
  assert.equal(attempt(t, 'li.na', '10.0.0.1', true), 'admitted');
  assert.equal(attempt(t, 'li.na', '10.0.0.1', false), 'admitted', 'a success cleared the count');
});

test('the throttle counts an attempt when it arrives, not when its hash is done', () => {
  const t = createLoginThrottle({ maxFailures: 5, lockMs: 60_000, concurrentPerAccount: 2 }, () => 0);
  const running = [t.admit('li.na', '10.0.0.1'), t.admit('li.na', '10.0.0.2')];
  assert.ok(running.every((a) => a.admitted));
  // Three more arrive while two hash: refused as busy, and counted.
  for (let i = 0; i < 3; i++)
    assert.deepEqual(t.admit('li.na', '10.0.0.3'), { admitted: false, retryAfterSeconds: 1, why: 'busy' });
  for (const a of running) if (a.admitted) a.ticket.finish(false);
  assert.deepEqual(t.admit('li.na', '10.0.0.4'), { admitted: false, retryAfterSeconds: 60, why: 'locked' });
});

test('the throttle locks a source address that tries many accounts, and caps its concurrent attempts', () => {
  const t = createLoginThrottle(
    { maxFailures: 5, lockMs: 30_000, maxSourceFailures: 10, concurrentPerSource: 3 },
    () => 0,
  );
  for (let i = 0; i < 10; i++) assert.equal(attempt(t, `user${i}`, '10.9.9.9', false), 'admitted');
  assert.equal(attempt(t, 'fresh.user', '10.9.9.9', true), 30);
  assert.equal(attempt(t, 'fresh.user', '10.9.9.8', true), 'admitted', 'another address is not affected');

  const busy = [0, 1, 2].map((i) => t.admit(`other${i}`, '10.7.7.7'));
  assert.ok(busy.every((a) => a.admitted));
  assert.equal(attempt(t, 'other3', '10.7.7.7', true), 1);
});

test('a success takes back only its own count at the source', () => {
  const t = createLoginThrottle({ maxFailures: 5, lockMs: 30_000, maxSourceFailures: 3 }, () => 0);
  assert.equal(attempt(t, 'a.one', '10.1.1.1', false), 'admitted');
  assert.equal(attempt(t, 'b.two', '10.1.1.1', false), 'admitted');
  assert.equal(attempt(t, 'c.three', '10.1.1.1', true), 'admitted');
  assert.equal(attempt(t, 'd.four', '10.1.1.1', false), 'admitted', 'the success did not count');
  assert.equal(attempt(t, 'c.three', '10.1.1.1', true), 30);
});
