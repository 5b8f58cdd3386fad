/**
 * The version upgrade's change, as a saga: each step done is remembered with what undoes it —
 * the programs stopped (start them again), the files put in place (restore the backup), each
 * migration statement run (its back statement, then the tables from their copies) — and any
 * failure after the first change rolls back by itself, latest first, then verifies that the old
 * version answers with its files and tables as they were. A rollback step that fails past its
 * retries pauses for an operator (the operator's hand) rather than leave the run half-undone.
 * Every activity is keyed by the run (its backup folder, its table copies, its journal rows), so a
 * retry or a new worker after a crash does nothing twice.
 */
import { ActivityFailure } from '@temporalio/common';
import type { createMqActivities } from '../activities/mq.ts';
import type { createUpgradeDbActivities } from '../activities/upgrade-db.ts';
import type { createUpgradeHostActivities } from '../activities/upgrade-host.ts';
import type { EstateDescription } from '../activities/control.ts';
import { questionFor } from '../domain/bank-questions.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import { statementKey, upgradeTables } from '../domain/runbooks/version-upgrade.plan.ts';
import type {
  PreCheck,
  RollbackVerification,
  SmokeCheck,
  UpgradeBefore,
  UpgradePackage,
  UpgradeStepDone,
  UpgradeTarget,
  VersionUpgradeOutcome,
  VersionUpgradeParsed,
} from '../domain/runbooks/version-upgrade.types.ts';
import { askBank, questionPrefix } from './shared/ask-bank.ts';
import { isRunAborted } from './shared/operator-hand.ts';
import { longReadActivities, longWriteActivities, readActivities } from './shared/retry-profiles.ts';
import type { Approved, Found, GatedRun } from './shared/runbook-run.ts';

type Host = ReturnType<typeof createUpgradeHostActivities>;
type Db = ReturnType<typeof createUpgradeDbActivities>;
type Mq = ReturnType<typeof createMqActivities>;

/** What opening an upgrade finds: the installation, the package, what is installed. */
export interface UpgradeFound extends Found {
  target: UpgradeTarget;
  pkg: UpgradePackage;
  packageProblems: string[];
  installedVersion?: string;
}

/** An upgrade run: the run, its activities, its key, and what it has seen, done and undone. */
export interface Upgrade {
  run: GatedRun<VersionUpgradeParsed> & UpgradeFound;
  acts: ReturnType<typeof upgradeActivities>;
  key: string;
  before?: UpgradeBefore;
  problems: string[];
  checks: PreCheck[];
  steps: UpgradeStepDone[];
  smoke: SmokeCheck[];
  failure?: string;
  rollback: UpgradeStepDone[];
  verification?: RollbackVerification;
  /** What the saga must undo: set as each change begins (a step killed half-way is undone too). */
  undo: {
    stopped?: true;
    files?: true;
    tables?: true;
    started?: true;
    statements: { key: string; back: string }[];
  };
}

export function upgradeActivities(queues: EstateDescription['taskQueues']) {
  const comm = { taskQueue: queues.comm };
  const db = { taskQueue: queues.db };
  return {
    host: readActivities<Host>(comm),
    hostLong: longReadActivities<Host>(comm),
    // Every change heartbeats: a worker killed in the middle is noticed in seconds, and the step runs again.
    hostLongChange: longWriteActivities<Host>(comm),
    dbLong: longReadActivities<Db>(db),
    dbRead: readActivities<Db>(db),
    dbLongChange: longWriteActivities<Db>(db),
    mq: readActivities<Mq>(comm),
  };
}

/** What a failure says, for the report: the activity's own message, not the wrapper's. */
function failureOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return (cause as Error)?.message ?? String(err);
}

/** Does one step of the change and records it (audit trail and report) under `name`. */
async function done<T>(
  u: Upgrade,
  approval: Approved,
  what: { step: string; command: string; target: string; before: unknown },
  work: () => Promise<T>,
  into: UpgradeStepDone[] = u.steps,
): Promise<T> {
  u.run.step(what.step);
  const result = await work();
  const at = new Date().toISOString();
  into.push({
    step: what.step,
    command: what.command,
    target: what.target,
    detail: JSON.stringify(result ?? null),
    at,
  });
  await u.run.record.mutation(approvedOn(approval), {
    subject: u.run.target.subsystem,
    action: what.command,
    target: what.target,
    before: what.before ?? null,
    after: result ?? null,
    alreadyDone: false,
    key: `mutation/${approval.gateId}/${what.step}`,
  });
  return result;
}

