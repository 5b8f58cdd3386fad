/**
 * System migration activities on the application's side (comm zone): find the subsystem and the
 * target it moves to, take the inventory of the old side, pre-check the target (disk, ports, the
 * version), and — each on an approval proof covering exactly what it does
 * (domain/runbooks/system-migration.plan.ts) — freeze and unfreeze the old side, copy the
 * application, start and stop the new side, switch the site between them, and remove the old
 * side's folder at decommission. Each can run again after a retry or a crash without doing
 * anything twice: a stop or start leaves a program already so, a copy writes only what differs,
 * the switch writes the same placement.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  copyApplication,
  diskSpace,
  folderDigest,
  folderSize,
  inventory,
} from '../connectors/host/app-files.ts';
import type { HostPort, ProgramStatus } from '../connectors/host/port.ts';
import { storeLabel } from '../connectors/treasury/subsystem-stores.ts';
import { ErrorKind } from '../domain/errors.ts';
import { localHostName, startOrder } from '../domain/host-config.ts';
import {
  decommissionActions,
  freezeActions,
  migrationActions,
  targetStartActions,
  targetStopActions,
  unfreezeActions,
} from '../domain/runbooks/system-migration.plan.ts';
import type {
  MigrationDescription,
  MigrationPreCheck,
  MigrationRoute,
  MigrationSide,
  TrafficCheck,
} from '../domain/runbooks/system-migration.types.ts';
import type { MigrationTarget } from '../domain/subsystem-config.ts';
import type { ProgramConfig, SiteConfig, SubsystemConfig } from '../temporal.config.ts';
import { heartbeating } from './heartbeats.ts';
import { requiresProof } from './proof-actions.ts';
import { liveSubsystems, placementOf, removePlacement, writePlacement } from './subsystem-placement.ts';

/** Room kept free on the target beside the copy: a tenth of it. */
const headroom = 1.1;
/** Files a verification names before it counts the rest. */
const namedFiles = 50;

type Movable = SubsystemConfig & {
  install: NonNullable<SubsystemConfig['install']>;
  database: NonNullable<SubsystemConfig['database']> & {
    store: NonNullable<NonNullable<SubsystemConfig['database']>['store']>;
  };
};
interface Ends {
  s: Movable;
  t: MigrationTarget;
}

const configError = (message: string) =>
  ApplicationFailure.create({ type: ErrorKind.ConfigurationError, nonRetryable: true, message });

const sideOf = (
  host: string,
  dir: string,
  programs: readonly ProgramConfig[],
  x: Pick<SubsystemConfig, 'ports' | 'health'>,
  store: Movable['database']['store'],
): MigrationSide => ({
  host,
  dir,
  programs: startOrder(programs).map((p) => ({ name: p.name, host: p.host ?? localHostName })),
  ports: x.ports.map((p) => ({ host: p.host, port: p.port })),
  ...(x.health && { healthUrl: x.health.url }),
  database: storeLabel(store),
  adapter: store.adapter,
});

export function routeOf({ s, t }: Ends): MigrationRoute {
  return {
    subsystem: s.id,
    name: s.name,
    kind: s.kind,
    source: sideOf(s.install.host, s.install.dir, s.programs, s, s.database.store),
    target: sideOf(t.host, t.dir, t.programs, t, t.database),
    ...(s.version !== undefined && { version: s.version }),
  };
}

/** The subsystem as the site describes it and its declared target on `host`, both complete for a migration. */
export function migrationEnds(site: SiteConfig, subsystem: string, host: string): Ends {
  const s = site.subsystems.find((x) => x.id === subsystem);
  const t = s?.migrationTargets.find((x) => x.host === host);
  if (!s?.install || !s.database?.store || !t)
    throw configError(`no migration of ${subsystem} to ${host} is described in the site file`);
  return { s: s as Movable, t };
}

