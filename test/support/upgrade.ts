/**
 * The version upgrade under test: an estate whose payment system runs (its application server and
 * two banks' send/receive programs), the upgrade started as an engineer and approved as an approver
 * would, and what is installed — the application's files, the tables the migrations touch, the
 * version that answers — to compare before and after.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSiteHosts } from '../../connectors/host/site-hosts.ts';
import { tableChecksums } from '../../connectors/treasury/upgrade-tables.ts';
import type { VersionUpgradeResult } from '../../domain/runbooks/version-upgrade.types.ts';
import { folderChecksums } from '../../sandbox/releases/installations.ts';
import { declaredPrograms } from '../../temporal.config.ts';
import { addTestUsers, decide, gateUnlessEnded, signedBy, type WaitingGate } from './approvals.ts';
import { startTestEstate, type TestEstate } from './estate.ts';

/** The payment system's tables an upgrade to 3.5.0 touches, and its schema version's. */
export const upgradedTables = ['schema_versions', 'pay_notice_templates', 'vouchers'];

export async function startUpgradeEstate(): Promise<TestEstate> {
  const estate = await startTestEstate({
    banks: ['ICBC', 'CCB'],
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'version-upgrade': { roles: ['comm-approver'] },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.sandbox.subsystems.apps.start('payment');
  return estate;
}

export const payment = (estate: TestEstate) => {
  const found = estate.site.subsystems.find((s) => s.kind === 'payment');
  if (!found?.install || !found.health) throw new Error('the test site has no installed payment system');
  return { ...found, install: found.install, health: found.health };
};

/** What is installed: every file's SHA-256, each touched table's checksum, and what the health URL answers. */
export async function installedState(estate: TestEstate) {
  const p = payment(estate);
  const hosts = createSiteHosts({ hosts: estate.site.hosts, programs: declaredPrograms(estate.site) });
  try {
    const health = await hosts.probeHealth(p.health.url, p.health.timeoutMs);
    return {
      files: folderChecksums(p.install.dir),
      tables: await tableChecksums(estate.sandbox.treasury, upgradedTables),
      answers: health.body as { version?: string; database?: { schemaVersion?: string } } | undefined,
    };
  } finally {
    await hosts.close();
  }
}

/** The SHA-256 of the installed VERSION file's text: which version the files are. */
export const installedVersion = (estate: TestEstate) =>
  readFileSync(`${payment(estate).install.dir}/VERSION`, 'utf8').trim();

let runs = 0;

/** Starts an upgrade of `pkg` as eng; approves its plan as wang when it asks. */
export async function upgrade(
  estate: TestEstate,
  pkg: string,
  input: Record<string, unknown> = {},
): Promise<{ id: string; result: VersionUpgradeResult; planned?: WaitingGate }> {
  const id = `version-upgrade/${pkg}/test-${Date.now()}-${(runs += 1)}`;
  const handle = await estate.client.workflow.start('versionUpgrade', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ package: pkg, requestedBy: 'eng', smokeWaitSeconds: 20, ...input }],
  });
  let ended = false;
  const outcome = (handle.result() as Promise<VersionUpgradeResult>).finally(() => (ended = true));
  const gate = await gateUnlessEnded(estate.client, id, () => ended);
  if (gate) await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  return { id, result: await outcome, ...(gate && { planned: gate }) };
}

/** A digest of the whole installed state, for a one-line comparison in a message. */
export const stateDigest = (state: unknown) =>
  createHash('sha256').update(JSON.stringify(state)).digest('hex').slice(0, 12);