/** The change, then the smoke tests; on any failure the rollback and its verification. */
export async function change(u: Upgrade, approval: Approved): Promise<VersionUpgradeOutcome> {
  try {
    await forward(u, approval);
    u.run.step('smoke-test');
    u.smoke = await smokeTest(u);
    const failing = u.smoke.filter((s) => !s.ok);
    if (failing.length === 0) return 'upgraded';
    u.failure = `冒烟测试未通过：${failing.map((s) => `${s.target} ${s.detail}`).join('；')}`;
  } catch (err) {
    if (isRunAborted(err)) throw err;
    u.failure = failureOf(err);
  }
  await rollBack(u, approval);
  return u.verification?.ok ? 'rolled-back' : 'rollback-incomplete';
}

async function forward(u: Upgrade, approval: Approved): Promise<void> {
  const { target: t, pkg } = u.run;
  const { proof } = approval;
  const subsystem = t.subsystem;
  const before = u.before as UpgradeBefore;
  u.undo.stopped = true;
  await done(
    u,
    approval,
    {
      step: 'stop',
      command: `STOP ${t.programs
        .map((p) => p.name)
        .reverse()
        .join(', ')}`,
      target: t.host,
      before: 'running',
    },
    () => u.acts.hostLongChange.stopUpgradePrograms({ subsystem, proof }),
  );
  await done(
    u,
    approval,
    { step: 'backup', command: `BACKUP ${t.dir}`, target: t.host, before: before.version },
    () => u.acts.hostLongChange.backupApplication({ subsystem, key: u.key, proof }),
  );
  const existing = before.tables.filter((s) => s.exists).map((s) => s.table);
  if (existing.length > 0)
    await done(
      u,
      approval,
      {
        step: 'backup-tables',
        command: `BACKUP TABLES ${existing.join(', ')}`,
        target: 'treasury',
        before: null,
      },
      () => u.acts.dbLongChange.backupUpgradeTables({ key: u.key, tables: existing, proof }),
    );
  u.undo.files = true;
  await done(
    u,
    approval,
    { step: 'apply', command: `PUT ${pkg.id} INTO ${t.dir}`, target: t.host, before: before.version },
    () => u.acts.hostLongChange.applyUpgradePackage({ subsystem, package: pkg.id, key: u.key, proof }),
  );
  for (const m of pkg.database?.migrations ?? [])
    for (const [i, statement] of m.forward.entries()) {
      const key = statementKey(m.id, 'forward', i);
      u.undo.tables = true;
      await done(
        u,
        approval,
        { step: `migrate:${key}`, command: statement, target: 'treasury', before: null },
        () => u.acts.dbLongChange.runUpgradeStatement({ runKey: u.key, statementKey: key, statement, proof }),
      );
      u.undo.statements.push({ key: statementKey(m.id, 'back', i), back: m.back[i] as string });
    }
  if (pkg.database) {
    const version = pkg.database.schemaTo;
    await done(
      u,
      approval,
      {
        step: 'schema-version',
        command: `schema ${version}`,
        target: 'treasury',
        before: before.schemaVersion ?? null,
      },
      () => u.acts.dbLongChange.setUpgradeSchemaVersion({ subsystem, version, proof }),
    );
  }
  u.undo.started = true;
  await done(
    u,
    approval,
    {
      step: 'start',
      command: `START ${t.programs.map((p) => p.name).join(', ')}`,
      target: t.host,
      before: 'stopped',
    },
    () => u.acts.hostLongChange.startUpgradePrograms({ subsystem, proof }),
  );
}

/** The health URL with the new version, a read of the database, and a test message both ways with each bank. */
async function smokeTest(u: Upgrade): Promise<SmokeCheck[]> {
  const { pkg, target: t } = u.run;
  const checks: SmokeCheck[] = [];
  if (pkg.smoke.health) {
    const h = await u.acts.host.upgradeHealth({ subsystem: t.subsystem });
    const ok =
      h.ok && h.version === pkg.version && (!pkg.database || h.schemaVersion === pkg.database.schemaTo);
    checks.push({
      check: 'health',
      target: t.healthUrl ?? t.subsystem,
      ok,
      detail: `版本 ${h.version ?? '?'}，数据库版本 ${h.schemaVersion ?? '?'}；${h.detail}`,
    });
  }
  if (pkg.smoke.databaseRead) {
    const read = await u.acts.dbRead.smokeRead({ table: pkg.smoke.databaseRead });
    checks.push({
      check: 'database',
      target: pkg.smoke.databaseRead,
      ok: read.rows !== undefined,
      detail: read.rows === undefined ? '表不存在' : `可读，${read.rows} 行`,
    });
  }
  if (pkg.smoke.bankLinks) checks.push(...(await bankLinks(u)));
  return checks;
}