export function createMigrationHostActivities({ host, site }: { host: HostPort; site: SiteConfig }) {
  const ends = (input: { subsystem: string; target: string }) =>
    migrationEnds(site, input.subsystem, input.target);
  // A program whose start command fails is not started by trying again: the run rolls back.
  const control = async (programs: readonly ProgramConfig[], action: 'start' | 'stop') => {
    try {
      return await heartbeating(() => host.controlPrograms(programs, action));
    } catch (err) {
      if (action === 'stop') throw err;
      throw ApplicationFailure.create({
        type: ErrorKind.UnexpectedState,
        nonRetryable: true,
        message: `a program did not start: ${(err as Error).message}`,
      });
    }
  };
  const insist = (statuses: ProgramStatus[], running: boolean, what: string) => {
    const wrong = statuses.filter((p) => p.running !== running);
    if (wrong.length > 0)
      throw ApplicationFailure.create({
        type: ErrorKind.UnexpectedState,
        nonRetryable: running,
        message: `${what}: ${wrong.map((p) => `${p.name} (${p.detail})`).join('; ')}`,
      });
    return statuses;
  };

  async function health(
    url: string | undefined,
    timeoutMs = 3000,
  ): Promise<{ ok: boolean; version?: string; schemaVersion?: string; detail: string }> {
    if (!url) return { ok: false, detail: '未声明健康检查地址' };
    const probe = await host.probeHealth(url, timeoutMs);
    const body = (probe.body ?? {}) as {
      version?: string;
      database?: { state?: string; schemaVersion?: string };
    };
    return {
      ok: probe.ok,
      ...(body.version !== undefined && { version: body.version }),
      ...(body.database?.schemaVersion !== undefined && { schemaVersion: body.database.schemaVersion }),
      detail: probe.ok ? `${url} 返回 ${probe.status}` : `${url}：${probe.status ?? probe.error}`,
    };
  }

  return {
    /** The route, or why the input names no migration the site describes: input problems, before anything is recorded. */
    async describeMigration(input: { subsystem: string; target: string }): Promise<MigrationDescription> {
      const s = site.subsystems.find((x) => x.id === input.subsystem);
      const hosts = [...new Set([localHostName, ...site.hosts.map((h) => h.name)])];
      if (!s)
        return {
          inputProblems: [
            `input.subsystem: no subsystem ${input.subsystem} in the site file; declared: ${site.subsystems.map((x) => x.id).join(', ')}`,
          ],
        };
      if (!hosts.includes(input.target))
        return {
          inputProblems: [
            `input.target: no host named ${input.target} in the site; declared: ${hosts.join(', ')}`,
          ],
        };
      const declared = s.migrationTargets.map((t) => t.host);
      const problems = [
        ...(!s.install || !s.database?.store
          ? [
              `input.subsystem: ${s.id} has no install section and database store in the site file, so it cannot be migrated`,
            ]
          : []),
        ...(!declared.includes(input.target)
          ? [
              `input.target: ${s.id} declares no migration target on ${input.target}; declared: ${declared.join(', ') || 'none'}`,
            ]
          : []),
        ...(placementOf(site, s.id)
          ? [
              `input.subsystem: ${s.id} is in service on ${placementOf(site, s.id)?.host} already (placementsDir)`,
            ]
          : []),
      ];
      if (problems.length > 0) return { inputProblems: problems };
      return { inputProblems: [], route: routeOf(ends(input)) };
    },

    /** What runs on the old side: its files and configuration, the programs, the version it answers with. */
    async migrationInventory(input: { subsystem: string; target: string }) {
      const { s } = ends(input);
      const [size, configuration, programs, answer] = await Promise.all([
        folderSize(s.install.dir),
        listFiles(join(s.install.dir, 'conf')),
        Promise.all(startOrder(s.programs).map((p) => host.programStatus(p))),
        health(s.health?.url, s.health?.timeoutMs),
      ]);
      return {
        files: size.files,
        bytes: size.bytes,
        configuration: configuration.map((f) => `conf/${f}`),
        ...(answer.ok && answer.version !== undefined && { version: answer.version }),
        ...(answer.ok && answer.schemaVersion !== undefined && { schemaVersion: answer.schemaVersion }),
        programs: programs.map((p) => ({
          name: p.name,
          host: p.host ?? localHostName,
          running: p.running,
          detail: p.detail,
        })),
      };
    },

    /** The digest of the old side's files (each file's SHA-256): read after the pre-checks, so a folder too large is never read whole. */
    async applicationDigest(input: { subsystem: string; target: string }): Promise<{ digest: string }> {
      const { s } = ends(input);
      return { digest: folderDigest(await heartbeating(() => inventory(s.install.dir))) };
    },

    /** The target's disk against the copy, its ports free, the version the old side answers with, the old side running. */
    async migrationPreChecks(input: {
      subsystem: string;
      target: string;
      databaseBytes: number;
    }): Promise<MigrationPreCheck[]> {
      const { s, t } = ends(input);
      const app = await folderSize(s.install.dir);
      const need = Math.ceil((app.bytes + input.databaseBytes) * headroom);
      const disk = await diskSpace(nearestExisting(t.dir));
      const [ports, statuses, answer] = await Promise.all([
        Promise.all(t.ports.map((p) => host.probeTcp(p.host, p.port, site.thresholds.tcpTimeoutMs))),
        Promise.all(s.programs.map((p) => host.programStatus(p))),
        health(s.health?.url, s.health?.timeoutMs),
      ]);
      const taken = ports.filter((p) => p.reachable);
      const stopped = statuses.filter((p) => !p.running);
      const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
      return [
        {
          name: 'source-running',
          ok: stopped.length === 0 && answer.ok,
          detail:
            stopped.length > 0
              ? `原环境未运行：${stopped.map((p) => p.name).join('、')}`
              : `原环境 ${statuses.length} 个程序运行中；${answer.detail}`,
        },
        {
          name: 'target-disk',
          ok: disk.freeBytes >= need,
          detail: `需 ${mb(need)}（应用 ${app.files} 个文件 ${mb(app.bytes)}，数据库 ${mb(input.databaseBytes)}），${t.host}:${t.dir} 可用 ${mb(disk.freeBytes)}`,
        },
        {
          name: 'target-ports',
          ok: taken.length === 0,
          detail:
            taken.length === 0
              ? `新环境端口空闲：${t.ports.map((p) => `${p.host}:${p.port}`).join('、') || '无'}`
              : `新环境端口已被占用：${taken.map((p) => `${p.host}:${p.port}`).join('、')}`,
        },
        {
          name: 'version',
          ok: s.version === undefined || answer.version === s.version,
          detail: `原环境运行版本 ${answer.version ?? '未知'}${s.version ? `，站点登记 ${s.version}` : ''}`,
        },
      ];
    },

    /** Stops the old side's programs, the last started first: it takes no more work and finishes what it holds. */
    freezeSource: requiresProof(
      (input: { subsystem: string; target: string }) => freezeActions(routeOf(ends(input))),
      async (input) =>
        insist(await control(ends(input).s.programs, 'stop'), false, 'still running after the freeze'),
    ),

    /** Starts the old side's programs again in order (a rollback). */
    unfreezeSource: requiresProof(
      (input: { subsystem: string; target: string }) => unfreezeActions(routeOf(ends(input))),
      async (input) =>
        insist(await control(ends(input).s.programs, 'start'), true, 'not running after the unfreeze'),
    ),

    /** Makes the target's folder a copy of the old side's. */
    copyApplicationToTarget: requiresProof(
      (input: { subsystem: string; target: string }) => [migrationActions.copyFiles(routeOf(ends(input)))],
      async (input) => {
        const { s, t } = ends(input);
        return heartbeating(() => copyApplication(s.install.dir, t.dir));
      },
    ),

    /** Both folders compared file by file. */
    async compareApplications(input: { subsystem: string; target: string }) {
      const { s, t } = ends(input);
      const [from, to] = await heartbeating(() => Promise.all([inventory(s.install.dir), inventory(t.dir)]));
      const theirs = new Map(to.map((f) => [f.path, f.sha256]));
      const paths = new Set([...from.map((f) => f.path), ...to.map((f) => f.path)]);
      const mine = new Map(from.map((f) => [f.path, f.sha256]));
      const differ = [...paths].filter((p) => mine.get(p) !== theirs.get(p)).sort();
      return {
        sourceDigest: folderDigest(from),
        targetDigest: folderDigest(to),
        filesDiffer:
          differ.length <= namedFiles
            ? differ
            : [...differ.slice(0, namedFiles), `… (+${differ.length - namedFiles})`],
      };
    },

    /** Starts the new side's programs in order. */
    startTarget: requiresProof(
      (input: { subsystem: string; target: string }) => targetStartActions(routeOf(ends(input))),
      async (input) =>
        insist(await control(ends(input).t.programs, 'start'), true, 'not running after the start'),
    ),

    /** Stops the new side's programs (a rollback). */
    stopTarget: requiresProof(
      (input: { subsystem: string; target: string }) => targetStopActions(routeOf(ends(input))),
      async (input) =>
        insist(await control(ends(input).t.programs, 'stop'), false, 'still running after the stop'),
    ),

    /** Points the site at the new side (placementsDir/<id>.json). */
    switchToTarget: requiresProof(
      (input: { subsystem: string; target: string; key: string }) => [
        migrationActions.switchTo(input.subsystem, input.target),
      ],
      async (input) => {
        writePlacement(site, {
          subsystem: input.subsystem,
          host: input.target,
          migration: input.key,
          switchedAt: new Date().toISOString(),
        });
        return { placement: placementOf(site, input.subsystem) ?? null };
      },
    ),

    /** Points the site back at the old side (a rollback). */
    switchBack: requiresProof(
      (input: { subsystem: string; target: string }) => [
        migrationActions.switchBack(input.subsystem, ends(input).s.install.host),
      ],
      async (input) => {
        removePlacement(site, input.subsystem);
        return { placement: null };
      },
    ),

    /**
     * The subsystem as the workers see it now (the site's placement read afresh): its health URL
     * answering with the version expected, its ports reachable, and the other side silent.
     */
    async migrationTraffic(input: {
      subsystem: string;
      target: string;
      expectVersion?: string;
    }): Promise<TrafficCheck[]> {
      const { s, t } = ends(input);
      const live = liveSubsystems(site).find((x) => x.id === input.subsystem) as SubsystemConfig;
      const onTarget = live.install?.host === t.host;
      const other = onTarget ? s : t;
      const [answer, ports, silent] = await Promise.all([
        health(live.health?.url, live.health?.timeoutMs),
        Promise.all(live.ports.map((p) => host.probeTcp(p.host, p.port, site.thresholds.tcpTimeoutMs))),
        Promise.all(other.ports.map((p) => host.probeTcp(p.host, p.port, site.thresholds.tcpTimeoutMs))),
      ]);
      const versionOk = input.expectVersion === undefined || answer.version === input.expectVersion;
      return [
        {
          check: 'health',
          target: live.health?.url ?? live.id,
          ok: answer.ok && versionOk,
          detail: `${live.install?.host} 在用；版本 ${answer.version ?? '?'}${answer.schemaVersion ? `，数据库版本 ${answer.schemaVersion}` : ''}；${answer.detail}`,
        },
        ...ports.map((p) => ({
          check: 'port' as const,
          target: `${p.host}:${p.port}`,
          ok: p.reachable,
          detail: p.reachable ? `可连接（${p.latencyMs} ms）` : `不可连接：${p.error}`,
        })),
        ...silent.map((p) => ({
          check: 'old-side' as const,
          target: `${p.host}:${p.port}`,
          ok: !p.reachable,
          detail: p.reachable ? '另一侧仍在监听：两侧同时服务' : '另一侧已停止服务',
        })),
      ];
    },

    /** Removes the old side's folder (decommission; its programs stopped at the freeze). */
    removeSourceFiles: requiresProof(
      (input: { subsystem: string; target: string }) => decommissionActions(routeOf(ends(input))).slice(0, 1),
      async (input) => {
        const { s } = ends(input);
        const existed = existsSync(s.install.dir);
        await rm(s.install.dir, { recursive: true, force: true });
        return { removed: existed };
      },
    ),
  };
}

/** The files of a folder (none when it is not there), by name. */
async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

/** The folder itself, or the nearest folder above it that exists (a target not yet created). */
function nearestExisting(dir: string): string {
  let at = dir;
  while (!existsSync(at) && join(at, '..') !== at) at = join(at, '..');
  return at;
}
