import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { runApprovalCommand, type ApprovalCommand } from '../../scripts/lib/approval-commands.ts';
import { startApprovalTestbed, type ApprovalTestbed, type PersonName } from '../support/approval-testbed.ts';

let tb: ApprovalTestbed;

before(async () => {
  tb = await startApprovalTestbed();
});
after(async () => {
  await tb?.stop();
});

async function cli(
  command: ApprovalCommand,
  args: string[],
  who: PersonName | { env: NodeJS.ProcessEnv },
  stdin: PassThrough & { isTTY?: boolean } = new PassThrough(),
) {
  const out: string[] = [];
  const err: string[] = [];
  const env = typeof who === 'string' ? undefined : who.env;
  const person = typeof who === 'string' ? tb.people[who] : undefined;
  const code = await runApprovalCommand(command, args, {
    site: tb.site,
    io: {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: env ?? { JINCAI_USER: person!.id, JINCAI_PASSWORD: person!.password },
      stdin,
      stderr: { write: () => true },
    },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('approvals lists the run; approve prints the plan and its digest, then approves exactly that plan', async () => {
  const run = await tb.startFixtureRun();
  const { pending } = await tb.waitForState(run.workflowId);
  const listed = await cli('approvals', [], 'approver');
  assert.equal(listed.code, 0, listed.err);
  assert.match(listed.out, new RegExp(`${run.workflowId}  inbox-fixture  ICBC  0/1`));
  assert.match(listed.out, /重启工商银行发送通道 CZ\.TO\.ICBC/);

  const approved = await cli('approve', [run.workflowId, '--reason', '同意重启'], 'approver');
  assert.equal(approved.code, 0, approved.err);
  assert.ok(approved.out.includes(pending!.planDigest), 'the full digest is printed');
  assert.match(approved.out, /STOP CHANNEL\(CZ\.TO\.ICBC\) MODE\(QUIESCE\)/);
  assert.match(approved.out, /¥1,234\.56/);
  assert.match(approved.out, /\*\*\*\*3445/);
  assert.doesNotMatch(approved.out, /6222020200112233445/);
  assert.match(approved.out, /已同意 \/ Approved/);
  assert.match(approved.out, /方案已批准/);
  const result = await run.result();
  assert.deepEqual(result.votes, [{ user: 'li.na', verdict: 'approve', reason: '同意重启', via: 'cli' }]);
});

test('reject needs a reason (exit 2, nothing sent); with one, the run ends rejected', async () => {
  const run = await tb.startFixtureRun();
  const noReason = await cli('reject', [run.workflowId], 'approver2');
  assert.equal(noReason.code, 2);
  assert.match(noReason.err, /--reason is required/);
  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, []);

  const rejected = await cli('reject', [run.workflowId, '--reason', '请先与银行核对'], 'approver2');
  assert.equal(rejected.code, 0, rejected.err);
  assert.equal((await run.result()).outcome, 'rejected');
});

test('a refusal exits 3 with the reason in Chinese and English', async () => {
  const run = await tb.startFixtureRun({ requestedBy: tb.people.approver2.id });
  const self = await cli('approve', [run.workflowId], 'approver2');
  assert.equal(self.code, 3);
  assert.match(self.err, /self-approval/);
  assert.match(self.err, /这是您发起的运行，不能自己审批。/);
  assert.match(self.err, /You requested this run; you cannot approve it yourself\./);
  assert.deepEqual((await tb.waitForState(run.workflowId)).pending?.votes, []);
  await run.terminate('test done');
});

test('bad usage exits 2: no user, no password without a terminal, no workflow id, an unknown option', async () => {
  const { approver } = tb.people;
  const noUser = await cli('approvals', [], { env: { JINCAI_PASSWORD: approver.password } });
  assert.equal(noUser.code, 2);
  assert.match(noUser.err, /--user/);

  const noTty = await cli('approvals', ['--user', approver.id], { env: {} });
  assert.equal(noTty.code, 2);
  assert.match(noTty.err, /set JINCAI_PASSWORD, or run the command in a terminal/);

  assert.equal((await cli('approve', [], 'approver')).code, 2);
  assert.equal((await cli('approvals', ['--colour'], 'approver')).code, 2);
  assert.equal((await cli('approvals', ['--inbox', 'ftp://x'], 'approver')).code, 2);
});

test('the password can be typed at a hidden prompt on a terminal', async () => {
  const { approver } = tb.people;
  const tty = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => tty });
  const pending = cli('approvals', ['--user', approver.id], { env: {} }, tty);
  setTimeout(() => tty.write(`${approver.password}\r`), 50);
  const listed = await pending;
  assert.equal(listed.code, 0, listed.err);
});

test('a wrong password or an unreachable inbox exits 1 with a clear message', async () => {
  const { approver } = tb.people;
  const wrong = await cli('approvals', [], {
    env: { JINCAI_USER: approver.id, JINCAI_PASSWORD: 'wrong-password' },
  });
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /sign-in failed/);
  const away = await cli('approvals', ['--inbox', 'http://127.0.0.1:9'], 'approver');
  assert.equal(away.code, 1);
  assert.match(away.err, /cannot reach the inbox at http:\/\/127\.0\.0\.1:9/);
});
