/**
 * The system migration's rollback with its worker killed (kill -9), on a worker lane of its own
 * (test/support/worker-lane.ts): a copy the target corrupts, the worker killed as the old side is
 * frozen and again once the rollback has started the old side (before Temporal has heard of it).
 * The rollback completes, its start ran again on the next worker and was done once, and the old
 * side serves as before. The migration killed at every step boundary of its way forward is
 * system-migration-crash.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import {
  accounting,
  logged,
  migrateOnLane,
  migrationHoldMs,
  migrationOnLane,
  placement,
  sideState,
} from '../support/migration.ts';
import { activityRuns, auditPayloads } from '../support/worker-lane.ts';

const on = migrationOnLane('migration-rollback');

test('a corrupt copy rolled back, killed as the rollback has started the old side again: the old side as before', async () => {
  const [estate, w] = [on.estate(), on.lane()];
  const { source } = accounting(estate);
  const before = await sideState(estate, 'source');
  const [stops, starts] = [logged(source.logFile, 'stopping'), logged(source.logFile, 'started')];
  await estate.sandbox.subsystems.faults.inject({ fault: 'migration-copy-corrupt', subsystem: 'accounting' });
  const { id, result } = await migrateOnLane(estate, w, 'crash-rollback');
  await w.killWhen('the old side frozen', () => !existsSync(source.pidFile));
  w.holdReports(migrationHoldMs);
  await w.killWhen('the old side started again', () => existsSync(source.pidFile));
  const ended = await result;
  assert.equal(ended.outcome, 'rolled-back', `${ended.failure} ${JSON.stringify(ended.verification)}`);
  assert.equal(placement(estate), undefined);
  assert.deepEqual(await sideState(estate, 'source'), before);
  const { retried } = await activityRuns(estate.client, id);
  assert.ok(retried.includes('unfreezeSource'), `the killed start ran again (${retried.join(', ')})`);
  assert.equal(logged(source.logFile, 'stopping'), stops + 1, 'the old side stopped once');
  assert.equal(logged(source.logFile, 'started'), starts + 1, 'the old side started again once');
  const audited = await auditPayloads<{ action: string }>(estate.site, id);
  assert.equal(new Set(audited.map((a) => a.action)).size, audited.length, 'each step audited once');
});
