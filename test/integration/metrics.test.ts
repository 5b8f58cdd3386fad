/**
 * The Prometheus endpoints scraped as Prometheus scrapes them, around real work: a worker process
 * and an inbox process started from the test's site as an operator starts them, the sandbox in this
 * process. An inspection finds CCB's stopped channel; a channel recovery waits at its gate (the
 * worker counts the approval waiting), is approved through the inbox by the CLI, and recovers.
 * The worker's counters move — runs started and ended, findings, MQSC round trips, the approval's
 * wait — beside the SDK's own metrics; the inbox counts the decision and a refused sign-in; and the
 * Grafana board queries no metric the endpoints do not serve.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import {
  startProjectProcess,
  whenOutputContains,
  type ProjectProcess,
} from '../../scripts/lib/child-process.ts';
import { freePorts } from '../../scripts/lib/free-port.ts';
import {
  parseSamples,
  sampleSum,
  scrape,
  servedNames,
  type Sample,
} from '../../scripts/lib/prometheus-text.ts';
import { metricsUrl, projectRoot } from '../../temporal.config.ts';
import { addTestUsers, testPassword, waitForGate } from '../support/approvals.ts';
import { runCli } from '../support/cli.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { patienceMs } from '../support/patience.ts';
import { until } from '../support/voucher-resend.ts';
import { testWorkflowBundle } from '../support/test-build.ts';

let estate: TestEstate;
const processes: ProjectProcess[] = [];
const endpoints = { worker: '', inbox: '', sandbox: '' };

const samples = async (url: string): Promise<Sample[]> => parseSamples(await scrape(url));

before(async () => {
  const [workerPort = 0, inboxMetricsPort = 0, inboxPort = 0] = await freePorts(3);
  estate = await startTestEstate({
    banks: ['ICBC', 'CCB'],
    edit: (raw) => {
      raw.metrics = {
        enabled: true,
        host: '127.0.0.1',
        workerPort,
        inboxPort: inboxMetricsPort,
        approvalsEvery: '1s',
      };
      raw.inbox = { ...(raw.inbox as object), port: inboxPort, publicUrl: `http://localhost:${inboxPort}` };
    },
  });
  await addTestUsers(estate.site);
  const env = { ...estate.env, LOG_LEVEL: 'info' };
  const bundle = await testWorkflowBundle('runbooks');
  const start = (name: string, script: string, ready: string, args: string[] = []) =>
    startProjectProcess({
      name,
      script,
      args,
      env,
      logFile: join(estate.dir, 'logs', `${name}.log`),
      ready: whenOutputContains(ready, patienceMs),
    });
  processes.push(
    await start('worker', 'workers/main.ts', 'worker running', ['--workflow-bundle', bundle.codePath]),
  );
  processes.push(await start('inbox', 'inbox/main.ts', 'inbox ready'));
  endpoints.worker = metricsUrl(estate.site, 'worker');
  endpoints.inbox = metricsUrl(estate.site, 'inbox');
  endpoints.sandbox = `${estate.sandbox.url}/metrics`;
});
after(async () => {
  for (const p of processes.reverse()) await p.stop();
  await estate?.stop();
});

describe('metrics', () => {
  const recovery = `channel-recovery/CZ.TO.CCB/metrics-${Date.now()}`;

  it('the worker counts runs, findings, MQSC round trips and the approval waiting, beside the SDK its own', async () => {
    const before = await samples(endpoints.worker);
    assert.equal(sampleSum(before, 'jincai_runs_started_total'), 0, 'no run counted yet');
    assert.equal(sampleSum(before, 'jincai_vouchers_resent_total', { bank: 'CCB' }), 0);
    assert.ok(
      before.some((s) => s.name === 'jincai_reconciliation_differences_total' && s.labels.bank === 'ICBC'),
      "every bank's reconciliation counter is shown from the start",
    );

    await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'CCB' });
    const inspection = await estate.client.workflow.start('dailyInspection', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `daily-inspection/metrics-${Date.now()}`,
      args: [{ banks: ['CCB'], skip: ['traffic'] }],
    });
    await inspection.result();

    await estate.client.workflow.start('channelRecovery', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: recovery,
      args: [{ bank: 'CCB', requestedBy: 'eng', verifySeconds: 30 }],
    });
    await waitForGate(estate.client, recovery);
    await until('the worker to count the approval waiting', async () => {
      const now = await samples(endpoints.worker);
      return (
        sampleSum(now, 'jincai_approvals_waiting', { runbook: 'channel-recovery' }) === 1 &&
        sampleSum(now, 'jincai_approval_oldest_wait_seconds', { runbook: 'channel-recovery' }) > 0
      );
    });
    const waiting = await samples(endpoints.worker);
    assert.equal(sampleSum(waiting, 'jincai_approvals_waiting', { runbook: 'sequence-resync' }), 0);
  });

  it('the inbox counts a refused sign-in and the decision it forwards; the run ends recovered', async () => {
    const cli = (user: string, password: string, args: string[]) =>
      runCli(args, { ...estate.env, JINCAI_USER: user, JINCAI_PASSWORD: password });
    const wrong = await cli('wang', 'not-the-password', ['approvals']);
    assert.notEqual(wrong.code, 0, wrong.stdout);
    const approved = await cli('wang', testPassword, ['approve', recovery, '--reason', '已确认通道可恢复']);
    assert.equal(approved.code, 0, `${approved.stdout}${approved.stderr}`);
    const result: ChannelRecoveryResult = await estate.client.workflow.getHandle(recovery).result();
    assert.equal(result.outcome, 'recovered');

    const inbox = await samples(endpoints.inbox);
    assert.equal(
      sampleSum(inbox, 'jincai_inbox_decisions_total', {
        verdict: 'approve',
        via: 'cli',
        result: 'accepted',
      }),
      1,
    );
    assert.equal(sampleSum(inbox, 'jincai_inbox_logins_refused_total', { reason: 'bad-credentials' }), 1);
    assert.ok(sampleSum(inbox, 'jincai_inbox_requests_total', { route: '/api/approvals/:id/decision' }) >= 1);
    assert.ok(!inbox.some((s) => s.labels.route?.includes(recovery)), 'no route label names the run');
    assert.ok(sampleSum(inbox, 'process_resident_memory_bytes') > 0, "the process's own metrics");
  });

  it("the worker's counters moved with the runs: started, ended with their outcome, the gate's wait", async () => {
    await until('the worker to count the approval decided', async () => {
      const now = await samples(endpoints.worker);
      return sampleSum(now, 'jincai_approvals_waiting', { runbook: 'channel-recovery' }) === 0;
    });
    const w = await samples(endpoints.worker);
    assert.equal(sampleSum(w, 'jincai_runs_started_total', { runbook: 'channel-recovery' }), 1);
    assert.equal(
      sampleSum(w, 'jincai_runs_ended_total', { runbook: 'channel-recovery', outcome: 'recovered' }),
      1,
    );
    assert.equal(
      sampleSum(w, 'jincai_runs_ended_total', { runbook: 'daily-inspection', outcome: 'findings' }),
      1,
    );
    assert.equal(
      sampleSum(w, 'jincai_runs_started_total', { workflowType: 'resourceLock' }),
      0,
      'a lock is not a run',
    );
    assert.equal(
      sampleSum(w, 'jincai_run_duration_seconds_count', {
        runbook: 'channel-recovery',
        outcome: 'recovered',
      }),
      1,
    );
    assert.ok(
      sampleSum(w, 'jincai_inspection_findings_total', { check: 'channels', bank: 'CCB' }) >= 1,
      'the stopped channel counted as a finding',
    );
    assert.equal(
      sampleSum(w, 'jincai_approval_wait_seconds_count', {
        runbook: 'channel-recovery',
        step: 'execute',
        outcome: 'approved',
      }),
      1,
    );
    assert.ok(
      sampleSum(w, 'jincai_mq_command_duration_seconds_count', {
        qmgr: 'QM.CZ',
        command: 'START CHANNEL',
        result: 'ok',
      }) >= 1,
      'the recovery started the channel',
    );
    assert.ok(sampleSum(w, 'jincai_mq_command_duration_seconds_count', { command: 'DISPLAY CHSTATUS' }) >= 2);
    assert.ok(sampleSum(w, 'temporal_workflow_completed_total') >= 2, "the SDK's own metrics");
    assert.ok(
      !w.some((s) => Object.values(s.labels).some((v) => v.includes(recovery) || v.includes('CZ.TO.CCB'))),
      'no label names a run or a channel',
    );

    const sandbox = await samples(endpoints.sandbox);
    assert.equal(
      sampleSum(sandbox, 'jincai_sandbox_channel_status', {
        qmgr: 'QM.CZ',
        channel: 'CZ.TO.CCB',
        status: 'RUNNING',
      }),
      1,
    );
    assert.ok(sampleSum(sandbox, 'jincai_sandbox_requests_total', { area: 'mqweb' }) > 0);
  });

  it('the Grafana board queries only metrics the endpoints serve', async () => {
    const served = new Set<string>();
    for (const url of Object.values(endpoints))
      for (const name of servedNames(await scrape(url))) served.add(name);
    const board = JSON.parse(
      readFileSync(join(projectRoot, 'deploy/grafana/jincai-runbooks.json'), 'utf8'),
    ) as {
      title: string;
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    const exprs = board.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
    );
    assert.ok(exprs.length >= 20, `${exprs.length} queries`);
    const queried = exprs.flatMap(({ panel, expr }) =>
      [...expr.matchAll(/\b(?:jincai|temporal|process|nodejs)_[a-z0-9_]+\b/g)].map((m) => ({
        panel,
        name: m[0],
      })),
    );
    const unknown = queried.filter((q) => !served.has(q.name));
    assert.deepEqual(unknown, [], 'every metric the board queries is served');
    for (const name of [
      'jincai_runs_ended_total',
      'jincai_inbox_decisions_total',
      'jincai_sandbox_channel_status',
    ])
      assert.ok(
        queried.some((q) => q.name === name),
        `the board shows ${name}`,
      );
  });
});
