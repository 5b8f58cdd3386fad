/**
 * The commands a new user runs in a second terminal beside the stack, as real processes: the sandbox
 * CLI with only the secrets the stack generated (nothing exported), and the operator CLI's `status`
 * and `list` on a run waiting for its approval (holding its lock) and the same run finished.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import { ensureEmbeddedSecrets } from '../../scripts/lib/embedded-secrets.ts';
import { addTestUsers, decide, signedBy, waitForGate, type WaitingGate } from '../support/approvals.ts';
import { runCli, runEntryPoint } from '../support/cli.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;
/** The environment of a second terminal: the site chosen, no secret exported. */
let terminal: NodeJS.ProcessEnv;

before(async () => {
  estate = await startTestEstate({ banks: ['ICBC', 'BOC', 'CCB'] });
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
});

const operator = (args: string[]) => runCli(args, terminal);

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
});
