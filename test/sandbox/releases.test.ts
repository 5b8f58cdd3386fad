/**
 * The sandbox's application estate and the province's release repository, seen through the
 * engine's own connectors: the payment system installed at 3.4.0 on its host with schema 41 and
 * its application server answering so; the province's 3.5.0 signed and whole; each upgrade fault's
 * package wrong in the way it says; and a backup, the package's files and migrations, then the
 * restore of files and tables, leaving the folder and the tables as they were.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  applyFiles,
  backupApplication,
  diskSpace,
  restoreApplication,
} from '../../connectors/host/app-files.ts';
import { createReleasePackages } from '../../connectors/releases/release-packages.ts';
import {
  backupTables,
  restoreTables,
  runJournaled,
  schemaVersion,
  tableChecksums,
} from '../../connectors/treasury/upgrade-tables.ts';
import { applicabilityProblems, packageBytes, packageFiles } from '../../domain/release-manifest.ts';
import { folderChecksums } from '../../sandbox/releases/installations.ts';
import { startEstateSandbox, type EstateSandbox } from './estate-sandbox.ts';

describe('application estate and release repository', () => {
  let estate: EstateSandbox;
  const payment = () => estate.site.subsystems.find((s) => s.kind === 'payment')!;
  const install = () => payment().install!;
  const releases = () => createReleasePackages(estate.site.releases!);
  const inject = (fault: string, options: Record<string, unknown> = {}) =>
    estate.sandbox.subsystems.faults.inject({ fault, subsystem: 'payment', ...options });

  before(async () => {
    estate = await startEstateSandbox({ keep: (s) => s.kind === 'payment' });
  });
  after(async () => {
    await estate?.stop();
  });

  it('has the payment system installed at 3.4.0, schema 41, its server answering so', async () => {
    const files = folderChecksums(install().dir);
    assert.ok(files['lib/pay-legacy.jar'] && files['conf/classpath.txt']);
    assert.equal(readFileSync(join(install().dir, 'VERSION'), 'utf8').trim(), '3.4.0');
    assert.equal(await schemaVersion(estate.sandbox.treasury, 'payment'), '41');
    const { url, timeoutMs } = payment().health!;
    const probe = await estate.hosts.probeHealth(url, timeoutMs);
    assert.equal(probe.status, 200, JSON.stringify(probe));
    assert.deepEqual(probe.body, {
      subsystem: 'payment',
      status: 'ok',
      version: '3.4.0',
      database: { state: 'ok', schemaVersion: '41' },
    });
  });

  it('holds the province’s 3.5.0, signed, whole, applying to what is installed', async () => {
    const read = releases().read('payment-3.5.0');
    assert.ok(read.found && read.manifest, JSON.stringify(read));
    assert.deepEqual(read.problems, []);
    assert.deepEqual(await releases().checkFiles('payment-3.5.0', read.manifest), []);
    assert.deepEqual(
      applicabilityProblems(read.manifest, { version: '3.4.0', schemaVersion: '41', dialect: 'sqlite' }),
      [],
    );
    assert.deepEqual(read.manifest.removes, ['lib/pay-legacy.jar']);
    assert.deepEqual(releases().read('payment-9.9.9'), { found: false });
  });

  it('publishes each fault’s package wrong in its own way', async () => {
    const corrupt = (await inject('release-package-corrupt')).details;
    const read = releases().read(corrupt.package as string);
    assert.ok(read.found && read.manifest);
    assert.deepEqual(read.problems, [], 'the signature still holds: the manifest was not touched');
    const files = await releases().checkFiles(corrupt.package as string, read.manifest);
    assert.deepEqual(
      files.map((f) => f.path),
      ['lib/pay-core.jar'],
    );

    const other = releases().read((await inject('release-package-other-version')).details.package as string);
    assert.ok(other.found && other.manifest);
    assert.match(
      applicabilityProblems(other.manifest, { version: '3.4.0', schemaVersion: '41', dialect: 'sqlite' })[0]!,
      /3\.5\.0 to 3\.6\.0; 3\.4\.0 is installed/,
    );

    const big = releases().read((await inject('release-host-disk-short')).details.package as string);
    assert.ok(big.found && big.manifest);
    assert.ok(packageBytes(big.manifest) > (await diskSpace(install().dir)).freeBytes);

    await estate.sandbox.subsystems.faults.clear({});
    assert.deepEqual(releases().list(), ['payment-3.5.0']);
  });

  it('backs up, applies and restores files and tables, leaving both as they were', async () => {
    const db = estate.sandbox.treasury;
    const id = (await inject('release-migration-fails')).details.package as string;
    const read = releases().read(id);
    assert.ok(read.found && read.manifest?.database);
    const { manifest } = read;
    const tables = ['schema_versions', ...(manifest.database?.migrations.flatMap((m) => m.tables) ?? [])];
    const filesBefore = folderChecksums(install().dir);
    const tablesBefore = await tableChecksums(db, tables);

    const backup = await backupApplication(install().dir, install().backupDir, 'k1');
    assert.equal((await backupApplication(install().dir, install().backupDir, 'k1')).alreadyDone, true);
    assert.equal(backup.files, Object.keys(filesBefore).length);
    await backupTables(db, 'abcdef0123', tables);
    const applied = await applyFiles(install().dir, {
      files: packageFiles(manifest).map((f) => ({ ...f, from: releases().filePath(id, f.path) })),
      removes: manifest.removes,
    });
    assert.equal(applied.removed, 1);
    assert.equal(
      (
        await applyFiles(install().dir, {
          files: packageFiles(manifest).map((f) => ({ ...f, from: releases().filePath(id, f.path) })),
          removes: manifest.removes,
        })
      ).written,
      0,
      'applied again, nothing is written twice',
    );

    const done: { key: string; back: string }[] = [];
    await assert.rejects(async () => {
      for (const m of manifest.database?.migrations ?? [])
        for (const [i, statement] of m.forward.entries()) {
          const key = `${m.id}/forward/${i}`;
          await runJournaled(db, { runKey: 'run-1', statementKey: key, statement });
          done.push({ key, back: m.back[i]! });
        }
    }, /amount_yuan/);
    assert.equal(done.length, 4, 'half-way: the first migration and one statement of the second');
    assert.notDeepEqual(await tableChecksums(db, tables), tablesBefore);

    for (const d of done.reverse())
      await runJournaled(db, {
        runKey: 'run-1',
        statementKey: d.key.replace('forward', 'back'),
        statement: d.back,
      });
    await restoreTables(
      db,
      'abcdef0123',
      tablesBefore.map((t) => ({ table: t.table, existed: t.exists })),
    );
    const restored = await restoreApplication(install().dir, install().backupDir, 'k1');
    assert.equal(restored.equal, true);
    assert.deepEqual(folderChecksums(install().dir), filesBefore);
    assert.deepEqual(await tableChecksums(db, tables), tablesBefore);
  });
});
