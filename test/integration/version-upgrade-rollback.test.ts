/**
 * The version upgrade rolled back, once for each way it can fail after its first change: a
 * migration failing half-way, an application that will not start, a smoke test that finds one
 * bank's link broken. Each time the run restores the application and the tables, starts the old
 * version and verifies it; the files, the tables the migrations touched (per-table checksums) and
 * the version that answers are then exactly what they were before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestEstate } from '../support/estate.ts';
import { installedState, startUpgradeEstate, upgrade } from '../support/upgrade.ts';

let estate: TestEstate;

before(async () => {
  estate = await startUpgradeEstate();
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

async function rolledBack(fault: string, options: Record<string, unknown>, why: RegExp) {
  const injected = await estate.sandbox.subsystems.faults.inject({ fault, subsystem: 'payment', ...options });
  const state = await installedState(estate);
  const { result } = await upgrade(estate, injected.details.package as string, { smokeWaitSeconds: 10 });
  await estate.sandbox.subsystems.faults.clear({});
  assert.equal(result.outcome, 'rolled-back', JSON.stringify(result.verification));
  assert.match(result.failure ?? '', why);
  assert.equal(result.verification?.ok, true);
  assert.deepEqual(await installedState(estate), state, 'files, tables and the answering version as before');
  return result;
}

describe('version upgrade rolled back', () => {
  it('a migration failing half-way: the statements done undone, the tables restored', async () => {
    const result = await rolledBack('release-migration-fails', {}, /amount_yuan/);
    const undone = result.rollback.map((s) => s.step);
    assert.deepEqual(
      undone.filter((s) => s.startsWith('rollback:migrate:')),
      [
        'rollback:migrate:042-voucher-urgency/back/0',
        'rollback:migrate:042-notice-templates/back/2',
        'rollback:migrate:042-notice-templates/back/1',
        'rollback:migrate:042-notice-templates/back/0',
      ],
    );
  });

  it('an application that will not start: the old one started again', async () => {
    await rolledBack('release-will-not-start', {}, /did not start|not running/);
  });

  it('a smoke test finding one bank’s link broken', async () => {
    const result = await rolledBack('release-bank-link-broken', { bank: 'CCB' }, /CCB/);
    assert.deepEqual(
      result.smoke.filter((s) => !s.ok).map((s) => s.target),
      ['CCB'],
    );
  });
});
