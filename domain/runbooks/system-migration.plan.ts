/**
 * The system migration's plans (迁移方案): the change in order — the freeze (the old side's
 * programs stopped, last started first), the application and the database copied, both sides
 * compared, the new side started and the site switched to it — then, marked as such, what a
 * rollback would run; and, later and on its own approval, the decommission of the old side. The
 * same builders give each mutating activity the actions it declares, so its proof covers exactly
 * what the approver read. Pure.
 */
import type { ApprovalPlan, PlanAction } from '../approvals/gate-types.ts';
import { formatBytes } from '../display.ts';
import type {
  MigrationInventory,
  MigrationPreCheck,
  MigrationRoute,
  MigrationSide,
  SideProgram,
} from './system-migration.types.ts';

type Action = Omit<PlanAction, 'description'>;

const say = (zh: string, en: string) => ({ zh, en });
const described = (action: Action, zh: string, en: string): PlanAction => ({
  ...action,
  description: say(zh, en),
});

/** Every action of a migration, as the plans show them and the activities declare them. */
export const migrationActions = {
  stop: (p: SideProgram): Action => ({ kind: 'host', target: p.host, command: `STOP ${p.name}` }),
  start: (p: SideProgram): Action => ({ kind: 'host', target: p.host, command: `START ${p.name}` }),
  copyFiles: (r: MigrationRoute): Action => ({
    kind: 'file',
    target: r.target.host,
    command: `COPY ${r.source.host}:${r.source.dir} TO ${r.target.host}:${r.target.dir}`,
  }),
  copyDatabase: (r: MigrationRoute): Action => ({
    kind: 'sql',
    target: r.target.database,
    command: `COPY DATABASE ${r.source.database} TO ${r.target.database}`,
  }),
  switchTo: (subsystem: string, host: string): Action => ({
    kind: 'file',
    target: 'site',
    command: `SWITCH ${subsystem} TO ${host}`,
  }),
  switchBack: (subsystem: string, host: string): Action => ({
    kind: 'file',
    target: 'site',
    command: `SWITCH ${subsystem} BACK TO ${host}`,
  }),
  removeFiles: (side: MigrationSide): Action => ({
    kind: 'file',
    target: side.host,
    command: `REMOVE ${side.dir}`,
  }),
  removeDatabase: (side: MigrationSide): Action => ({
    kind: 'sql',
    target: side.database,
    command: `REMOVE DATABASE ${side.database}`,
  }),
};

/** The old side's programs stopped (last started first) and, on a rollback, started again. */
export const freezeActions = (r: MigrationRoute) =>
  [...r.source.programs].reverse().map(migrationActions.stop);
export const unfreezeActions = (r: MigrationRoute) => r.source.programs.map(migrationActions.start);
export const targetStartActions = (r: MigrationRoute) => r.target.programs.map(migrationActions.start);
export const targetStopActions = (r: MigrationRoute) =>
  [...r.target.programs].reverse().map(migrationActions.stop);
/** The engine copies a SQLite database; an Oracle copy is the DBA's, and only verified. */
export const copiesDatabase = (r: MigrationRoute) => r.source.adapter === 'sqlite';

