/**
 * The provincial version upgrade against the sandbox: bad input refused naming the field before
 * anything is recorded; a corrupt package and one for another version refused, a host short of
 * disk not ready — each leaving the application, its tables and the version that answers as they
 * were; then the province's 3.5.0 approved and installed: the new version answers, its migrations
 * in, every bank's link tested both ways, every step audited once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestEstate } from '../support/estate.ts';
import { auditKinds, auditPayloads } from '../support/worker-lane.ts';
import {
  installedState,
  installedVersion,
  payment,
  startUpgradeEstate,
  upgrade,
} from '../support/upgrade.ts';

let estate: TestEstate;

before(async () => {
  estate = await startUpgradeEstate();
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const fault = async (name: string) =>
  (await estate.sandbox.subsystems.faults.inject({ fault: name, subsystem: 'payment' })).details
    .package as string;

describe('version upgrade', () => {
  it('refuses an unknown package and a host not in the site, naming the field, before any record', async () => {
    for (const [input, field] of [
      [{ package: 'payment-9.9.9' }, /input\.package: no package payment-9\.9\.9 in the release repository/],
      [{ package: 'payment-3.5.0', host: 'nowhere-01' }, /input\.host: no host named nowhere-01 in the site/],
    ] as const) {
      const id = `version-upgrade/bad-${Date.now()}`;
      const run = estate.client.workflow.execute('versionUpgrade', {
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

  it('refuses a corrupt package and one for another version, and is not ready on a host short of disk: nothing changes', async () => {
    const before = await installedState(estate);
    const corrupt = await upgrade(estate, await fault('release-package-corrupt'));
    assert.equal(corrupt.result.outcome, 'refused');
    assert.match(
      corrupt.result.problems.join('\n'),
      /lib\/pay-core\.jar: SHA-256 [0-9a-f]{64}, the manifest says/,
    );
    const other = await upgrade(estate, await fault('release-package-other-version'));
    assert.equal(other.result.outcome, 'refused');
    assert.match(other.result.problems.join('\n'), /upgrades 3\.5\.0 to 3\.6\.0; 3\.4\.0 is installed/);
    const big = await upgrade(estate, await fault('release-host-disk-short'));
    assert.equal(big.result.outcome, 'not-ready');
    assert.equal(big.result.preChecks.find((c) => c.name === 'install-space')?.ok, false);
    for (const r of [corrupt, other, big]) {
      assert.equal(r.planned, undefined, 'no plan was shown');
      assert.deepEqual(r.result.steps, []);
      assert.ok(!(await auditKinds(estate.site, r.id)).includes('mutation'));
    }
    assert.deepEqual(await installedState(estate), before);
    await estate.sandbox.subsystems.faults.clear({});
  });

  it('installs the province’s 3.5.0 through its approval: the new version answers, every step audited once', async () => {
    const { id, result, planned } = await upgrade(estate, 'payment-3.5.0');
    assert.equal(result.outcome, 'upgraded', `${result.failure ?? ''} ${result.problems.join('; ')}`);
    const commands = planned?.plan.actions.map((a) => a.command) ?? [];
    assert.deepEqual(commands.slice(0, 3), ['STOP 收发程序-CCB', 'STOP 收发程序-ICBC', 'STOP 支付应用服务']);
    assert.ok(commands.includes('alter table vouchers add column urgency integer default 0 not null'));
    assert.ok(
      commands.some((c) => c.startsWith('RESTORE ')),
      'the plan shows what a rollback would run',
    );
    assert.equal(installedVersion(estate), '3.5.0');
    const after = await installedState(estate);
    assert.deepEqual(after.answers, {
      subsystem: 'payment',
      status: 'ok',
      version: '3.5.0',
      database: { state: 'ok', schemaVersion: '42' },
    });
    assert.deepEqual(
      result.smoke.map((s) => `${s.check}:${s.target}:${s.ok}`),
      [
        `health:${payment(estate).health.url}:true`,
        'database:pay_notice_templates:true',
        'bank-link:ICBC:true',
        'bank-link:CCB:true',
      ],
    );
    const audited = await auditPayloads<{ action: string }>(estate.site, id);
    assert.equal(audited.length, result.steps.length);
    assert.equal(new Set(audited.map((a) => a.action)).size, audited.length, 'each step audited once');
    assert.deepEqual(result.rollback, []);
  });
});
