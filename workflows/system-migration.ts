/**
 * 系统迁移 — system migration (catalog item 10, contract 1.5, 3.4, 4.5, 5.3, 6.8, 7.3, 8.2): take
 * the inventory of what runs where (the subsystem's host, programs, files and configuration, its
 * database's tables), pre-check the target (its disk, its ports, the version running), show the
 * plan, and once approved: freeze the old side, copy the application and the data, compare both
 * sides file by file and table by table, start the new side, switch the site to it (workers read
 * the switch without a restart) and watch its traffic flow. Any failure after the freeze rolls
 * back by itself to the old side, verified (system-migration.steps.ts). The old side is then kept
 * until its decommission is approved on its own, days later if need be. One migration or upgrade
 * per subsystem at a time (lock/subsystem/<id>).
 */
import { workflowInfo } from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import { invalidInput, parseInput } from '../domain/errors.ts';
import { upgradeKey } from '../domain/runbooks/version-upgrade.plan.ts';
import { migrationPlan } from '../domain/runbooks/system-migration.plan.ts';
import { systemMigrationReport } from '../domain/runbooks/system-migration.report.ts';
import {
  systemMigrationInputSchema,
  type SystemMigrationInput,
  type SystemMigrationOutcome,
  type SystemMigrationParsed,
  type SystemMigrationResult,
} from '../domain/runbooks/system-migration.types.ts';
import type { ReadProxy } from './shared/retry-profiles.ts';
import { approve, closeRun, holdingLock, openRun } from './shared/runbook-run.ts';
import {
  change,
  decommission,
  migrationActivities,
  type Migration,
  type MigrationFound,
} from './system-migration.steps.ts';

type Control = ReturnType<typeof createControlActivities>;

const runbook = 'system-migration';

export async function systemMigration(rawInput: SystemMigrationInput): Promise<SystemMigrationResult> {
  const input = parseInput(systemMigrationInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => findMigration(control, input),
    firstStep: 'inventory',
    subject: input.subsystem,
    detail: () => ({ subsystem: input.subsystem, target: input.target }),
  });
  const { workflowId, runId } = workflowInfo();
  const m: Migration = {
    run,
    acts: migrationActivities(run.estate.taskQueues),
    key: upgradeKey(workflowId, runId),
    checks: [],
    steps: [],
    traffic: [],
    rollback: [],
    decommission: [],
    undo: {},
  };
  const failed = `系统迁移失败：${run.route.name} → ${input.target}`;
  const outcome = await holdingLock(run, ['subsystem', input.subsystem], failed, () => migrate(m));
  const report = await closeRun(
    run,
    {
      outcome,
      subject: input.subsystem,
      payload: { target: input.target, failure: m.failure ?? null },
    },
    (r) => systemMigrationReport(r, facts(m, outcome)),
  );
  return { runbook, workflowId: run.workflowId, ...facts(m, outcome), report };
}

/** Inventory, pre-checks, plan, approve, change — then the old side kept until its decommission. */
async function migrate(m: Migration): Promise<SystemMigrationOutcome> {
  const { route } = m.run;
  const at = { subsystem: route.subsystem, target: route.target.host };
  const [files, db] = await Promise.all([
    m.acts.hostLong.migrationInventory(at),
    m.acts.db.migrationDbState(at),
  ]);
  m.inventory = { ...files, tables: db.tables, databaseBytes: db.bytes };
  m.run.step('pre-checks');
  m.checks = [
    ...(await m.acts.host.migrationPreChecks({ ...at, databaseBytes: db.bytes })),
    ...(route.source.adapter === 'oracle'
      ? [
          {
            name: 'target-database' as const,
            ok: db.targetExists,
            detail: db.targetExists
              ? `DBA 已在 ${route.target.database} 准备数据库副本`
              : `${route.target.database} 无数据库：须先由 DBA 用数据库工具复制`,
          },
        ]
      : []),
  ];
  if (m.checks.some((c) => !c.ok)) return 'not-ready';
  m.run.step('checksums');
  m.inventory.filesDigest = (await m.acts.hostLong.applicationDigest(at)).digest;
  const plan = migrationPlan({ route, inventory: m.inventory, checks: m.checks, reason: m.run.input.reason });
  const approval = await approve(m.run, 'execute', plan);
  if (typeof approval === 'string') return approval;
  m.run.step('executing');
  const moved = await change(m, approval);
  return moved === 'migrated' ? decommission(m) : moved;
}

/** Finds the route; a subsystem or target the site does not describe is bad input, before anything is recorded. */
async function findMigration(
  control: ReadProxy<Control>,
  input: Pick<SystemMigrationParsed, 'subsystem' | 'target'>,
): Promise<MigrationFound> {
  const estate = await control.describeEstate();
  const described = await migrationActivities(estate.taskQueues).host.describeMigration(input);
  if (described.inputProblems.length > 0 || !described.route) throw invalidInput(described.inputProblems);
  const { route } = described;
  return { estate, bank: { code: route.subsystem, name: route.name }, route };
}

function facts(m: Migration, outcome: SystemMigrationOutcome) {
  const shown = m.run.plans[0];
  const { route } = m.run;
  return {
    outcome,
    subsystem: route.subsystem,
    source: `${route.source.host}:${route.source.dir}`,
    target: `${route.target.host}:${route.target.dir}`,
    ...(m.inventory && { inventory: m.inventory }),
    preChecks: m.checks,
    ...(shown && { plan: shown.plan, planDigest: shown.planDigest }),
    approvals: m.run.approvals,
    steps: m.steps,
    ...(m.copy && { copy: m.copy }),
    traffic: m.traffic,
    ...(m.failure !== undefined && { failure: m.failure }),
    rollback: m.rollback,
    ...(m.verification && { verification: m.verification }),
    decommission: m.decommission,
  };
}