export function migrationPlan(facts: {
  route: MigrationRoute;
  inventory: MigrationInventory;
  checks: MigrationPreCheck[];
  reason?: string | undefined;
}): ApprovalPlan {
  const { route: r, inventory: inv } = facts;
  const a = migrationActions;
  const rows = inv.tables.reduce((n, t) => n + t.rows, 0);
  const change: PlanAction[] = [
    ...freezeActions(r).map((x) =>
      described(
        x,
        `冻结：停止原环境 ${x.command.slice(5)}（停止接收业务，处理完在途请求）`,
        `freeze: ${x.command}`,
      ),
    ),
    described(
      a.copyFiles(r),
      `复制应用目录（${inv.files} 个文件 ${formatBytes(inv.bytes)}，逐文件 SHA-256 校验）`,
      'copy the application folder, checksummed',
    ),
    ...(copiesDatabase(r)
      ? [
          described(
            a.copyDatabase(r),
            `复制数据库（${inv.tables.length} 张表 ${rows} 行）`,
            'copy the database',
          ),
        ]
      : []),
    ...targetStartActions(r).map((x) =>
      described(x, `在新环境启动 ${x.command.slice(6)}`, `start on the new side: ${x.command}`),
    ),
    described(
      a.switchTo(r.subsystem, r.target.host),
      `切换：站点指向新环境 ${r.target.host}（工作进程无需重启即读取）`,
      `switch the site to ${r.target.host}`,
    ),
  ];
  const onFailure = (zh: string, en: string) =>
    say(`失败时自动回滚：${zh}`, `on failure, automatic rollback: ${en}`);
  const rollback: PlanAction[] = [
    ...targetStopActions(r).map((x) => ({
      ...x,
      description: onFailure('停止新环境程序', 'stop the new side'),
    })),
    {
      ...a.switchBack(r.subsystem, r.source.host),
      description: onFailure(`站点指回原环境 ${r.source.host}`, `switch back to ${r.source.host}`),
    },
    ...unfreezeActions(r).map((x) => ({
      ...x,
      description: onFailure('解除冻结：启动原环境程序', 'unfreeze: start the old side'),
    })),
  ];
  return {
    runbook: 'system-migration',
    title: say(
      `系统迁移：${r.name} ${r.source.host} → ${r.target.host}`,
      `System migration: ${r.name} ${r.source.host} → ${r.target.host}`,
    ),
    findings: [
      say(
        `原环境：${r.source.host}:${r.source.dir}，数据库 ${r.source.database}；运行版本 ${inv.version ?? '未知'}${inv.schemaVersion ? `，数据库版本 ${inv.schemaVersion}` : ''}`,
        `old side ${r.source.host}:${r.source.dir}, database ${r.source.database}`,
      ),
      say(
        `新环境：${r.target.host}:${r.target.dir}，数据库 ${r.target.database}${r.target.healthUrl ? `，健康检查 ${r.target.healthUrl}` : ''}`,
        `new side ${r.target.host}:${r.target.dir}, database ${r.target.database}`,
      ),
      say(
        `程序：${inv.programs.map((p) => `${p.name}（${p.host}，${p.running ? '运行中' : '未运行'}）`).join('、') || '无'}`,
        `programs: ${inv.programs.map((p) => p.name).join(', ')}`,
      ),
      say(
        `配置文件：${inv.configuration.join('、') || '无'}`,
        `configuration: ${inv.configuration.join(', ')}`,
      ),
      say(
        `数据表：${inv.tables.map((t) => `${t.table} ${t.rows} 行`).join('、') || '无'}`,
        `tables: ${inv.tables.map((t) => `${t.table} ${t.rows}`).join(', ')}`,
      ),
      ...(copiesDatabase(r)
        ? []
        : [
            say(
              `Oracle 数据库不由本流程复制：由 DBA 用数据库工具（Data Pump / RMAN）在冻结后复制到 ${r.target.database}，本流程只核对两侧各表行数与校验和`,
              `the Oracle database is copied by the DBA's tools after the freeze; the runbook only verifies both sides`,
            ),
          ]),
      ...facts.checks.map((c) =>
        say(`检查 ${c.name}：${c.detail}`, `check ${c.name}: ${c.ok ? 'ok' : 'failed'}`),
      ),
      ...(facts.reason ? [say(`申请原因：${facts.reason}`, `reason: ${facts.reason}`)] : []),
      say(
        '复制后核对两侧每个文件的 SHA-256、每张表的行数与校验和；切换后核对新环境的健康检查、端口与原环境已停止。冻结后任何一步失败即自动回滚（停止新环境、站点指回、原环境恢复服务）并验证原环境文件与各表与迁移前一致。原环境保留到另行审批的下线。',
        'after the copy, every file and table compared on both sides; after the switch, the new side answers; any failure after the freeze rolls back and verifies the old side is as before. The old side is kept until a separate approval decommissions it.',
      ),
    ],
    actions: [...change, ...rollback],
  };
}

/** The decommission's actions: the old side's folder and (SQLite) database removed. */
export function decommissionActions(r: MigrationRoute): Action[] {
  return [
    migrationActions.removeFiles(r.source),
    ...(copiesDatabase(r) ? [migrationActions.removeDatabase(r.source)] : []),
  ];
}

export function decommissionPlan(r: MigrationRoute, since: string): ApprovalPlan {
  const [files, database] = decommissionActions(r);
  return {
    runbook: 'system-migration',
    title: say(
      `原环境下线：${r.name} ${r.source.host}`,
      `Decommission the old side: ${r.name} ${r.source.host}`,
    ),
    findings: [
      say(
        `${r.name} 已于 ${since} 切换到 ${r.target.host} 并验证业务正常；原环境 ${r.source.host} 保留至今，可随时切回`,
        `${r.name} switched to ${r.target.host} at ${since}; the old side ${r.source.host} is kept until now`,
      ),
      say(
        '下线后不能再切回原环境。拒绝或过期则保留原环境。',
        'once decommissioned, there is no switching back; a rejection or expiry keeps the old side',
      ),
      ...(copiesDatabase(r)
        ? []
        : [
            say(
              `原 Oracle 数据库 ${r.source.database} 由 DBA 按规程删除，本流程不删除`,
              'the old Oracle schema is the DBA’s to drop',
            ),
          ]),
    ],
    actions: [
      described(files as Action, `删除原环境应用目录 ${r.source.dir}`, `remove ${r.source.dir}`),
      ...(database
        ? [described(database, `删除原环境数据库 ${r.source.database}`, 'remove the old database')]
        : []),
    ],
  };
}
