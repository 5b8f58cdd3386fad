import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import type { ProgramRestartResult } from '../../domain/runbooks/program-restart.types.ts';
import type { SubsystemHealthResult } from '../../domain/runbooks/subsystem-health.types.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;
let runs = 0;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'BOC', 'CCB'],
    programs: false,
    subsystems: true,
    edit: (raw) => {
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

const start = (workflowType: string, input: unknown) =>
  estate.client.workflow.start(workflowType, {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `${workflowType}/test-${Date.now()}-${(runs += 1)}`,
    args: [input],
  });
const health = async (input: unknown = {}): Promise<SubsystemHealthResult> =>
  (await start('subsystemHealth', input)).result();
const found = (r: SubsystemHealthResult) =>
  r.findings.map((f) => `${f.subsystem}/${f.check}/${f.code}/${f.fixRunbook ?? 'person'}`);

/** A restart of a subsystem's programs, approved as wang approves it. */
async function restart(input: Record<string, unknown>): Promise<ProgramRestartResult> {
  const handle = await start('programRestart', { requestedBy: 'eng', verifySeconds: 60, ...input });
  const gate = await waitForGate(estate.client, handle.workflowId);
  await decide(estate.client, handle.workflowId, signedBy(estate.site, gate, 'wang'));
  return handle.result();
}

test('a healthy estate: every declared subsystem green, in subsystem health and in the inspection’s section', async () => {
  const result = await health();
  assert.deepEqual(found(result), []);
  assert.equal(result.light, 'green');
  assert.deepEqual(
    result.subsystems.map((s) => s.subsystem).sort(),
    estate.site.subsystems.map((s) => s.id).sort(),
  );
  const exchange = result.subsystems.find((s) => s.kind === 'budget-exchange');
  assert.deepEqual(exchange?.checks, {
    programs: 'green',
    ports: 'green',
    health: 'green',
    version: 'green',
    work: 'green',
  });
  assert.match(
    readFileSync(result.report.markdown, 'utf8'),
    /子系统健康检查报告[\s\S]*会计核算系统（BS）（accounting） \| 会计核算（BS） \| 🟢 正常/,
  );

  const inspection: DailyInspectionResult = await (
    await start('dailyInspection', { skip: ['traffic'] })
  ).result();
  assert.equal(inspection.subsystems?.length, estate.site.subsystems.length);
  assert.ok(
    inspection.subsystems?.every((s) => s.light === 'green'),
    JSON.stringify(inspection.subsystems?.flatMap((s) => s.findings)),
  );
  assert.match(readFileSync(inspection.report.markdown, 'utf8'), /## 子系统状态/);
});

test('estate trouble: each fault on its subsystem and check; the process killed and the one gone bad restarted by program restart, the rest named for a person', async () => {
  await estate.sandbox.subsystems.faults.scenario('estate-trouble');
  const troubled = await health();
  assert.deepEqual(found(troubled).sort(), [
    'accounting/database/SUBSYSTEM_DB_UNREACHABLE/person',
    'bank-accounts/health/SUBSYSTEM_UNHEALTHY/program-restart',
    'fund-application/version/SUBSYSTEM_VERSION_MISMATCH/person',
    'user-accounts/programs/SUBSYSTEM_PROGRAM_DEAD/program-restart',
  ]);
  assert.equal(troubled.light, 'red');

  const dead = await restart({ subsystem: 'user-accounts' });
  assert.equal(dead.outcome, 'restarted', dead.verification?.detail);
  const bad = await restart({ subsystem: 'bank-accounts', program: '银行账户管理服务' });
  assert.deepEqual(
    bad.plan?.actions.map((a) => a.command),
    ['STOP 银行账户管理服务', 'START 银行账户管理服务'],
  );
  assert.equal(bad.outcome, 'restarted', bad.verification?.detail);

  // What no runbook mends — a database away, another version deployed — a person does; then all is well.
  assert.deepEqual(found(await health({ subsystems: ['user-accounts', 'bank-accounts'] })), []);
  await estate.sandbox.subsystems.faults.clear({ fault: 'subsystem-db-unreachable' });
  await estate.sandbox.subsystems.faults.clear({ fault: 'subsystem-version-mismatch' });
  assert.deepEqual(found(await health()), []);
});