/** Each bank asked about a voucher nobody sent (the test message out) and its answer read back (the test message in). */
async function bankLinks(u: Upgrade): Promise<SmokeCheck[]> {
  const prefix = questionPrefix('upgrade-smoke');
  return Promise.all(
    u.run.target.banks.map(async (bank) => {
      const question = questionFor(prefix, {
        subject: 'voucher',
        voucherNo: `SMOKE${u.key.slice(0, 8).toUpperCase()}${bank}`,
      });
      const asked = await askBank(
        { dbQueue: u.run.estate.taskQueues.db, bank },
        prefix,
        [question],
        u.run.input.smokeWaitSeconds,
      );
      const answered = asked.answers.has(question.queryId);
      return {
        check: 'bank-link' as const,
        target: bank,
        ok: answered,
        detail: answered
          ? '测试报文往返成功'
          : asked.sent > 0
            ? `测试报文已发出，${u.run.input.smokeWaitSeconds} 秒内未收到应答`
            : '测试报文未能发出',
      };
    }),
  );
}

/** Undoes what was done, latest first; each step pauses for an operator if it fails past its retries. */
async function rollBack(u: Upgrade, approval: Approved): Promise<void> {
  const { target: t } = u.run;
  const { proof } = approval;
  const subsystem = t.subsystem;
  const before = u.before as UpgradeBefore;
  const back = <T>(step: string, command: string, target: string, work: () => Promise<T>) =>
    u.run.hand.step(`rollback:${step}`, () =>
      done(u, approval, { step: `rollback:${step}`, command, target, before: null }, work, u.rollback),
    );
  u.run.step('rolling-back');
  if (u.undo.started)
    await back(
      'stop',
      `STOP ${t.programs
        .map((p) => p.name)
        .reverse()
        .join(', ')}`,
      t.host,
      () => u.acts.hostLongChange.stopUpgradePrograms({ subsystem, proof }),
    );
  const restored = u.undo.files
    ? await back('restore-files', `RESTORE ${t.dir}`, t.host, () =>
        u.acts.hostLongChange.restoreUpgradeBackup({ subsystem, key: u.key, proof }),
      )
    : undefined;
  for (const s of [...u.undo.statements].reverse())
    await back(`migrate:${s.key}`, s.back, 'treasury', () =>
      u.acts.dbLongChange.runUpgradeStatement({
        runKey: u.key,
        statementKey: s.key,
        statement: s.back,
        proof,
      }),
    );
  if (u.undo.tables) {
    const tables = before.tables.map((s) => ({ table: s.table, existed: s.exists }));
    await back('restore-tables', `RESTORE TABLES ${tables.map((x) => x.table).join(', ')}`, 'treasury', () =>
      u.acts.dbLongChange.restoreUpgradeTables({ key: u.key, tables, proof }),
    );
  }
  if (u.undo.stopped)
    await back('start', `START ${t.programs.map((p) => p.name).join(', ')}`, t.host, () =>
      u.acts.hostLongChange.startUpgradePrograms({ subsystem, proof }),
    );
  u.run.step('verifying-rollback');
  u.verification = await verifyRollback(u, restored?.equal ?? true);
}

/** The old version answers, its files are the backup's, and every table the migrations touched is as it was. */
async function verifyRollback(u: Upgrade, filesEqual: boolean): Promise<RollbackVerification> {
  const before = u.before as UpgradeBefore;
  const [health, db] = await Promise.all([
    u.acts.host.upgradeHealth({ subsystem: u.run.target.subsystem }),
    u.acts.dbLong.upgradeDbState({ subsystem: u.run.target.subsystem, tables: upgradeTables(u.run.pkg) }),
  ]);
  const was = new Map(before.tables.map((s) => [s.table, `${s.exists}:${s.digest}`]));
  const same = db.tables.filter((s) => was.get(s.table) === `${s.exists}:${s.digest}`).map((s) => s.table);
  const differ = db.tables.filter((s) => !same.includes(s.table)).map((s) => s.table);
  const versionOk = health.ok && health.version === before.version;
  const schemaOk = db.schemaVersion === before.schemaVersion;
  return {
    ok: versionOk && schemaOk && filesEqual && differ.length === 0,
    ...(health.version !== undefined && { version: health.version }),
    ...(db.schemaVersion !== undefined && { schemaVersion: db.schemaVersion }),
    filesEqual,
    tablesEqual: same,
    tablesDiffer: differ,
  };
}
