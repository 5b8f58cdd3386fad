/**
 * An installed application's files on a host the worker reaches as its own file system (a host
 * declared `adapter: local`: the worker's own machine, or a worker running on the application
 * server): what is installed, with each file's SHA-256; a backup of the whole folder, checksummed;
 * a package's files put in place; and the folder made equal to a backup again. Every operation
 * can be repeated, after a retry or a crash, without doing anything twice: a backup is found by
 * its key once complete (its record is written last), a file already holding the wanted bytes is
 * left alone, and each file is written beside its place and renamed into it, so none is ever half
 * written.
 */
import { createHash } from 'node:crypto';
import {
  copyFile,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { mapWithConcurrency } from '../../domain/concurrency.ts';
import { sha256File } from '../releases/release-packages.ts';

export interface AppFileEntry {
  /** Relative to the application's folder. */
  path: string;
  size: number;
  sha256: string;
}

export interface AppBackup {
  key: string;
  /** The backup's folder (its copy of the application is `app/` inside). */
  dir: string;
  files: number;
  bytes: number;
  /** SHA-256 over every file's path and digest: what a restore must give back. */
  digest: string;
  createdAt: string;
  /** Found complete from an earlier attempt: nothing was copied now. */
  alreadyDone: boolean;
}

export interface ApplyCounts {
  written: number;
  unchanged: number;
  removed: number;
}

export interface RestoreCounts extends ApplyCounts {
  /** The folder's digest after the restore equals the backup's. */
  equal: boolean;
  digest: string;
}

/** What a package puts in place: its files (where each lies in the package) and the files it removes. */
export interface FilesToApply {
  files: readonly { path: string; sha256: string; from: string }[];
  removes: readonly string[];
}

const hashers = 4;
const record = 'backup.json';

/** SHA-256 over the files' paths and digests, in path order. */
export function folderDigest(files: readonly AppFileEntry[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1)))
    hash.update(`${f.path}\0${f.sha256}\n`);
  return hash.digest('hex');
}

async function walk(dir: string, at = dir, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(at, { withFileTypes: true })) {
    const path = join(at, entry.name);
    if (entry.isDirectory()) await walk(dir, path, out);
    else if (entry.isFile()) out.push(relative(dir, path));
  }
  return out;
}

/** Every file under `dir` with its size and SHA-256, in path order. */
export async function inventory(dir: string): Promise<AppFileEntry[]> {
  if (!existsSync(dir)) return [];
  const paths = (await walk(dir)).sort();
  return mapWithConcurrency(paths, hashers, async (path) => {
    const file = join(dir, path);
    return { path, size: (await stat(file)).size, sha256: await sha256File(file) };
  });
}

