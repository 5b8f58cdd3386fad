/**
 * The sign-in throttle against a burst, as an attacker sends it: 199 wrong passwords and the
 * right one at once, through the API the CLI uses. Attempts are counted as they arrive, so the
 * burst is answered with 429s after a handful of password checks, and the right password is
 * refused too while the account is locked — on the API, on the sign-in page and in the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { UserDirectory } from '../../connectors/users/directory.ts';
import { runApprovalCommand } from '../../scripts/lib/approval-commands.ts';
import { startApprovalTestbed, type ApprovalTestbed } from '../support/approval-testbed.ts';
import { Agent, api } from './helpers.ts';

let tb: ApprovalTestbed;
const passwordChecks = new Map<string, number>();

function counting(users: UserDirectory): UserDirectory {
  return {
    ...users,
    authenticate(id, password) {
      passwordChecks.set(id, (passwordChecks.get(id) ?? 0) + 1);
      return users.authenticate(id, password);
    },
  };
}

before(async () => {
  tb = await startApprovalTestbed({ throttle: { maxFailures: 5, lockMs: 60_000 }, wrapUsers: counting });
});
after(async () => {
  await tb?.stop();
});

test('199 wrong passwords and the right one at once: 429s, the right one refused, five password checks', async () => {
  const { director } = tb.people;
  const rightAt = 100;
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      fetch(new URL('/api/session', tb.inbox.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          user: director.id,
          password: i === rightAt ? director.password : `wrong-password-${i}`,
        }),
      }).then(async (res) => ({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as { token?: string; message?: string },
      })),
    ),
  );
  const elapsedMs = Date.now() - started;
  const count = (status: number) => answers.filter((a) => a.status === status).length;
  const checks = passwordChecks.get(director.id) ?? 0;
  console.log(
    `burst of 200: ${count(429)} × 429, ${count(401)} × 401, ${count(200)} × 200; ${checks} password checks; ${elapsedMs} ms`,
  );

  assert.equal(count(200), 0, 'no session for anyone');
  assert.equal(answers[rightAt]?.status, 429, 'the right password was refused while throttled');
  assert.equal(answers[rightAt]?.body.token, undefined);
  assert.ok(checks <= 5, `at most five password checks, not ${checks}`);
  assert.ok(count(429) >= 195, `at least 195 refused before any check, not ${count(429)}`);
  for (const a of answers.filter((x) => x.status === 429)) {
    assert.match(a.retryAfter ?? '', /^\d+$/);
    assert.match(a.body.message ?? '', /try again in \d+ s/);
  }

  // The lock holds for the account on every front door, with the wait said.
  const later = await api(tb.inbox.url, 'POST', '/api/session', {
    body: { user: director.id, password: director.password },
  });
  assert.equal(later.status, 429);
  const page = await new Agent(tb.inbox.url).signIn(director.id, director.password);
  assert.equal(page.status, 429);
  assert.match(page.headers.get('retry-after') ?? '', /^\d+$/);
  assert.match(page.body, /登录尝试次数过多，请 \d+ 秒后再试/);
  const err: string[] = [];
  const code = await runApprovalCommand('approvals', [], {
    site: tb.site,
    io: {
      out: () => undefined,
      err: (line) => err.push(line),
      env: { JINCAI_USER: director.id, JINCAI_PASSWORD: director.password },
    },
  });
  assert.equal(code, 1);
  assert.match(err.join('\n'), /try again in \d+ s/);
  assert.equal(passwordChecks.get(director.id), checks, 'no password was checked while locked');

  // Another account from the same address still signs in.
  const { approver } = tb.people;
  const other = await api(tb.inbox.url, 'POST', '/api/session', {
    body: { user: approver.id, password: approver.password },
  });
  assert.equal(other.status, 200);
});
