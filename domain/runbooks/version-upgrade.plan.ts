/**
 * The version upgrade's plan (升级方案): every program stop and start in order, the backups, every
 * file the package puts in place or removes, every migration statement verbatim and the schema
 * version — and, marked as such, what an automatic rollback would run: the application and the
 * tables restored from the backups, each migration statement's back statement, the programs
 * started again. The same builders give each mutating activity the actions it declares, so the
 * proof it carries covers exactly what the approver read. Pure.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ApprovalPlan, PlanAction } from '../approvals/gate-types.ts';
import { formatBytes } from '../display.ts';
import type {
  UpgradeBefore,
  UpgradePackage,
  UpgradeProgram,
  UpgradeTarget,
} from './version-upgrade.types.ts';

type Action = Omit<PlanAction, 'description'>;

/** The run's key (16 hex digits): names its backups, its table copies and its journal rows. */
export function upgradeKey(workflowId: string, runId: string): string {
  return bytesToHex(sha256(utf8ToBytes(`${workflowId}\n${runId}`))).slice(0, 16);
}

/** The copy of `table` the upgrade keyed `key` makes before its migrations (30 characters at most). */
export const backupTableName = (key: string, table: string) => `u${key.slice(0, 8)}_${table}`;

/** How many file paths an action names before it counts the rest. */
const namedFiles = 50;
const listed = (paths: readonly string[]) =>
  paths.length <= namedFiles
    ? paths.join(', ')
    : `${paths.slice(0, namedFiles).join(', ')} … (+${paths.length - namedFiles})`;

/** Every action of an upgrade, as the plan shows it and the activities declare it. */
export const upgradeActions = {
  stop: (p: UpgradeProgram): Action => ({ kind: 'host', target: p.host, command: `STOP ${p.name}` }),
  start: (p: UpgradeProgram): Action => ({ kind: 'host', target: p.host, command: `START ${p.name}` }),
  backupFiles: (t: UpgradeTarget, key: string): Action => ({
    kind: 'file',
    target: t.host,
    command: `BACKUP ${t.dir} TO ${t.backupDir}/${key}`,
  }),
  backupTable: (table: string, key: string): Action => ({
    kind: 'sql',
    target: 'treasury',
    command: `CREATE TABLE ${backupTableName(key, table)} AS SELECT * FROM ${table}`,
  }),
  /** One component's files put in place (each name listed, up to 50), under the signed manifest's digest. */
  put: (t: UpgradeTarget, pkg: UpgradePackage, component: UpgradePackage['components'][number]): Action => ({
    kind: 'file',
    target: t.host,
    command: `PUT ${pkg.id} [${component.name}] INTO ${t.dir}: ${listed(component.files.map((f) => f.path))} (manifest ${pkg.manifestDigest.slice(0, 16)})`,
  }),
  remove: (t: UpgradeTarget, paths: readonly string[]): Action => ({
    kind: 'file',
    target: t.host,
    command: `REMOVE FROM ${t.dir}: ${listed(paths)}`,
  }),
  statement: (statement: string): Action => ({ kind: 'sql', target: 'treasury', command: statement }),
  schemaVersion: (subsystem: string, version: string): Action => ({
    kind: 'sql',
    target: 'treasury',
    command: `UPDATE schema_versions SET version = '${version}' WHERE subsystem = '${subsystem}'`,
  }),
  restoreFiles: (t: UpgradeTarget, key: string): Action => ({
    kind: 'file',
    target: t.host,
    command: `RESTORE ${t.dir} FROM ${t.backupDir}/${key}`,
  }),
  restoreTable: (table: string, key: string, existed: boolean): Action => ({
    kind: 'sql',
    target: 'treasury',
    command: existed ? `RESTORE TABLE ${table} FROM ${backupTableName(key, table)}` : `DROP TABLE ${table}`,
  }),
};

/** The package's files put in place, component by component, and those it removes. */
export function applyActions(t: UpgradeTarget, pkg: UpgradePackage): Action[] {
  return [
    ...pkg.components.filter((c) => c.files.length > 0).map((c) => upgradeActions.put(t, pkg, c)),
    ...(pkg.removes.length > 0 ? [upgradeActions.remove(t, pkg.removes)] : []),
  ];
}

/** The tables the migrations change, and the schema versions (every upgrade with migrations moves one). */
export function upgradeTables(pkg: UpgradePackage): string[] {
  const tables = pkg.database?.migrations.flatMap((m) => m.tables) ?? [];
  return pkg.database ? [...new Set(['schema_versions', ...tables])] : [];
}

/** A statement of a migration by its place: its journal key. */
export const statementKey = (migration: string, direction: 'forward' | 'back', n: number) =>
  `${migration}/${direction}/${n}`;

