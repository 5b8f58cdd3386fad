/**
 * The system migration with its worker killed (kill -9) at every step boundary, on a worker lane of
 * its own (test/support/worker-lane.ts): each time a step's side effect has landed and before
 * Temporal has heard of it — the old side frozen, the application copied, the database copied,
 * the new side started, the site switched, and after its decommission's approval the old folder
 * and the old database removed: one worker restart per boundary, on a small application and
 * database. The migration completes and nothing was done twice (the old side stopped once, the new
 * side started once, each step audited once, the new side equal to what the old side held).
 * Before it, a copy the target corrupts, killed as its rollback has started the old side again:
 * the rollback completes, the old side serving as before.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SystemMigrationResult } from '../../domain/runbooks/system-migration.types.ts';
import { decide, gateUnlessEnded, signedBy } from '../support/approvals.ts';
import type { TestEstate } from '../support/estate.ts';
import {
  accounting,
  decommissionGate,
  placement,
  sideState,
  startMigrationEstate,
} from '../support/migration.ts';
import { auditPayloads, WorkerLane } from '../support/worker-lane.ts';

let estate: TestEstate;
let lane: WorkerLane | undefined;

before(async () => {
  estate = await startMigrationEstate();
  lane = new WorkerLane(estate, 'migration');
  await lane.start();
});
after(async () => {
  await lane?.close();
  await estate?.stop();
});

const logged = (file: string, msg: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes(`"msg":"${msg}"`)).length
    : 0;

async function approvedRun(tag: string): Promise<{ id: string; result: Promise<SystemMigrationResult> }> {
  const id = `system-migration/accounting/crash-${tag}-${Date.now()}`;
  const handle = await (lane as WorkerLane).startWorkflow('systemMigration', id, {
    subsystem: 'accounting',
    target: accounting(estate).target.host,
    requestedBy: 'eng',
    trafficWaitSeconds: 30,
  });
  const result = handle.result() as Promise<SystemMigrationResult>;
  // A run that ends before its gate (not ready, failed) says why, rather than leaving the test waiting.
  let ended: string | undefined;
  result.then(
    (r) => (ended = `${r.outcome} ${r.failure ?? ''} ${JSON.stringify(r.verification ?? {})}`),
    (err: unknown) => (ended = String(err)),
  );
  const gate = await gateUnlessEnded(estate.client, id, () => ended !== undefined);
  if (!gate) assert.fail(`${id} ended without asking for approval: ${ended}`);
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  return { id, result };
}

test('a corrupt copy rolled back, killed as the rollback has started the old side again: the old side as before', async () => {
  const w = lane as WorkerLane;
  const { source } = accounting(estate);
  const before = await sideState(estate, 'source');
  await estate.sandbox.subsystems.faults.inject({ fault: 'migration-copy-corrupt', subsystem: 'accounting' });
  const { result } = await approvedRun('rollback');
  await w.killWhen('the old side frozen', () => !existsSync(source.pidFile));
  w.holdReports();
  await w.killWhen('the old side started again', () => existsSync(source.pidFile));
  const ended = await result;
  await estate.sandbox.subsystems.faults.clear({});
  assert.equal(ended.outcome, 'rolled-back', `${ended.failure} ${JSON.stringify(ended.verification)}`);
  assert.equal(placement(estate), undefined);
  assert.deepEqual(await sideState(estate, 'source'), before);
});

test('killed at every step boundary of a migration and its decommission: it completes, nothing done twice', async () => {
  const w = lane as WorkerLane;
  const { source, target } = accounting(estate);
  const before = await sideState(estate, 'source');
  const [stops, starts] = [logged(source.logFile, 'stopping'), logged(target.logFile, 'started')];
  const { id, result } = await approvedRun('forward');
  const kill = async (what: string, seen: () => boolean) => {
    w.holdReports();
    await w.killWhen(what, seen);
  };
  await kill('the old side frozen', () => !existsSync(source.pidFile));
  await kill('the application copied', () => existsSync(join(target.dir, 'lib', 'acct-report.jar')));
  await kill('the database copied', () => existsSync(target.db.path));
  await kill('the new side started', () => existsSync(target.pidFile));
  await kill('the site switched', () => placement(estate)?.host === target.host);
  const gate = await decommissionGate(estate, id);
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  await kill('the old folder removed', () => !existsSync(source.dir));
  await kill('the old database removed', () => !existsSync(source.db.path));
  const ended = await result;
  assert.equal(ended.outcome, 'decommissioned', ended.failure);
  assert.equal(w.kills.length, 9, 'two kills in the rollback, seven in the migration');
  assert.equal(logged(source.logFile, 'stopping'), stops + 1, 'the old side stopped once');
  assert.equal(logged(target.logFile, 'started'), starts + 1, 'the new side started once');
  const audited = await auditPayloads<{ action: string }>(estate.site, id);
  assert.equal(new Set(audited.map((a) => a.action)).size, audited.length, 'each step audited once');
  assert.equal(audited.length, ended.steps.length + ended.decommission.length);
  const now = await sideState(estate, 'target');
  assert.deepEqual(now.files, before.files);
  assert.deepEqual(now.tables, before.tables);
  assert.equal(now.answers?.version, '5.1.4');
});
