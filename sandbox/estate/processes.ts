/**
 * Starting and stopping the estate's programs as real OS processes (../program-start.ts),
 * output appended to the program's log file, started once the program has written its own pid
 * file (as a site's start script waits for it). A SIGKILL leaves the pid file behind, as in
 * production.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { projectRoot } from '../../temporal.config.ts';
import { programNodeArgs } from '../program-start.ts';

export const isAlive = (child: ChildProcess | undefined): child is ChildProcess =>
  !!child && child.exitCode === null && child.signalCode === null;

const exited = (child: ChildProcess) =>
  new Promise<void>((r) => (isAlive(child) ? child.once('exit', () => r()) : r()));

export async function spawnProgram(options: {
  file: string;
  args: string[];
  /** A build holding the program compiled. */
  build?: string;
  env: Record<string, string>;
  logFile: string;
  pidFile: string;
  /** Names the program in errors, e.g. `application server accounting`. */
  what: string;
}): Promise<ChildProcess> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const out = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...programNodeArgs(options.file, options.build), ...options.args], {
    cwd: projectRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  // A minute: several programs starting at once on a loaded two-core machine took over 20 s; one
  // that exits is still noticed at once.
  const deadline = Date.now() + 60_000;
  const { pidFile } = options;
  while (!(existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(child.pid))) {
    if (!isAlive(child) || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.what} did not start (see ${options.logFile})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

/** Sends `signal` (SIGKILL after `graceMs`) and waits for the end; the pid, or undefined if not running. */
export async function stopChild(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5000,
): Promise<number | undefined> {
  if (!isAlive(child)) return undefined;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
  return child.pid;
}
