/**
 * The applications installed on the sandbox's simulated hosts: for each subsystem the site gives
 * an `install` section and the sandbox has a product for (the payment system), its folder on its
 * host holds the installed version's files — VERSION, bin/, conf/, lib/, webapp/ — and the treasury
 * database its schema version (`schema_versions`). A fresh sandbox installs 3.4.0 at schema 41 and
 * publishes the province's 3.5.0 in the release repository; the engine's upgrade changes them, as
 * it would a real host's. The accounting system is installed the same way on its own host, with its
 * own database (ledger-product.ts), and its migration targets are left empty for a migration.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import type { PackageMigration } from '../../domain/release-manifest.ts';
import type { SubsystemConfig } from '../../domain/subsystem-config.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import {
  installedPaymentSchema,
  installedPaymentVersion,
  nextPaymentVersion,
  paymentFiles,
  paymentSchemaOf,
  paymentMigrations,
  paymentProduct,
} from './payment-product.ts';
import { ledgerFiles, seedLedgerDatabase } from './ledger-product.ts';
import type { PackageSpec, ReleaseRepository } from './release-repository.ts';

export type Installed = SubsystemConfig & { install: NonNullable<SubsystemConfig['install']> };

/** The subsystems whose application the sandbox installs (those with an `install` section it has a product for). */
export function installedSubsystems(site: SiteConfig): Installed[] {
  return site.subsystems.filter((s): s is Installed => !!s.install && s.kind === paymentProduct);
}

type Ledger = Installed & {
  database: { schemaVersion?: string; store: { adapter: 'sqlite'; path: string } };
};

/** The accounting systems the sandbox installs on their own host, each with its own SQLite database. */
export function installedLedgers(site: SiteConfig): Ledger[] {
  return site.subsystems.filter(
    (s): s is Ledger => !!s.install && s.kind === 'accounting' && s.database?.store?.adapter === 'sqlite',
  );
}

/** Every file under `dir` (relative path → SHA-256), sorted: what a test compares before and after. */
export function folderChecksums(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Writes `files` as the whole of `dir` (what was there before is gone). */
export function writeFolder(dir: string, files: Map<string, Buffer>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}

/** The installed version, as the application's VERSION file says it. */
export const installedVersion = (app: Installed): string | undefined => {
  const file = join(app.install.dir, 'VERSION');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
};

/**
 * Installs 3.4.0 where nothing is installed (or everything afresh when the treasury was reseeded),
 * sets its schema version, and publishes the province's next release.
 */
export async function ensureInstallations(options: {
  site: SiteConfig;
  treasury: TreasuryDb;
  releases: ReleaseRepository | undefined;
  reseed: boolean;
  now: () => Date;
}): Promise<void> {
  for (const app of installedSubsystems(options.site)) {
    if (!options.reseed && installedVersion(app) !== undefined) continue;
    writeFolder(app.install.dir, paymentFiles(installedPaymentVersion));
    rmSync(app.install.backupDir, { recursive: true, force: true });
    mkdirSync(app.install.backupDir, { recursive: true });
    await options.treasury
      .insertInto('schema_versions')
      .values({ subsystem: app.id, version: installedPaymentSchema, updated_at: options.now().toISOString() })
      .onConflict((oc) => oc.column('subsystem').doUpdateSet({ version: installedPaymentSchema }))
      .execute();
  }
  for (const app of installedLedgers(options.site)) {
    if (!options.reseed && installedVersion(app) !== undefined) continue;
    writeFolder(app.install.dir, ledgerFiles(app.version ?? '1.0.0'));
    mkdirSync(app.install.backupDir, { recursive: true });
    seedLedgerDatabase(app.database.store.path, app.database.schemaVersion ?? '1');
    // Nothing on the other sides yet, and the site pointing at its own description.
    for (const t of app.migrationTargets) {
      rmSync(t.dir, { recursive: true, force: true });
      if (t.database.adapter === 'sqlite')
        for (const suffix of ['', '-wal', '-shm']) rmSync(`${t.database.path}${suffix}`, { force: true });
    }
    if (options.site.placementsDir)
      rmSync(join(options.site.placementsDir, `${app.id}.json`), { force: true });
  }
  if (options.releases && !existsSync(join(options.releases.dir, `${paymentProduct}-${nextPaymentVersion}`)))
    options.releases.publish(nextPaymentRelease());
}

/** The province's 3.5.0, or a variation of it (release-faults.ts). */
export function nextPaymentRelease(
  changes: Partial<Pick<PackageSpec, 'version' | 'notes' | 'declaredSizes'>> & {
    /** The installed version it upgrades (default 3.4.0). */
    from?: string;
    classpath?: string[];
    migrations?: PackageMigration[];
    extraFiles?: Map<string, Buffer>;
  } = {},
): PackageSpec {
  const version = changes.version ?? nextPaymentVersion;
  const from = changes.from ?? installedPaymentVersion;
  const before = paymentFiles(from);
  const after = paymentFiles(version, changes.classpath ? { classpath: changes.classpath } : {});
  const changed = new Map([
    ...[...after].filter(([path, bytes]) => !before.get(path)?.equals(bytes)),
    ...(changes.extraFiles ?? []),
  ]);
  return {
    product: paymentProduct,
    version,
    upgradesFrom: [from],
    notes: changes.notes ?? '新增支付通知模块（通知模板表），大额凭证加急标志；移除旧版接口模块。',
    components: [
      { name: '支付应用服务', files: new Map([...changed].filter(([p]) => !p.startsWith('lib/'))) },
      { name: '业务模块', files: new Map([...changed].filter(([p]) => p.startsWith('lib/'))) },
    ],
    removes: [...before.keys()].filter((p) => !after.has(p)),
    database: {
      schemaFrom: paymentSchemaOf(from),
      schemaTo: String(Number(paymentSchemaOf(from)) + 1),
      migrations: changes.migrations ?? paymentMigrations,
    },
    smoke: { health: true, bankLinks: true, databaseRead: 'pay_notice_templates' },
    ...(changes.declaredSizes && { declaredSizes: changes.declaredSizes }),
  };
}
