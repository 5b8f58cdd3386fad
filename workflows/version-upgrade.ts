/**
 * 省厅版本升级 — provincial version upgrade (catalog item 9, contract 1.4, 2.3.4, 3.3, 4.4, 6.5,
 * 7.2): verify the province's package (its signature, every file's checksum, that it applies to
 * what is installed), pre-check (no voucher in flight, the channels idle, room for the backup),
 * show the plan — every program stop and start, backup, file, migration statement, and what a
 * rollback would run — and, once approved: stop the programs, back up the application and the
 * tables, put the files in place, migrate, start the programs in order and smoke-test. Any failure
 * after the first change rolls back by itself (version-upgrade.steps.ts) and verifies that the old
 * version answers as before. The package names the subsystem it upgrades; one upgrade per
 * subsystem at a time (lock/subsystem/<id>).
 */
import { sleep, workflowInfo } from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import { invalidInput, parseInput } from '../domain/errors.ts';
import { applicabilityProblems } from '../domain/release-manifest.ts';
import { upgradeKey, upgradePlan, upgradeTables } from '../domain/runbooks/version-upgrade.plan.ts';
import { versionUpgradeReport } from '../domain/runbooks/version-upgrade.report.ts';
import {
  versionUpgradeInputSchema,
  type PreCheck,
  type UpgradeBefore,
  type VersionUpgradeInput,
  type VersionUpgradeOutcome,
  type VersionUpgradeResult,
} from '../domain/runbooks/version-upgrade.types.ts';
import type { ReadProxy } from './shared/retry-profiles.ts';
import { approve, closeRun, holdingLock, lastPlan, openRun } from './shared/runbook-run.ts';
import { change, upgradeActivities, type Upgrade, type UpgradeFound } from './version-upgrade.steps.ts';

type Control = ReturnType<typeof createControlActivities>;

const runbook = 'version-upgrade';
/** How often the pre-checks look again for vouchers and messages still moving before calling the estate not ready. */
const preCheckLooks = 4;

export async function versionUpgrade(rawInput: VersionUpgradeInput): Promise<VersionUpgradeResult> {
  const input = parseInput(versionUpgradeInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => findUpgrade(control, input),
    firstStep: 'verifying',
    subject: input.package,
    detail: (found) => ({ package: input.package, host: found.target.host }),
  });
  const { workflowId, runId } = workflowInfo();
  const u: Upgrade = {
    run,
    acts: upgradeActivities(run.estate.taskQueues),
    key: upgradeKey(workflowId, runId),
    problems: [],
    checks: [],
    steps: [],
    smoke: [],
    rollback: [],
    undo: { statements: [] },
  };
  const failed = `版本升级失败：${run.target.name} ${input.package}`;
  const outcome = await holdingLock(run, ['subsystem', run.target.subsystem], failed, () => upgrade(u));
  const report = await closeRun(
    run,
    {
      outcome,
      subject: input.package,
      payload: { subsystem: run.target.subsystem, failure: u.failure ?? null },
    },
    (r) => versionUpgradeReport(r, facts(u, outcome)),
  );
  return { runbook, workflowId: run.workflowId, ...facts(u, outcome), report };
}

/** Verify, pre-check, plan, approve, then change — rolling back on any failure after the first change. */
async function upgrade(u: Upgrade): Promise<VersionUpgradeOutcome> {
  const before = await verify(u);
  if (!before) return 'refused';
  if (!(await preCheck(u, before))) return 'not-ready';
  u.run.step('checking-files');
  u.problems = await u.acts.hostLong.checkPackageFiles({ package: u.run.pkg.id });
  if (u.problems.length > 0) return 'refused';
  const plan = upgradePlan({
    target: u.run.target,
    pkg: u.run.pkg,
    before,
    key: u.key,
    reason: u.run.input.reason,
  });
  const approval = await approve(u.run, 'execute', plan);
  if (typeof approval === 'string') return approval;
  u.run.step('executing');
  return change(u, approval);
}

