import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openAuditDb } from '../../connectors/audit/database.ts';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import type { ProgramRestartResult } from '../../domain/runbooks/program-restart.types.ts';
import {
  addTestUsers,
  claim,
  claimedBy,
  decide,
  signedBy,
  waitForClaimWait,
  waitForGate,
} from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'BOC'],
    edit: (raw) => {
      raw.inspection = { followUp: { 'program-restart': 'start' } };
      (raw.approvals as Record<string, unknown>).runbooks = {
        'program-restart': { roles: ['comm-approver'], quorum: 1 },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

async function mutations(workflowId: string): Promise<string[]> {
  const db = await openAuditDb(estate.site.audit);
  try {
    const rows = await db
      .selectFrom('audit_records')
      .select('payload')
      .where('workflow_id', '=', workflowId)
      .where('kind', '=', 'mutation')
      .orderBy('seq')
      .execute();
    return rows.map((r) => (JSON.parse(r.payload) as { action: string }).action);
  } finally {
    await db.destroy();
  }
}

test('the inspection finds BOC’s send/receive program killed and starts the restart by policy; its plan says why it stopped; approved, it restarts it and a test message goes to the bank and back', async () => {
  const fault = await estate.sandbox.faults.inject({ fault: 'send-program-dead', bank: 'BOC' });
  const inspection: DailyInspectionResult = await (
    await estate.client.workflow.start('dailyInspection', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `daily-inspection/program-restart-${Date.now()}`,
      args: [{ skip: ['traffic'] }],
    })
  ).result();
  const dead = inspection.findings.filter((f) => f.code === 'PROGRAM_DEAD');
  assert.deepEqual(
    dead.map((f) => [f.bank, f.check, f.fixRunbook]),
    [['BOC', 'programs', 'program-restart']],
  );
  const [followUp] = inspection.followUps;
  assert.equal(followUp?.runbook, 'program-restart');
  assert.match(followUp.workflowId, /^program-restart\/BOC\/\d{4}-\d{2}-\d{2}$/);

  // Started by the inspection, not a person: claimed by an engineer, then approved by another.
  const waiting = await waitForClaimWait(estate.client, followUp.workflowId);
  await claim(
    estate.client,
    followUp.workflowId,
    claimedBy(estate.site, { workflowId: followUp.workflowId, runId: waiting.runId }, 'eng'),
  );
  const gate = await waitForGate(estate.client, followUp.workflowId);
  assert.deepEqual(
    gate.plan.actions.map((a) => [a.kind, a.target, a.command]),
    [['host', 'local', 'START 收发程序-BOC']],
  );
  const why = gate.plan.findings.map((f) => f.zh).join('\n');
  assert.match(why, new RegExp(`进程 ${String(fault.details?.pid ?? '')} 已不存在而 pid 文件残留`));
  assert.match(why, /最后 \d+ 行日志/);
  assert.equal(estate.sandbox.programs.info('BOC')?.running, false, 'nothing changes before the approval');

  await decide(estate.client, followUp.workflowId, signedBy(estate.site, gate, 'wang'));
  const result = (await estate.client.workflow
    .getHandle(followUp.workflowId)
    .result()) as ProgramRestartResult;
  assert.equal(result.outcome, 'restarted', result.verification?.detail);
  assert.equal(result.verification?.testMessage?.answered, true);
  assert.equal(estate.sandbox.programs.info('BOC')?.running, true);
  assert.deepEqual(await mutations(followUp.workflowId), ['START 收发程序-BOC']);
});

test('a subsystem’s process killed is started again through its start command, and its health URL answers', async () => {
  const { apps } = estate.sandbox.subsystems;
  await apps.start('user-accounts');
  await estate.sandbox.subsystems.faults.inject({ fault: 'subsystem-down', subsystem: 'user-accounts' });
  const id = `program-restart/user-accounts/test-${Date.now()}`;
  const handle = await estate.client.workflow.start('programRestart', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ subsystem: 'user-accounts', requestedBy: 'eng', verifySeconds: 60 }],
  });
  const gate = await waitForGate(estate.client, id);
  assert.deepEqual(
    gate.plan.actions.map((a) => a.command),
    ['START 用户账户管理服务'],
  );
  await decide(estate.client, id, signedBy(estate.site, gate, 'li'));
  const result: ProgramRestartResult = await handle.result();
  assert.equal(result.outcome, 'restarted', result.verification?.detail);
  assert.equal(result.verification?.health?.ok, true);
  assert.equal(apps.info('user-accounts').running, true);

  // Running now: a second run finds nothing to do and asks nobody.
  const again: ProgramRestartResult = await (
    await estate.client.workflow.start('programRestart', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `${id}/again`,
      args: [{ subsystem: 'user-accounts', requestedBy: 'eng' }],
    })
  ).result();
  assert.equal(again.outcome, 'already-running');
  assert.equal(again.plan, undefined);
  await apps.stop('user-accounts');
});
