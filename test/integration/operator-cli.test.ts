/**
 * The commands a new user runs in a second terminal beside the stack, as real processes: the sandbox
 * CLI with only the secrets the stack generated (nothing exported), the operator CLI's `status`
 * and `list` (and its filters) on a run waiting for its approval (holding its lock) and the same
 * run finished, and `status --follow` of a voucher resend from its start to its end — in a
 * pseudo-terminal (a bar redrawn in place) and through a pipe (plain lines).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { ensureEmbeddedSecrets } from '../../scripts/lib/embedded-secrets.ts';
import { addTestUsers, decide, signedBy, waitForGate, type WaitingGate } from '../support/approvals.ts';
import { runCli, runCliInTerminal, runEntryPoint } from '../support/cli.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { approveNext, quick, resendSite, startResend, until } from '../support/voucher-resend.ts';
import { workingTodayCalendar } from '../support/open-all-day.ts';

let estate: TestEstate;
/** The environment of a second terminal: the site chosen, no secret exported. */
let terminal: NodeJS.ProcessEnv;
const calendar = workingTodayCalendar();

before(async () => {
  estate = await startTestEstate({ banks: ['ICBC', 'BOC', 'CCB'], edit: resendSite(calendar.file) });
  await addTestUsers(estate.site);
  await estate.startWorker();
  // What `./jincai start` does on its first start: the secrets it will hand its processes, kept on disk.
  ensureEmbeddedSecrets(estate.site, estate.env);
  terminal = { ...estate.env };
  delete terminal.JINCAI_MQWEB_USER;
  delete terminal.JINCAI_MQWEB_PASSWORD;
});
after(async () => {
  await estate?.stop();
  calendar.remove();
});

const operator = (args: string[], onOutput?: (stdout: string) => void) => runCli(args, terminal, onOutput);