/** The files under `dir` and their bytes, without reading them. */
export async function folderSize(dir: string): Promise<{ files: number; bytes: number }> {
  if (!existsSync(dir)) return { files: 0, bytes: 0 };
  const paths = await walk(dir);
  const sizes = await mapWithConcurrency(paths, 16, async (p) => (await stat(join(dir, p))).size);
  return { files: paths.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

/** Free and total bytes of the file system holding `path` (what an unprivileged user may use). */
export async function diskSpace(path: string): Promise<{ freeBytes: number; totalBytes: number }> {
  const fs = await statfs(path);
  return { freeBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize };
}

/** Writes `from`'s bytes to `to` through a file beside it, renamed into place. */
async function put(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  const tmp = `${to}.jincai-tmp`;
  await copyFile(from, tmp);
  await rename(tmp, to);
}

async function sameBytes(file: string, sha256: string): Promise<boolean> {
  return existsSync(file) && (await sha256File(file)) === sha256;
}

/** Removes the folders under `dir` (not `dir`) left empty. */
async function pruneEmpty(dir: string, at = dir): Promise<void> {
  for (const entry of await readdir(at, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(at, entry.name);
    await pruneEmpty(dir, path);
    if ((await readdir(path)).length === 0) await rmdir(path);
  }
}

/**
 * Copies the application's folder to `<backupDir>/<key>/app`, checks every copied file against the
 * original's SHA-256, and records the backup (`backup.json`, written last). Found complete under
 * the same key, it is returned as it was made.
 */
export async function backupApplication(appDir: string, backupDir: string, key: string): Promise<AppBackup> {
  const dir = join(backupDir, key);
  const recordFile = join(dir, record);
  if (existsSync(recordFile))
    return { ...(JSON.parse(await readFile(recordFile, 'utf8')) as AppBackup), alreadyDone: true };
  const partial = join(dir, 'app.partial');
  await rm(partial, { recursive: true, force: true });
  const original = await inventory(appDir);
  await mapWithConcurrency(original, hashers, (f) => put(join(appDir, f.path), join(partial, f.path)));
  const copied = await inventory(partial);
  const digest = folderDigest(original);
  if (folderDigest(copied) !== digest)
    throw new Error(`the backup of ${appDir} does not match it: a file changed while it was copied`);
  await rm(join(dir, 'app'), { recursive: true, force: true });
  await rename(partial, join(dir, 'app'));
  const backup: AppBackup = {
    key,
    dir,
    files: original.length,
    bytes: original.reduce((s, f) => s + f.size, 0),
    digest,
    createdAt: new Date().toISOString(),
    alreadyDone: false,
  };
  await writeFile(join(dir, 'files.json'), JSON.stringify(original));
  await writeFile(`${recordFile}.tmp`, JSON.stringify(backup));
  await rename(`${recordFile}.tmp`, recordFile);
  return backup;
}

/** The backup made under `key`, or undefined when none is complete. */
export async function findBackup(backupDir: string, key: string): Promise<AppBackup | undefined> {
  const file = join(backupDir, key, record);
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as AppBackup) : undefined;
}

/** Puts the package's files in place (each unless it already holds their bytes) and removes what it removes. */
export async function applyFiles(appDir: string, apply: FilesToApply): Promise<ApplyCounts> {
  const counts: ApplyCounts = { written: 0, unchanged: 0, removed: 0 };
  for (const f of apply.files) {
    const target = join(appDir, f.path);
    if (await sameBytes(target, f.sha256)) counts.unchanged += 1;
    else {
      await put(f.from, target);
      counts.written += 1;
    }
  }
  for (const path of apply.removes) {
    const target = join(appDir, path);
    if (!existsSync(target)) continue;
    await rm(target);
    counts.removed += 1;
  }
  return counts;
}

/**
 * Makes the application's folder what the backup under `key` holds: files the backup lacks are
 * removed, files that differ from it are put back, and the folder's digest is compared with the
 * backup's.
 */
export async function restoreApplication(
  appDir: string,
  backupDir: string,
  key: string,
): Promise<RestoreCounts> {
  const backup = await findBackup(backupDir, key);
  if (!backup) throw new Error(`no complete backup ${key} under ${backupDir}`);
  const saved = JSON.parse(await readFile(join(backupDir, key, 'files.json'), 'utf8')) as AppFileEntry[];
  const counts = await syncFolder(appDir, saved, join(backupDir, key, 'app'));
  const digest = folderDigest(await inventory(appDir));
  return { ...counts, digest, equal: digest === backup.digest };
}

/**
 * Makes `toDir` a copy of `fromDir` (a migration's copy of the application onto its target host):
 * files it lacks or holds otherwise are written, files `fromDir` lacks removed; run again, it
 * writes nothing. Returns what it did and whether both folders' digests are now equal.
 */
export async function copyApplication(fromDir: string, toDir: string): Promise<RestoreCounts> {
  const source = await inventory(fromDir);
  await mkdir(toDir, { recursive: true });
  const counts = await syncFolder(toDir, source, fromDir);
  const digest = folderDigest(await inventory(toDir));
  return { ...counts, digest, equal: digest === folderDigest(source) };
}

/** Makes `dir` hold exactly `wanted`, each file taken from the same path under `from`. */
async function syncFolder(dir: string, wanted: readonly AppFileEntry[], from: string): Promise<ApplyCounts> {
  const missing = new Map(wanted.map((f) => [f.path, f]));
  const counts: ApplyCounts = { written: 0, unchanged: 0, removed: 0 };
  for (const f of await inventory(dir)) {
    const want = missing.get(f.path);
    if (!want) {
      await rm(join(dir, f.path));
      counts.removed += 1;
    } else if (want.sha256 === f.sha256) {
      counts.unchanged += 1;
      missing.delete(f.path);
    }
  }
  for (const f of missing.values()) {
    await put(join(from, f.path), join(dir, f.path));
    counts.written += 1;
  }
  await pruneEmpty(dir);
  return counts;
}
