/**
 * The system migration with its worker killed (kill -9) at every step boundary, on a worker lane of
 * its own (test/support/worker-lane.ts): each time a step's side effect has landed and before
 * Temporal has heard of it — the old side frozen, the application copied, the database copied,
 * the new side started, the site switched, and after its decommission's approval the old folder
 * and the old database removed: one worker restart per boundary, on a small application and
 * database. Each killed step ran again on the next worker, the migration completes and nothing was
 * done twice (the old side stopped once, the new side started once, each step audited once, the
 * new side equal to what the old side held).
 *
 * The target is as a first migration finds it (no folder, no database): a rolled-back migration's
 * crash, which leaves its copy there, has an estate of its own (system-migration-rollback-crash).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decide, signedBy } from '../support/approvals.ts';
import {
  accounting,
  decommissionGate,
  logged,
  migrateOnLane,
  migrationHoldMs,
  migrationOnLane,
  placement,
  sideState,
} from '../support/migration.ts';
import { activityRuns, auditPayloads } from '../support/worker-lane.ts';

const on = migrationOnLane('migration');

test('killed at every step boundary of a migration and its decommission: it completes, nothing done twice', async () => {
  const [estate, w] = [on.estate(), on.lane()];
  const { source, target } = accounting(estate);
  assert.ok(!existsSync(target.dir) && !existsSync(target.db.path), 'the target holds no copy yet');
  const before = await sideState(estate, 'source');
  const [stops, starts] = [logged(source.logFile, 'stopping'), logged(target.logFile, 'started')];
  const { id, result } = await migrateOnLane(estate, w, 'crash-forward');
  const kill = async (what: string, seen: () => boolean) => {
    w.holdReports(migrationHoldMs);
    await w.killWhen(what, seen);
  };
  await kill('the old side frozen', () => !existsSync(source.pidFile));
  await kill('the application copied', () => existsSync(join(target.dir, 'lib', 'acct-report.jar')));
  await kill('the database copied', () => existsSync(target.db.path));
  await kill('the new side started', () => existsSync(target.pidFile));
  await kill('the site switched', () => placement(estate)?.host === target.host);
  const gate = await decommissionGate(estate, id);
  // Held from before the decision: the old folder goes while the decision is still being recorded.
  w.holdReports(migrationHoldMs);
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  await w.killWhen('the old folder removed', () => !existsSync(source.dir));
  await kill('the old database removed', () => !existsSync(source.db.path));
  const ended = await result;
  assert.equal(ended.outcome, 'decommissioned', ended.failure);
  assert.equal(w.kills.length, 7);
  const { retried } = await activityRuns(estate.client, id);
  for (const step of [
    'freezeSource',
    'copyApplicationToTarget',
    'copyDatabaseToTarget',
    'startTarget',
    'switchToTarget',
    'removeSourceFiles',
    'removeSourceDatabase',
  ])
    assert.ok(
      retried.includes(step),
      `${step} killed before its report and run again (${retried.join(', ')})`,
    );
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
