/**
 * Version upgrade activities on the application's side (comm zone): find the package and where
 * it goes, check the package whole, measure the host, and — each on an approval proof covering
 * exactly what it does (domain/runbooks/version-upgrade.plan.ts) — stop and start the programs in
 * their order, back up the application, put the package's files in place, and restore the backup.
 * Each can run again after a retry or a crash without doing anything twice (connectors/host/app-files.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  applyFiles,
  backupApplication,
  diskSpace,
  findBackup,
  folderSize,
  restoreApplication,
  type AppBackup,
  type ApplyCounts,
  type RestoreCounts,
} from '../connectors/host/app-files.ts';
import type { HostPort, ProgramStatus } from '../connectors/host/port.ts';
import { createReleasePackages, type ReleasePackages } from '../connectors/releases/release-packages.ts';
import { ErrorKind } from '../domain/errors.ts';
import { localHostName, startOrder } from '../domain/host-config.ts';
import { packageBytes, packageFiles, type ReleaseManifest } from '../domain/release-manifest.ts';
import { applyActions, upgradeActions } from '../domain/runbooks/version-upgrade.plan.ts';
import type {
  PreCheck,
  UpgradeDescription,
  UpgradePackage,
  UpgradeTarget,
} from '../domain/runbooks/version-upgrade.types.ts';
import type { ProgramConfig, SiteConfig, SubsystemConfig } from '../temporal.config.ts';
import { heartbeating } from './heartbeats.ts';
import { requiresProof } from './proof-actions.ts';
import { liveBanks } from './site-lookup.ts';
import { liveSubsystems } from './subsystem-placement.ts';

/** Room kept free beside what the upgrade needs: a tenth of it. */
const headroom = 1.1;

type Installed = SubsystemConfig & { install: NonNullable<SubsystemConfig['install']> };

const configError = (message: string) =>
  ApplicationFailure.create({ type: ErrorKind.ConfigurationError, nonRetryable: true, message });

