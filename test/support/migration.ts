/**
 * The system migration under test: an estate whose accounting system runs on its own host with
 * its own database, a migration started as an engineer and approved as an approver would, and
 * what the old side holds — every file's SHA-256, every table's rows and checksum, what its health
 * URL answers — to compare before and after.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createSiteHosts } from '../../connectors/host/site-hosts.ts';
import { storeState } from '../../connectors/treasury/subsystem-stores.ts';
import type { SystemMigrationResult } from '../../domain/runbooks/system-migration.types.ts';
import { folderChecksums } from '../../sandbox/releases/installations.ts';
import { declaredPrograms } from '../../temporal.config.ts';
import {
  addTestUsers,
  decide,
  gateUnlessEnded,
  signedBy,
  waitForGate,
  type WaitingGate,
} from './approvals.ts';
import { startTestEstate, type TestEstate } from './estate.ts';
import { HistoryWatch } from './history-watch.ts';
import { WorkerLane } from './worker-lane.ts';

export async function startMigrationEstate(): Promise<TestEstate> {
  const estate = await startTestEstate({
    banks: ['ICBC'],
    edit: (raw) => {
      const approvals = raw.approvals as { runbooks?: Record<string, unknown> };
      approvals.runbooks = {
        ...approvals.runbooks,
        'system-migration': { roles: ['comm-approver'], steps: { decommission: { expireAfter: '30d' } } },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.sandbox.subsystems.apps.start('accounting');
  return estate;
}

/**
 * How long a killed worker's reports are held (WorkerLane.holdReports): the tests check that each
 * kill landed before its step's report, and a loaded machine has been seen to take over 150 ms to
 * notice a step's side effect.
 */
export const migrationHoldMs = 400;

/**
 * For a kill -9 test file: its migration estate and a worker lane of its own (`tag`), started
 * before its cases and closed after them.
 */
export function migrationOnLane(tag: string): { estate(): TestEstate; lane(): WorkerLane } {
  let estate: TestEstate | undefined;
  let lane: WorkerLane | undefined;
  before(async () => {
    estate = await startMigrationEstate();
    lane = new WorkerLane(estate, tag);
    await lane.start();
  });
  after(async () => {
    await lane?.close();
    await estate?.stop();
  });
  const started = <T>(what: T | undefined): T => {
    if (!what) throw new Error('the migration estate has not started');
    return what;
  };
  return { estate: () => started(estate), lane: () => started(lane) };
}

export const accounting = (estate: TestEstate) => {
  const s = estate.site.subsystems.find((x) => x.id === 'accounting');
  const t = s?.migrationTargets[0];
  if (
    !s?.install ||
    !s.health ||
    s.database?.store?.adapter !== 'sqlite' ||
    !t?.health ||
    t.database.adapter !== 'sqlite'
  )
    throw new Error('the test site has no movable accounting system');
  const program = (p: unknown) => p as { pidFile: string; logFile: string };
  return {
    source: {
      logFile: program(s.programs[0]).logFile,
      dir: s.install.dir,
      db: s.database.store,
      health: s.health.url,
      pidFile: program(s.programs[0]).pidFile,
    },
    target: {
      logFile: program(t.programs[0]).logFile,
      host: t.host,
      dir: t.dir,
      db: t.database,
      health: t.health.url,
      pidFile: program(t.programs[0]).pidFile,
    },
  };
};

async function answer(estate: TestEstate, url: string) {
  const hosts = createSiteHosts({ hosts: estate.site.hosts, programs: declaredPrograms(estate.site) });
  try {
    const probe = await hosts.probeHealth(url, 5000);
    return probe.ok ? (probe.body as { version?: string; database?: { schemaVersion?: string } }) : undefined;
  } finally {
    await hosts.close();
  }
}

/** One side as it is: its files, its tables, what its health URL answers. */
export async function sideState(estate: TestEstate, side: 'source' | 'target') {
  const s = accounting(estate)[side];
  return {
    files: folderChecksums(s.dir),
    tables: (await storeState(s.db)).tables,
    answers: await answer(estate, s.health),
  };
}

/** The side the site points at now, as the switch recorded it (none: its own description). */
export const placement = (estate: TestEstate) => {
  const file = join(estate.site.placementsDir as string, 'accounting.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { host: string }) : undefined;
};

/** How many lines of a program's log say `msg` (pino's JSON lines). */
export const logged = (file: string, msg: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes(`"msg":"${msg}"`)).length
    : 0;

let runs = 0;

const migrationInput = (estate: TestEstate, input: Record<string, unknown>) => ({
  subsystem: 'accounting',
  target: accounting(estate).target.host,
  requestedBy: 'eng',
  trafficWaitSeconds: 30,
  ...input,
});

/** Waits for the run's plan gate and approves it as wang; undefined when the run ended without asking. */
async function approvePlan(
  estate: TestEstate,
  handle: WorkflowHandle,
): Promise<{ result: Promise<SystemMigrationResult>; planned?: WaitingGate }> {
  let ended = false;
  const result = (handle.result() as Promise<SystemMigrationResult>).finally(() => (ended = true));
  const gate = await gateUnlessEnded(estate.client, handle.workflowId, () => ended);
  if (gate) await decide(estate.client, handle.workflowId, signedBy(estate.site, gate, 'wang'));
  return { result, ...(gate && { planned: gate }) };
}

/** Starts a migration of accounting to its target as eng; approves its plan as wang when it asks. */
export async function migrate(
  estate: TestEstate,
  input: Record<string, unknown> = {},
): Promise<{ id: string; result: Promise<SystemMigrationResult>; planned?: WaitingGate }> {
  const id = `system-migration/accounting/test-${Date.now()}-${(runs += 1)}`;
  const handle = await estate.client.workflow.start('systemMigration', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [migrationInput(estate, input)],
  });
  return { id, ...(await approvePlan(estate, handle)) };
}

/**
 * The same on a worker lane whose worker the test kills: a decision the killed worker took and
 * never reported goes to the next one after 4 s rather than Temporal's 10. A run that ends before
 * asking fails the test with its outcome.
 */
export async function migrateOnLane(
  estate: TestEstate,
  lane: WorkerLane,
  tag: string,
): Promise<{ id: string; result: Promise<SystemMigrationResult> }> {
  const id = `system-migration/accounting/${tag}-${Date.now()}`;
  const handle = await lane.startWorkflow('systemMigration', id, migrationInput(estate, {}), {
    workflowTaskTimeout: '4 seconds',
  });
  const { result, planned } = await approvePlan(estate, handle);
  if (!planned) {
    const r = await result;
    assert.fail(
      `${id} ended without asking for approval: ${r.outcome} ${r.failure ?? ''} ${JSON.stringify(r.preChecks)}`,
    );
  }
  return { id, result };
}

/** The run's gate once it asks for its decommission (the switch done, the old side kept). */
export async function decommissionGate(estate: TestEstate, id: string): Promise<WaitingGate> {
  const watch = new HistoryWatch(estate.client, id);
  for (;;) {
    const gate = await waitForGate(estate.client, id);
    if (gate.step === 'decommission') return gate;
    await watch.next();
  }
}
