/**
 * The system migration's change, as a saga: the freeze (the old side's programs stopped: start
 * them again), the copy of the application and the database, both sides compared, the new side
 * started (stop it) and the site switched to it (switch back), then the new side watched until its
 * traffic flows. Any failure after the freeze rolls back by itself, latest first, and verifies that
 * the old side serves with its files and tables as before. A rollback step that fails past its
 * retries pauses for an operator (the operator's hand) rather than leave the run half-undone.
 * Every activity leaves what is already so as it is, so a retry or a new worker after a crash does
 * nothing twice. Then the old side waits, kept for a switch back by hand, until its decommission
 * is approved on its own — which may be days later.
 */
import { ActivityFailure } from '@temporalio/common';
import { sleep } from '@temporalio/workflow';
import type { EstateDescription } from '../activities/control.ts';
import type { createMigrationDbActivities } from '../activities/migration-db.ts';
import type { createMigrationHostActivities } from '../activities/migration-host.ts';
import { formatInstant } from '../domain/display.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import { copiesDatabase, decommissionPlan } from '../domain/runbooks/system-migration.plan.ts';
import type {
  CopyVerification,
  MigrationInventory,
  MigrationPreCheck,
  MigrationRollbackVerification,
  MigrationRoute,
  MigrationStepDone,
  SystemMigrationOutcome,
  SystemMigrationParsed,
  TrafficCheck,
} from '../domain/runbooks/system-migration.types.ts';
import { isRunAborted } from './shared/operator-hand.ts';
import { longReadActivities, longWriteActivities, readActivities } from './shared/retry-profiles.ts';
import { approve, type Approved, type Found, type GatedRun } from './shared/runbook-run.ts';

type Host = ReturnType<typeof createMigrationHostActivities>;
type Db = ReturnType<typeof createMigrationDbActivities>;

/** What opening a migration finds: the route from the old side to the new. */
export interface MigrationFound extends Found {
  route: MigrationRoute;
}

/** A migration run: the run, its activities, its key, and what it has seen, done and undone. */
export interface Migration {
  run: GatedRun<SystemMigrationParsed> & MigrationFound;
  acts: ReturnType<typeof migrationActivities>;
  key: string;
  inventory?: MigrationInventory;
  checks: MigrationPreCheck[];
  steps: MigrationStepDone[];
  copy?: CopyVerification;
  traffic: TrafficCheck[];
  failure?: string;
  rollback: MigrationStepDone[];
  verification?: MigrationRollbackVerification;
  decommission: MigrationStepDone[];
  /** What the saga must undo: set as each change begins (a step killed half-way is undone too). */
  undo: { frozen?: true; targetStarted?: true; switched?: true };
}

export function migrationActivities(queues: EstateDescription['taskQueues']) {
  const comm = { taskQueue: queues.comm };
  const db = { taskQueue: queues.db };
  return {
    host: readActivities<Host>(comm),
    hostLong: longReadActivities<Host>(comm),
    // Every change heartbeats: a worker killed in the middle is noticed in seconds, and the step runs again.
    hostChange: longWriteActivities<Host>(comm),
    db: longReadActivities<Db>(db),
    dbChange: longWriteActivities<Db>(db),
  };
}

/** How often the new side is looked at again while its traffic is not flowing yet. */
const trafficEvery = 2;

const ref = (m: Migration) => ({ subsystem: m.run.input.subsystem, target: m.run.input.target });

/** What a failure says, for the report: the activity's own message, not the wrapper's. */
function failureOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return (cause as Error)?.message ?? String(err);
}

/** Does one step of the change and records it (audit trail and report). */
async function done<T>(
  m: Migration,
  approval: Approved,
  what: { step: string; command: string; target: string },
  work: () => Promise<T>,
  into: MigrationStepDone[] = m.steps,
): Promise<T> {
  m.run.step(what.step);
  const result = await work();
  into.push({
    step: what.step,
    command: what.command,
    target: what.target,
    detail: JSON.stringify(result ?? null),
    at: new Date().toISOString(),
  });
  await m.run.record.mutation(approvedOn(approval), {
    subject: m.run.route.subsystem,
    action: what.command,
    target: what.target,
    before: null,
    after: result ?? null,
    alreadyDone: false,
    key: `mutation/${approval.gateId}/${what.step}`,
  });
  return result;
}