export function createUpgradeHostActivities({ host, site }: { host: HostPort; site: SiteConfig }) {
  const packages: ReleasePackages | undefined = site.releases && createReleasePackages(site.releases);

  function installed(subsystem: string): Installed {
    const found = liveSubsystems(site).find((s) => s.id === subsystem);
    if (!found?.install)
      throw configError(`no subsystem ${subsystem} with an install section in the site file`);
    return found as Installed;
  }

  /** The subsystem's programs, then (the payment system) the banks' send/receive programs after them. */
  function programsOf(s: Installed): ProgramConfig[] {
    const own = s.programs;
    const names = own.map((p) => p.name);
    const banks = s.kind === 'payment' ? liveBanks(site).flatMap((b) => b.programs) : [];
    return startOrder([...own, ...banks.map((p) => ({ ...p, after: [...(p.after ?? []), ...names] }))]);
  }

  function targetOf(s: Installed): UpgradeTarget {
    return {
      subsystem: s.id,
      name: s.name,
      kind: s.kind,
      host: s.install.host,
      dir: s.install.dir,
      backupDir: s.install.backupDir,
      programs: programsOf(s).map((p) => ({ name: p.name, host: p.host ?? localHostName })),
      ...(s.health && { healthUrl: s.health.url }),
      banks: s.kind === 'payment' ? liveBanks(site).map((b) => b.code) : [],
    };
  }

  function manifestOf(id: string): { manifest: ReleaseManifest; problems: string[]; pkg: UpgradePackage } {
    const read = packages?.read(id);
    if (!read?.found || !read.manifest)
      throw configError(`package ${id} cannot be read from the release repository`);
    const text = readFileSync(join(site.releases?.dir ?? '', id, 'manifest.json'));
    const m = read.manifest;
    const pkg: UpgradePackage = {
      id,
      product: m.product,
      version: m.version,
      upgradesFrom: m.upgradesFrom,
      notes: m.notes,
      manifestDigest: createHash('sha256').update(text).digest('hex'),
      components: m.components,
      removes: m.removes,
      bytes: packageBytes(m),
      ...(m.database && { database: m.database }),
      smoke: m.smoke,
    };
    return { manifest: m, problems: read.problems, pkg };
  }

  const versionIn = (s: Installed) => {
    try {
      return readFileSync(join(s.install.dir, 'VERSION'), 'utf8').trim();
    } catch {
      return undefined;
    }
  };

  return {
    /**
     * The package and where it goes. An unknown package, a host not in the site or not the one the
     * subsystem is installed on, a product no subsystem is installed as: input problems. A package
     * that does not verify (its manifest, its signature) or is for another installed version:
     * package problems.
     */
    async describeUpgrade(input: { package: string; host?: string }): Promise<UpgradeDescription> {
      if (!packages)
        return {
          inputProblems: ['input.package: the site file has no releases section (the release repository)'],
          packageProblems: [],
        };
      const read = packages.read(input.package);
      if (!read.found) {
        const known = packages.list();
        return {
          inputProblems: [
            `input.package: no package ${input.package} in the release repository ${site.releases?.dir}; it holds ${known.join(', ') || 'none'}`,
          ],
          packageProblems: [],
        };
      }
      if (!read.manifest) return { inputProblems: [], packageProblems: read.problems };
      const product = read.manifest.product;
      const s = liveSubsystems(site).find((x) => x.kind === product && x.install) as Installed | undefined;
      const hostNames = [localHostName, ...site.hosts.map((h) => h.name)];
      const inputProblems = [
        ...(!s
          ? [`input.package: no subsystem of kind ${product} with an install section in the site file`]
          : []),
        ...(input.host !== undefined && !hostNames.includes(input.host)
          ? [`input.host: no host named ${input.host} in the site; declared: ${hostNames.join(', ')}`]
          : []),
        ...(s && input.host !== undefined && hostNames.includes(input.host) && input.host !== s.install.host
          ? [`input.host: ${s.name} is installed on ${s.install.host}, not ${input.host}`]
          : []),
      ];
      if (!s || inputProblems.length > 0) return { inputProblems, packageProblems: [] };
      const { pkg, problems } = manifestOf(input.package);
      const version = versionIn(s);
      return {
        inputProblems: [],
        package: pkg,
        target: targetOf(s),
        packageProblems: problems,
        ...(version !== undefined && { installedVersion: version }),
      };
    },

    /** Every file of the package against the manifest's size and SHA-256: the problems found. */
    async checkPackageFiles({ package: id }: { package: string }): Promise<string[]> {
      const { manifest } = manifestOf(id);
      const found = await heartbeating(() => (packages as ReleasePackages).checkFiles(id, manifest));
      return found.map((f) => `${f.path}: ${f.problem}`);
    },

    /** Room for the backup and the package on the host, and whether the programs run now. */
    async hostPreChecks({
      subsystem,
      package: id,
    }: {
      subsystem: string;
      package: string;
    }): Promise<PreCheck[]> {
      const s = installed(subsystem);
      const { pkg } = manifestOf(id);
      const app = await folderSize(s.install.dir);
      const [backupDisk, installDisk] = await Promise.all([
        diskSpace(s.install.backupDir),
        diskSpace(s.install.dir),
      ]);
      const needBackup = Math.ceil(app.bytes * headroom);
      const needInstall = Math.ceil(pkg.bytes * headroom);
      const statuses = await Promise.all(programsOf(s).map((p) => host.programStatus(p)));
      const stopped = statuses.filter((p) => !p.running);
      const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
      return [
        {
          name: 'backup-space',
          ok: backupDisk.freeBytes >= needBackup,
          detail: `备份需 ${mb(needBackup)}（应用 ${app.files} 个文件 ${mb(app.bytes)}），${s.install.backupDir} 可用 ${mb(backupDisk.freeBytes)}`,
        },
        {
          name: 'install-space',
          ok: installDisk.freeBytes >= needInstall,
          detail: `升级包需 ${mb(needInstall)}，${s.install.dir} 可用 ${mb(installDisk.freeBytes)}`,
        },
        {
          name: 'running',
          ok: stopped.length === 0,
          detail:
            stopped.length === 0
              ? `${statuses.length} 个程序均在运行`
              : `未运行：${stopped.map((p) => p.name).join('、')}`,
        },
      ];
    },

    /** Stops the programs, the last started first. */
    stopUpgradePrograms: requiresProof(
      ({ subsystem }: { subsystem: string }) =>
        [...targetOf(installed(subsystem)).programs].reverse().map(upgradeActions.stop),
      async ({ subsystem }): Promise<ProgramStatus[]> => {
        const statuses = await heartbeating(() =>
          host.controlPrograms(programsOf(installed(subsystem)), 'stop'),
        );
        const running = statuses.filter((p) => p.running);
        if (running.length > 0)
          throw new Error(
            `still running after the stop: ${running.map((p) => `${p.name} (${p.detail})`).join('; ')}`,
          );
        return statuses;
      },
    ),

    /** Starts the programs in their order; one that will not start fails the step at once (no retry starts it). */
    startUpgradePrograms: requiresProof(
      ({ subsystem }: { subsystem: string }) =>
        targetOf(installed(subsystem)).programs.map(upgradeActions.start),
      async ({ subsystem }): Promise<ProgramStatus[]> => {
        let statuses: ProgramStatus[];
        try {
          statuses = await heartbeating(() =>
            host.controlPrograms(programsOf(installed(subsystem)), 'start'),
          );
        } catch (err) {
          throw ApplicationFailure.create({
            type: ErrorKind.UnexpectedState,
            nonRetryable: true,
            message: `a program did not start: ${(err as Error).message}`,
          });
        }
        const down = statuses.filter((p) => !p.running);
        if (down.length > 0)
          throw ApplicationFailure.create({
            type: ErrorKind.UnexpectedState,
            nonRetryable: true,
            message: `not running after the start: ${down.map((p) => `${p.name} (${p.detail})`).join('; ')}`,
          });
        return statuses;
      },
    ),

    /** Copies the application folder to `<backupDir>/<key>`, checksummed (found complete: as it was made). */
    backupApplication: requiresProof(
      ({ subsystem, key }: { subsystem: string; key: string }) => [
        upgradeActions.backupFiles(targetOf(installed(subsystem)), key),
      ],
      async ({ subsystem, key }): Promise<AppBackup> => {
        const s = installed(subsystem);
        return heartbeating(() => backupApplication(s.install.dir, s.install.backupDir, key));
      },
    ),

    /** Puts the package's files in place and removes the files it removes. */
    applyUpgradePackage: requiresProof(
      ({ subsystem, package: id }: { subsystem: string; package: string; key: string }) =>
        applyActions(targetOf(installed(subsystem)), manifestOf(id).pkg),
      async ({ subsystem, package: id, key }): Promise<ApplyCounts> => {
        const s = installed(subsystem);
        if (!(await findBackup(s.install.backupDir, key)))
          throw configError(`no complete backup ${key}: the package is never put in place without one`);
        const { manifest } = manifestOf(id);
        const files = packageFiles(manifest).map((f) => ({
          ...f,
          from: (packages as ReleasePackages).filePath(id, f.path),
        }));
        return heartbeating(() => applyFiles(s.install.dir, { files, removes: manifest.removes }));
      },
    ),

    /** Makes the application folder what the backup holds again, and compares it with the backup. */
    restoreUpgradeBackup: requiresProof(
      ({ subsystem, key }: { subsystem: string; key: string }) => [
        upgradeActions.restoreFiles(targetOf(installed(subsystem)), key),
      ],
      async ({ subsystem, key }): Promise<RestoreCounts> => {
        const s = installed(subsystem);
        return heartbeating(() => restoreApplication(s.install.dir, s.install.backupDir, key));
      },
    ),

    /** The health URL's answer: the version and the database state it reports. */
    async upgradeHealth({ subsystem }: { subsystem: string }) {
      const s = installed(subsystem);
      const url = s.health?.url;
      if (!url) return { ok: false, detail: `${s.name} declares no health URL` };
      const probe = await host.probeHealth(url, s.health?.timeoutMs ?? 3000);
      const body = (probe.body ?? {}) as { version?: string; database?: { schemaVersion?: string } };
      return {
        ok: probe.ok,
        ...(body.version !== undefined && { version: body.version }),
        ...(body.database?.schemaVersion !== undefined && { schemaVersion: body.database.schemaVersion }),
        detail: probe.ok ? `${url} 返回 ${probe.status}` : `${url}：${probe.status ?? probe.error}`,
      };
    },
  };
}
