/**
 * The version upgrade with its worker killed (kill -9) at every step boundary, on a worker lane of
 * its own (test/support/worker-lane.ts): each time a step's side effect has landed and before
 * Temporal has heard of it — the programs stopped, the backup made, the files in place, the last
 * migration statement run, the new version started. The upgrade completes; nothing was done twice
 * (the application server stopped and started once each, every statement journaled once, each step
 * audited once). Before it, a package whose migration fails, killed once its files are in place and
 * again as its rollback has restored them: the rollback completes and everything is as before.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { VersionUpgradeResult } from '../../domain/runbooks/version-upgrade.types.ts';
import { decide, signedBy, waitForGate } from '../support/approvals.ts';
import type { TestEstate } from '../support/estate.ts';
import { installedState, installedVersion, payment, startUpgradeEstate } from '../support/upgrade.ts';
import { auditPayloads, WorkerLane } from '../support/worker-lane.ts';

let estate: TestEstate;
let lane: WorkerLane | undefined;

before(async () => {
  estate = await startUpgradeEstate();
  lane = new WorkerLane(estate, 'upgrade');
  await lane.start();
});
after(async () => {
  await lane?.close();
  await estate?.stop();
});

const appLog = () => readFileSync(payment(estate).programs[0]!.logFile!, 'utf8');
const logged = (msg: string) =>
  appLog()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`)).length;
const pidFile = () => (payment(estate).programs[0] as { pidFile: string }).pidFile;
const backupDone = () =>
  existsSync(payment(estate).install.backupDir) &&
  readdirSync(payment(estate).install.backupDir).some((d) =>
    existsSync(join(payment(estate).install.backupDir, d, 'backup.json')),
  );
const journaled = async () =>
  (await estate.sandbox.treasury.selectFrom('upgrade_journal').select('statement_key').execute()).map(
    (r) => r.statement_key,
  );

async function approvedRun(pkg: string): Promise<{ id: string; result: Promise<VersionUpgradeResult> }> {
  const id = `version-upgrade/${pkg}/crash-${Date.now()}`;
  const handle = await (lane as WorkerLane).startWorkflow('versionUpgrade', id, {
    package: pkg,
    requestedBy: 'eng',
    smokeWaitSeconds: 30,
  });
  const gate = await waitForGate(estate.client, id);
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  return { id, result: handle.result() as Promise<VersionUpgradeResult> };
}

test('a failed migration rolled back, killed as the rollback has restored the files: everything as before', async () => {
  const w = lane as WorkerLane;
  const injected = await estate.sandbox.subsystems.faults.inject({
    fault: 'release-migration-fails',
    subsystem: 'payment',
  });
  const before = await installedState(estate);
  const version = installedVersion(estate);
  const { result } = await approvedRun(injected.details.package as string);
  await w.killWhen('the files applied', () => installedVersion(estate) !== version);
  w.holdReports();
  await w.killWhen('the files restored', () => installedVersion(estate) === version);
  const ended = await result;
  assert.equal(ended.outcome, 'rolled-back', JSON.stringify(ended.verification));
  assert.match(ended.failure ?? '', /amount_yuan/);
  assert.deepEqual(await installedState(estate), before);
});

test('killed at every step boundary of an upgrade: it completes, nothing done twice', async () => {
  const w = lane as WorkerLane;
  const [starts, stops, statements] = [logged('started'), logged('stopping'), (await journaled()).length];
  const { id, result } = await approvedRun('payment-3.5.0');
  const kill = async (what: string, seen: () => boolean | Promise<boolean>) => {
    w.holdReports();
    await w.killWhen(what, seen);
  };
  await kill('the programs stopped', () => !existsSync(pidFile()));
  await kill('the backup made', backupDone);
  await kill('the files in place', () => installedVersion(estate) === '3.5.0');
  await kill('the last migration statement run', async () => (await journaled()).length === statements + 5);
  await kill('the new version started', () => logged('started') === starts + 1);
  const ended = await result;
  assert.equal(ended.outcome, 'upgraded', ended.failure);
  assert.equal(w.kills.length, 7, 'two kills in the rollback, five in the upgrade');
  assert.equal(logged('stopping'), stops + 1, 'the application server stopped once');
  assert.equal(logged('started'), starts + 1, 'and started once');
  assert.equal((await journaled()).length, statements + 5, 'every statement journaled once');
  const audited = await auditPayloads<{ action: string }>(estate.site, id);
  assert.equal(new Set(audited.map((a) => a.action)).size, audited.length, 'each step audited once');
  assert.equal(audited.length, ended.steps.length);
  assert.equal((await installedState(estate)).answers?.version, '3.5.0');
});