const names = (programs: { name: string }[]) => programs.map((p) => p.name).join(', ');

/** The change, then the traffic on the new side; on any failure the rollback and its verification. */
export async function change(m: Migration, approval: Approved): Promise<SystemMigrationOutcome> {
  const r = m.run.route;
  const { proof } = approval;
  const at = { ...ref(m), proof };
  try {
    m.undo.frozen = true;
    await done(
      m,
      approval,
      { step: 'freeze', command: `STOP ${names([...r.source.programs].reverse())}`, target: r.source.host },
      () => m.acts.hostChange.freezeSource(at),
    );
    await done(
      m,
      approval,
      { step: 'copy-files', command: `COPY ${r.source.dir}`, target: r.target.host },
      () => m.acts.hostChange.copyApplicationToTarget(at),
    );
    if (copiesDatabase(r))
      await done(
        m,
        approval,
        { step: 'copy-database', command: `COPY DATABASE ${r.source.database}`, target: r.target.database },
        () => m.acts.dbChange.copyDatabaseToTarget(at),
      );
    m.run.step('verifying-copy');
    m.copy = await verifyCopy(m);
    if (!m.copy.ok) throw new Error(copyFailure(m.copy));
    m.undo.targetStarted = true;
    await done(
      m,
      approval,
      { step: 'start-target', command: `START ${names(r.target.programs)}`, target: r.target.host },
      () => m.acts.hostChange.startTarget(at),
    );
    m.undo.switched = true;
    await done(
      m,
      approval,
      { step: 'switch', command: `SWITCH ${r.subsystem} TO ${r.target.host}`, target: 'site' },
      () => m.acts.hostChange.switchToTarget({ ...at, key: m.key }),
    );
    m.run.step('verifying-traffic');
    m.traffic = await watchTraffic(m);
    const failing = m.traffic.filter((t) => !t.ok);
    if (failing.length === 0) return 'migrated';
    m.failure = `新环境业务验证未通过：${failing.map((t) => `${t.target} ${t.detail}`).join('；')}`;
  } catch (err) {
    if (isRunAborted(err)) throw err;
    m.failure ??= failureOf(err);
  }
  await rollBack(m, approval);
  return m.verification?.ok ? 'rolled-back' : 'rollback-incomplete';
}

/** Both sides compared: every file's digest, every table's rows and checksum. */
async function verifyCopy(m: Migration): Promise<CopyVerification> {
  const [files, tables] = await Promise.all([
    m.acts.hostLong.compareApplications(ref(m)),
    m.acts.db.compareDatabases(ref(m)),
  ]);
  const filesEqual = files.filesDiffer.length === 0 && files.sourceDigest === files.targetDigest;
  return { ok: filesEqual && tables.every((t) => t.equal), filesEqual, ...files, tables };
}

function copyFailure(copy: CopyVerification): string {
  const tables = copy.tables
    .filter((t) => !t.equal)
    .map((t) => `${t.table}（${t.sourceRows}/${t.targetRows} 行）`);
  return [
    '复制后两侧不一致',
    ...(copy.filesEqual ? [] : [`文件：${copy.filesDiffer.join('、')}`]),
    ...(tables.length > 0 ? [`数据表：${tables.join('、')}`] : []),
  ].join('；');
}

/** The new side looked at until everything answers, or until the input's wait is over. */
async function watchTraffic(m: Migration): Promise<TrafficCheck[]> {
  const expectVersion = m.inventory?.version;
  const looks = Math.max(1, Math.ceil(m.run.input.trafficWaitSeconds / trafficEvery));
  for (let look = 1; ; look++) {
    const checks = await m.acts.host.migrationTraffic({ ...ref(m), ...(expectVersion && { expectVersion }) });
    if (checks.every((c) => c.ok) || look >= looks) return checks;
    await sleep(`${trafficEvery} seconds`);
  }
}

