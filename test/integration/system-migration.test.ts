/**
 * The system migration against the sandbox: the accounting system moved from its host and
 * database to a second host and a second database. Bad input refused naming the field before
 * anything is recorded; a target short of disk and a target whose port is taken stopped before
 * any change; a copy the target's disk corrupts rolled back — the old side serving again, its
 * files and every table as before. Then the migration approved: both sides compared, the site
 * switched (a running worker's subsystem-health follows it without a restart), traffic on the
 * new side, the old side kept until its decommission is approved on its own.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { SubsystemHealthResult } from '../../domain/runbooks/subsystem-health.types.ts';
import type { TestEstate } from '../support/estate.ts';
import { decide, signedBy } from '../support/approvals.ts';
import {
  accounting,
  decommissionGate,
  migrate,
  placement,
  sideState,
  startMigrationEstate,
} from '../support/migration.ts';
import { auditKinds, auditPayloads } from '../support/worker-lane.ts';

let estate: TestEstate;

before(async () => {
  estate = await startMigrationEstate();
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const inject = (fault: string) => estate.sandbox.subsystems.faults.inject({ fault, subsystem: 'accounting' });
const clear = () => estate.sandbox.subsystems.faults.clear({});

describe('system migration', () => {
  it('refuses an unknown subsystem, a host not in the site and a host that is no migration target, naming the field, before any record', async () => {
    for (const [input, field] of [
      [
        { subsystem: 'ledger', target: 'acct-app-02' },
        /input\.subsystem: no subsystem ledger in the site file/,
      ],
      [
        { subsystem: 'accounting', target: 'nowhere-01' },
        /input\.target: no host named nowhere-01 in the site/,
      ],
      [
        { subsystem: 'accounting', target: 'pay-app-01' },
        /input\.target: accounting declares no migration target on pay-app-01/,
      ],
    ] as const) {
      const id = `system-migration/bad-${Date.now()}`;
      const run = estate.client.workflow.execute('systemMigration', {
        taskQueue: estate.site.temporal.taskQueues.runbooks,
        workflowId: id,
        args: [{ requestedBy: 'eng', ...input }],
      });
      await assert.rejects(run, (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, 'InvalidInput');
        assert.match(err.cause.message, field);
        return true;
      });
      assert.deepEqual(await auditKinds(estate.site, id), [], 'nothing recorded');
    }
  });

  it('stops before any change on a target short of disk or with its port taken', async () => {
    const before = await sideState(estate, 'source');
    for (const [fault, check] of [
      ['migration-target-disk-short', 'target-disk'],
      ['migration-target-port-taken', 'target-ports'],
    ] as const) {
      await inject(fault);
      const { id, result, planned } = await migrate(estate);
      const ended = await result;
      await clear();
      assert.equal(ended.outcome, 'not-ready', fault);
      assert.equal(ended.preChecks.find((c) => c.name === check)?.ok, false, JSON.stringify(ended.preChecks));
      assert.equal(planned, undefined, 'no plan was shown');
      assert.deepEqual(ended.steps, []);
      assert.ok(!(await auditKinds(estate.site, id)).includes('mutation'));
      assert.deepEqual(await sideState(estate, 'source'), before);
    }
    assert.equal(existsSync(accounting(estate).target.dir), false, 'nothing copied');
  });

  it('rolls back a copy the target corrupts: the old side serves again, its files and tables as before', async () => {
    const before = await sideState(estate, 'source');
    assert.equal(before.answers?.version, '5.1.4');
    await inject('migration-copy-corrupt');
    const { result } = await migrate(estate);
    const ended = await result;
    await clear();
    assert.equal(ended.outcome, 'rolled-back', `${ended.failure} ${JSON.stringify(ended.verification)}`);
    assert.equal(ended.copy?.filesEqual, false);
    assert.deepEqual(ended.copy?.filesDiffer, ['conf/application.properties']);
    assert.ok(
      ended.copy?.tables.every((t) => t.equal),
      'the tables were copied whole',
    );
    assert.match(ended.failure ?? '', /复制后两侧不一致/);
    assert.deepEqual(
      ended.rollback.map((s) => s.step),
      ['rollback:unfreeze'],
    );
    assert.equal(ended.verification?.ok, true);
    assert.equal(placement(estate), undefined, 'the site points at the old side');
    assert.deepEqual(await sideState(estate, 'source'), before);
  });

  it('migrates to the second host and database through its approval, then decommissions the old side on its own approval', async () => {
    // The rolled-back copy above stays on the target, kept for a second attempt: cleared here, so
    // this migration meets an empty target as a first one does and its copy steps really copy.
    const { target } = accounting(estate);
    assert.ok(existsSync(target.db.path), 'the rolled-back copy was kept on the target');
    rmSync(target.dir, { recursive: true, force: true });
    for (const file of [target.db.path, `${target.db.path}-wal`, `${target.db.path}-shm`])
      rmSync(file, { force: true });
    const before = await sideState(estate, 'source');
    const { id, result, planned } = await migrate(estate);
    const commands = planned?.plan.actions.map((a) => a.command) ?? [];
    assert.ok(commands.includes('STOP 会计核算服务'));
    assert.ok(commands.some((c) => c.startsWith('COPY DATABASE sqlite:')));
    assert.ok(commands.includes('SWITCH accounting TO acct-app-02'));
    assert.ok(
      commands.includes('SWITCH accounting BACK TO acct-app-01'),
      'the plan shows what a rollback would run',
    );
    // Switched, waiting for the decommission: the new side serves, the old side is kept.
    const gate = await decommissionGate(estate, id);
    assert.equal(placement(estate)?.host, 'acct-app-02');
    const now = await sideState(estate, 'target');
    assert.deepEqual(now.files, before.files, 'the application copied file for file');
    assert.deepEqual(now.tables, before.tables, 'every table copied row for row');
    assert.equal(now.answers?.version, '5.1.4');
    assert.equal(now.answers?.database?.schemaVersion, '33');
    assert.equal((await sideState(estate, 'source')).answers, undefined, 'the old side no longer serves');
    assert.deepEqual((await sideState(estate, 'source')).files, before.files, 'and is kept as it was');
    // The running worker reads the switch: subsystem-health looks at the new side.
    const health = (await estate.client.workflow.execute('subsystemHealth', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `subsystem-health/after-migration-${Date.now()}`,
      args: [{ subsystems: ['accounting'] }],
    })) as SubsystemHealthResult;
    assert.equal(health.subsystems[0]?.light, 'green', JSON.stringify(health.subsystems[0]));
    await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
    const ended = await result;
    assert.equal(ended.outcome, 'decommissioned', ended.failure);
    assert.ok(
      ended.traffic.every((t) => t.ok),
      JSON.stringify(ended.traffic),
    );
    assert.ok(ended.copy?.ok);
    assert.deepEqual(
      ended.steps.map((s) => s.step),
      ['freeze', 'copy-files', 'copy-database', 'start-target', 'switch'],
    );
    assert.deepEqual(
      ended.decommission.map((s) => s.step),
      ['remove-files', 'remove-database'],
    );
    assert.equal(existsSync(accounting(estate).source.dir), false);
    assert.equal(existsSync(accounting(estate).source.db.path), false);
    assert.equal((await sideState(estate, 'target')).answers?.version, '5.1.4', 'the new side still serves');
    const audited = await auditPayloads<{ action: string }>(estate.site, id);
    assert.equal(audited.length, ended.steps.length + ended.decommission.length, 'each step audited once');
  });
});