describe('a second terminal beside the stack', () => {
  it('injects the scenario the stack suggests with the secrets the stack generated, printing none', async () => {
    const run = await runEntryPoint('sandbox/cli.ts', ['scenario', 'bad-monday'], terminal);
    assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /sequence-mismatch/);
    const password = String(estate.env.JINCAI_MQWEB_PASSWORD);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(password), 'the password was printed');
    const active = estate.sandbox.faults.active().map((f) => `${f.fault}/${f.bank}`);
    assert.ok(active.includes('sequence-mismatch/CCB'), active.join(', '));
    assert.ok(active.includes('channel-network-down/ICBC'), active.join(', '));
  });

  const id = `channel-recovery/CZ.TO.CCB/cli-${Date.now()}`;
  let gate: WaitingGate;

  it('shows a run waiting for approval: its step, the gate, who may decide, the plan digest', async () => {
    await estate.sandbox.faults.clear({});
    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'CCB' });
    await estate.client.workflow.start('channelRecovery', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [{ bank: 'CCB', requestedBy: 'eng', verifySeconds: 30 }],
    });
    gate = await waitForGate(estate.client, id);

    const waiting = await operator(['status', id]);
    assert.equal(waiting.code, 0, waiting.stderr);
    assert.match(waiting.stdout, /channelRecovery {2}RUNNING/);
    assert.match(waiting.stdout, /Step: awaiting-approval/);
    assert.match(
      waiting.stdout,
      new RegExp(`Waiting for approval at step execute \\(${gate.gateId}\\): 0/1 vote`),
    );
    assert.match(waiting.stdout, /roles comm-approver, finance-approver/);
    assert.match(waiting.stdout, new RegExp(`digest ${gate.planDigest.slice(0, 12)}`));
  });

  it('lists runbooks only — not the lock the waiting run holds — and filters by runbook', async () => {
    const all = await operator(['list', '--limit', '500']);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`channel-recovery +- +${id}  \\[awaiting approval\\]`));
    assert.doesNotMatch(all.stdout, /lock\//);
    const recoveries = await operator(['list', '--runbook', 'channel-recovery', '--limit', '500']);
    assert.equal(recoveries.code, 0, recoveries.stderr);
    const lines = recoveries.stdout.trim().split('\n');
    assert.ok(lines.length > 0 && lines.every((l) => / channel-recovery /.test(l)), recoveries.stdout);
    const unknown = await operator(['list', '--runbook', 'channel-recovry']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--runbook: unknown runbook "channel-recovry"; expected one of /);
  });

  it('lists the runs waiting for approval', async () => {
    const waiting = await operator(['list', '--awaiting-approval', '--limit', '500']);
    assert.equal(waiting.code, 0, waiting.stderr);
    const lines = waiting.stdout.trim().split('\n');
    assert.ok(
      lines.some((l) => l.includes(id)),
      waiting.stdout,
    );
    assert.ok(
      lines.every((l) => l.endsWith('[awaiting approval]')),
      waiting.stdout,
    );
    const bad = await operator(['list', '--outcome', "recovered' OR Outcome != '"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--outcome: "recovered' OR Outcome != '" is not an outcome/);
  });

  it('shows the finished run: outcome, actions, verification, approval and report', async () => {
    await decide(estate.client, id, signedBy(estate.site, gate, 'wang', { reason: '已确认' }));
    const result: ChannelRecoveryResult = await estate.client.workflow.getHandle(id).result();
    assert.equal(result.outcome, 'recovered');
    const done = await operator(['status', id]);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /channelRecovery {2}COMPLETED/);
    assert.match(done.stdout, /^Outcome: recovered$/m);
    assert.match(done.stdout, /^Actions: 1$/m);
    assert.match(done.stdout, /^ {2}START CHANNEL\(CZ\.TO\.CCB\) — /m);
    assert.match(done.stdout, /^Verified: RUNNING, transmission queue depth 0$/m);
    assert.match(done.stdout, /^Approval execute: approved \(wang approve\)/m);
    assert.ok(done.stdout.includes(`Report: ${result.report.markdown}`), done.stdout);
    assert.doesNotMatch(done.stdout, /undefined/);
  });

  it('lists runs by outcome, and a run that has ended no longer as waiting', async () => {
    const recovered = await operator(['list', '--runbook', 'channel-recovery', '--outcome', 'recovered']);
    assert.equal(recovered.code, 0, recovered.stderr);
    assert.match(recovered.stdout, new RegExp(`recovered +${id}\n`));
    const waiting = await operator(['list', '--awaiting-approval', '--limit', '500']);
    assert.ok(!waiting.stdout.includes(id), waiting.stdout);
  });

  it('follows a voucher resend to its end: a bar that moves, the approval with its inbox link, the outcome', async () => {
    const late = (await estate.sandbox.faults.inject({ fault: 'voucher-timed-out', bank: 'ICBC', count: 2 }))
      .details.vouchers as string[];
    const resend = `voucher-resend/ICBC/follow-${Date.now()}`;
    await startResend(estate.client, estate.site, resend, {
      bank: 'ICBC',
      requestedBy: 'eng',
      voucherNos: late,
      ...quick,
    });
    let seen = '';
    let piped = '';
    const followed = runCliInTerminal(['status', resend, '--follow'], terminal, (sofar) => (seen = sofar));
    const plain = operator(['status', resend, '--follow'], (sofar) => (piped = sofar));
    const link = `http://localhost:8380/approvals/${encodeURIComponent(resend)}`;
    const atGate = /\[░{24}\] {3}0% {2}vouchers 0\/2 {2}awaiting-approval:resend/;
    // Both followers see the run at its gate before it is approved.
    await until(
      'the followers to see the run wait for its approval',
      () => [seen, piped].every((out) => out.includes(link)) && atGate.test(seen),
    );
    assert.match(seen, /Waiting for approval at step resend: 0\/1 vote\(s\); roles comm-approver/);
    await approveNext(estate.client, estate.site, resend);

    const tty = await followed;
    assert.equal(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, /\[█{24}\] 100% {2}vouchers 2\/2/, 'the bar reached its end');
    assert.ok(tty.stdout.includes('\r\x1b[2K'), 'the bar is redrawn in place');
    assert.match(tty.stdout, /Approval resend: approved \(wang approve\)/);
    assert.match(tty.stdout, /^Outcome: completed/m);

    const lines = await plain;
    assert.equal(lines.code, 0, lines.stderr);
    assert.ok(
      !lines.stdout.includes('\r') && !lines.stdout.includes('\x1b'),
      'plain lines without a terminal',
    );
    for (const line of [
      'Progress: vouchers 0/2 (0%)',
      'Step: awaiting-approval:resend',
      `  Decide in the inbox / 审批链接: ${link}`,
      'Progress: vouchers 2/2 (100%)',
      'Outcome: completed',
    ])
      assert.ok(lines.stdout.split('\n').includes(line), `"${line}" in:\n${lines.stdout}`);
  });
});