/** The package's signature and manifest, and whether it applies to the version and schema installed. */
async function verify(u: Upgrade): Promise<UpgradeBefore | undefined> {
  const db = await u.acts.dbLong.upgradeDbState({
    subsystem: u.run.target.subsystem,
    tables: upgradeTables(u.run.pkg),
  });
  const version = u.run.installedVersion ?? '(unknown)';
  u.before = {
    checks: [],
    version,
    ...(db.schemaVersion !== undefined && { schemaVersion: db.schemaVersion }),
    tables: db.tables,
  };
  const applies = applicabilityProblems(u.run.pkg, {
    version,
    ...(db.schemaVersion !== undefined && { schemaVersion: db.schemaVersion }),
    dialect: db.dialect,
  });
  u.problems = [...u.run.packageProblems, ...applies];
  return u.problems.length === 0 ? u.before : undefined;
}

/** No voucher in flight, every bank's transmission queue empty, room for the backup and the package, the programs up. */
async function preCheck(u: Upgrade, before: UpgradeBefore): Promise<boolean> {
  u.run.step('pre-checks');
  const { target, pkg } = u.run;
  for (let look = 1; ; look++) {
    const [db, host, depths] = await Promise.all([
      u.acts.dbLong.upgradeDbState({ subsystem: target.subsystem, tables: [] }),
      u.acts.host.hostPreChecks({ subsystem: target.subsystem, package: pkg.id }),
      Promise.all(
        target.banks.map(async (bank) => ({
          bank,
          depth: (await u.acts.mq.inspectQueues({ bank })).xmitq.depth,
        })),
      ),
    ]);
    const busy = depths.filter((d) => d.depth > 0);
    const checks: PreCheck[] = [
      { name: 'vouchers', ok: db.vouchersInFlight === 0, detail: `在途凭证 ${db.vouchersInFlight} 笔` },
      {
        name: 'channels',
        ok: busy.length === 0,
        detail:
          busy.length === 0
            ? `${depths.length} 条通道传输队列为空`
            : `传输队列有积压：${busy.map((d) => `${d.bank} ${d.depth}`).join('，')}`,
      },
      ...host,
    ];
    u.checks = checks;
    before.checks = checks;
    const waiting = checks.filter((c) => !c.ok);
    if (waiting.length === 0) return true;
    // Space and programs do not come back by waiting; vouchers and messages in flight do.
    if (look >= preCheckLooks || waiting.some((c) => c.name !== 'vouchers' && c.name !== 'channels'))
      return false;
    await sleep('10 seconds');
  }
}

/** Finds the package and the installation it goes to; an unknown package or host is bad input, before anything is recorded. */
async function findUpgrade(
  control: ReadProxy<Control>,
  input: { package: string; host?: string | undefined },
): Promise<UpgradeFound> {
  const estate = await control.describeEstate();
  const described = await upgradeActivities(estate.taskQueues).host.describeUpgrade({
    package: input.package,
    ...(input.host !== undefined && { host: input.host }),
  });
  if (described.inputProblems.length > 0) throw invalidInput(described.inputProblems);
  const { target, package: pkg } = described;
  if (!target || !pkg) throw invalidInput([`input.package: ${described.packageProblems.join('; ')}`]);
  return {
    estate,
    bank: { code: target.subsystem, name: target.name },
    target,
    pkg,
    packageProblems: described.packageProblems,
    ...(described.installedVersion !== undefined && { installedVersion: described.installedVersion }),
  };
}

function facts(u: Upgrade, outcome: VersionUpgradeOutcome) {
  const approval = u.run.approvals.at(-1);
  return {
    outcome,
    package: u.run.pkg.id,
    subsystem: u.run.target.subsystem,
    host: u.run.target.host,
    ...(u.before && { fromVersion: u.before.version }),
    toVersion: u.run.pkg.version,
    problems: u.problems,
    preChecks: u.checks,
    ...lastPlan(u.run),
    ...(approval && { approval }),
    steps: u.steps,
    smoke: u.smoke,
    ...(u.failure !== undefined && { failure: u.failure }),
    rollback: u.rollback,
    ...(u.verification && { verification: u.verification }),
  };
}