/** Undoes what was done, latest first; each step pauses for an operator if it fails past its retries. */
async function rollBack(m: Migration, approval: Approved): Promise<void> {
  const r = m.run.route;
  const at = { ...ref(m), proof: approval.proof };
  const back = <T>(step: string, command: string, target: string, work: () => Promise<T>) =>
    m.run.hand.step(`rollback:${step}`, () =>
      done(m, approval, { step: `rollback:${step}`, command, target }, work, m.rollback),
    );
  m.run.step('rolling-back');
  if (m.undo.targetStarted)
    await back('stop-target', `STOP ${names([...r.target.programs].reverse())}`, r.target.host, () =>
      m.acts.hostChange.stopTarget(at),
    );
  if (m.undo.switched)
    await back('switch-back', `SWITCH ${r.subsystem} BACK TO ${r.source.host}`, 'site', () =>
      m.acts.hostChange.switchBack(at),
    );
  if (m.undo.frozen)
    await back('unfreeze', `START ${names(r.source.programs)}`, r.source.host, () =>
      m.acts.hostChange.unfreezeSource(at),
    );
  m.run.step('verifying-rollback');
  m.verification = await verifyRollback(m);
}

/** The old side in service again, its files and every table as the inventory found them. */
async function verifyRollback(m: Migration): Promise<MigrationRollbackVerification> {
  const before = m.inventory as MigrationInventory;
  const [files, db, traffic] = await Promise.all([
    m.acts.hostLong.applicationDigest(ref(m)),
    m.acts.db.migrationDbState(ref(m)),
    m.acts.host.migrationTraffic({ ...ref(m), ...(before.version && { expectVersion: before.version }) }),
  ]);
  const was = new Map(before.tables.map((t) => [t.table, `${t.rows}:${t.digest}`]));
  const tablesEqual = db.tables
    .filter((t) => was.get(t.table) === `${t.rows}:${t.digest}`)
    .map((t) => t.table);
  const tablesDiffer = [
    ...db.tables.filter((t) => !tablesEqual.includes(t.table)).map((t) => t.table),
    ...before.tables.filter((t) => !db.tables.some((x) => x.table === t.table)).map((t) => t.table),
  ];
  const health = traffic.find((t) => t.check === 'health');
  const serving = traffic.every((t) => t.ok);
  const filesEqual = files.digest === before.filesDigest;
  return {
    ok: serving && filesEqual && tablesDiffer.length === 0,
    serving,
    servingDetail: health?.detail ?? '未声明健康检查地址',
    filesEqual,
    tablesEqual,
    tablesDiffer,
  };
}

/**
 * The old side kept until a separate approval decommissions it — a wait of days, as durable as
 * the run. Approved: its folder and (SQLite) database removed. Rejected or expired: kept.
 */
export async function decommission(m: Migration): Promise<SystemMigrationOutcome> {
  const r = m.run.route;
  const switched = m.steps.find((s) => s.step === 'switch')?.at ?? new Date().toISOString();
  const plan = decommissionPlan(r, formatInstant(switched, m.run.estate.timezone));
  const approval = await approve(m.run, 'decommission', plan);
  if (typeof approval === 'string') return 'migrated';
  const at = { ...ref(m), proof: approval.proof };
  m.run.step('decommissioning');
  await done(
    m,
    approval,
    { step: 'remove-files', command: `REMOVE ${r.source.dir}`, target: r.source.host },
    () => m.acts.hostChange.removeSourceFiles(at),
    m.decommission,
  );
  if (copiesDatabase(r))
    await done(
      m,
      approval,
      { step: 'remove-database', command: `REMOVE DATABASE ${r.source.database}`, target: r.source.database },
      () => m.acts.dbChange.removeSourceDatabase(at),
      m.decommission,
    );
  return 'decommissioned';
}