const say = (zh: string, en: string) => ({ zh, en });

function described(action: Action, zh: string, en: string): PlanAction {
  return { ...action, description: say(zh, en) };
}

/** The plan an approver reads: the change in order, then what a rollback would run. */
export function upgradePlan(facts: {
  target: UpgradeTarget;
  pkg: UpgradePackage;
  before: UpgradeBefore;
  key: string;
  reason?: string | undefined;
}): ApprovalPlan {
  const { target: t, pkg, before, key } = facts;
  const a = upgradeActions;
  const db = pkg.database;
  const stops = [...t.programs].reverse();
  const existed = new Map(before.tables.map((s) => [s.table, s.exists]));
  const change: PlanAction[] = [
    ...stops.map((p) => described(a.stop(p), `停止 ${p.name}（${p.host}）`, `stop ${p.name} on ${p.host}`)),
    described(
      a.backupFiles(t, key),
      '备份应用目录（逐文件 SHA-256 校验）',
      'back up the application folder, checksummed',
    ),
    ...upgradeTables(pkg)
      .filter((table) => existed.get(table))
      .map((table) => described(a.backupTable(table, key), `备份数据表 ${table}`, `back up table ${table}`)),
    ...applyActions(t, pkg).map((x) => described(x, '写入升级包文件', 'put the package’s files in place')),
    ...(db?.migrations ?? []).flatMap((m) =>
      m.forward.map((s, i) =>
        described(a.statement(s), `数据库迁移 ${m.id} 第 ${i + 1} 步`, `migration ${m.id} step ${i + 1}`),
      ),
    ),
    ...(db
      ? [
          described(
            a.schemaVersion(t.subsystem, db.schemaTo),
            `数据库版本记为 ${db.schemaTo}`,
            `schema version ${db.schemaTo}`,
          ),
        ]
      : []),
    ...t.programs.map((p) =>
      described(a.start(p), `启动 ${p.name}（${p.host}）`, `start ${p.name} on ${p.host}`),
    ),
  ];
  const onFailure = (zh: string, en: string) =>
    say(`失败时自动回滚：${zh}`, `on failure, automatic rollback: ${en}`);
  const rollback: PlanAction[] = [
    {
      ...a.restoreFiles(t, key),
      description: onFailure('从备份恢复应用目录', 'restore the application folder'),
    },
    ...(db?.migrations ?? []).flatMap((m) =>
      m.back.map((s, i) => ({
        ...a.statement(s),
        description: onFailure(`撤销迁移 ${m.id} 第 ${i + 1} 步`, `undo migration ${m.id} step ${i + 1}`),
      })),
    ),
    ...upgradeTables(pkg).map((table) => ({
      ...a.restoreTable(table, key, existed.get(table) ?? false),
      description: onFailure(`恢复数据表 ${table}`, `restore table ${table}`),
    })),
  ];
  return {
    runbook: 'version-upgrade',
    title: say(
      `省厅版本升级：${t.name} ${before.version} → ${pkg.version}`,
      `Provincial upgrade: ${t.name} ${before.version} → ${pkg.version}`,
    ),
    findings: [
      say(
        `升级包 ${pkg.id}（清单 SHA-256 ${pkg.manifestDigest}，省厅签名已验证，${pkg.components.reduce((n, c) => n + c.files.length, 0)} 个文件 ${formatBytes(pkg.bytes)}，逐文件校验通过）`,
        `package ${pkg.id} (manifest SHA-256 ${pkg.manifestDigest}, the province's signature verified, every file checked)`,
      ),
      say(
        `安装位置：${t.host}:${t.dir}；已安装 ${before.version}${before.schemaVersion ? `，数据库版本 ${before.schemaVersion}` : ''}`,
        `installed on ${t.host}:${t.dir}: ${before.version}`,
      ),
      ...(pkg.notes ? [say(`升级说明：${pkg.notes}`, `release notes: ${pkg.notes}`)] : []),
      ...before.checks.map((c) =>
        say(`检查 ${c.name}：${c.detail}`, `check ${c.name}: ${c.ok ? 'ok' : 'failed'}`),
      ),
      ...(facts.reason ? [say(`申请原因：${facts.reason}`, `reason: ${facts.reason}`)] : []),
      say(
        '启动后冒烟测试：健康检查地址报告新版本、数据库可读、每家银行往返一笔测试报文；任何一步失败即自动回滚并验证旧版本恢复',
        'after the start, smoke tests (health URL, a database read, a test message both ways with each bank); any failure rolls back automatically and verifies the old version answers',
      ),
    ],
    actions: [...change, ...rollback],
  };
}
