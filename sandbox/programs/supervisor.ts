/**
 * Starts and stops the send/receive program processes, one real OS process per bank that has a
 * pid-file program in the site file. Killing with SIGKILL leaves the stale pid file behind, as
 * in production; a clean stop (SIGTERM) lets the program remove it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { BankConfig } from '../../temporal.config.ts';
import { projectRoot } from '../../temporal.config.ts';
import { programNodeArgs } from '../program-start.ts';
import { programEnv } from './program-env.ts';

const programFile = join(dirname(fileURLToPath(import.meta.url)), 'send-receive.ts');

export interface ProgramSettings {
  mqwebUrl: string;
  user: string;
  password: string;
  treasuryDb: string;
  clockFile: string;
  financeQmgr: string;
  logDir: string;
  intervalMs?: number;
  /** A build holding the program compiled (../program-start.ts). */
  build?: string;
  log?: Logger;
}

export interface ProgramInfo {
  bank: string;
  pidFile: string;
  pid?: number;
  running: boolean;
}

export type ProgramSupervisor = ReturnType<typeof createSupervisor>;

export function pidFileOf(bank: BankConfig): string | undefined {
  const program = bank.programs.find((p) => 'pidFile' in p);
  return program && 'pidFile' in program ? program.pidFile : undefined;
}

export function createSupervisor(banks: readonly BankConfig[], settings: ProgramSettings) {
  const children = new Map<string, ChildProcess>();
  const managed = new Map(
    banks.flatMap((b) => (pidFileOf(b) ? [[b.code, pidFileOf(b) as string] as const] : [])),
  );

  const exited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));

  async function waitForPidFile(pidFile: string, pid: number, child: ChildProcess): Promise<void> {
    // Generous: on a loaded two-core machine five programs loading TypeScript at once take a while;
    // a program that dies is noticed at once below.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`send/receive program exited with code ${child.exitCode}`);
      if (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() === String(pid)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`send/receive program ${pid} did not write ${pidFile}`);
  }

  const supervisor = {
    banks: () => [...managed.keys()],
    has: (bank: string) => managed.has(bank),
    /** Takes on the program of a bank added while the sandbox runs. */
    add(bank: string, pidFile: string): void {
      if (managed.has(bank)) throw new RangeError(`bank ${bank} already has a send/receive program`);
      managed.set(bank, pidFile);
    },
    async start(bank: string): Promise<number> {
      const pidFile = managed.get(bank);
      if (!pidFile) throw new RangeError(`bank ${bank} has no send/receive program with a pid file`);
      const current = children.get(bank);
      if (current && current.exitCode === null && current.signalCode === null) return current.pid as number;
      mkdirSync(dirname(pidFile), { recursive: true });
      mkdirSync(settings.logDir, { recursive: true });
      const out = openSync(join(settings.logDir, `send-receive-${bank}.log`), 'a');
      const child = spawn(
        process.execPath,
        [...programNodeArgs(programFile, settings.build), '--bank', bank],
        {
          cwd: projectRoot,
          env: {
            ...process.env,
            [programEnv.url]: settings.mqwebUrl,
            [programEnv.user]: settings.user,
            [programEnv.password]: settings.password,
            [programEnv.treasuryDb]: settings.treasuryDb,
            [programEnv.pidFile]: pidFile,
            [programEnv.clockFile]: settings.clockFile,
            [programEnv.financeQmgr]: settings.financeQmgr,
            [programEnv.intervalMs]: String(settings.intervalMs ?? 300),
          },
          stdio: ['ignore', out, out],
        },
      );
      closeSync(out);
      children.set(bank, child);
      child.once('exit', (code, signal) =>
        settings.log?.info({ bank, pid: child.pid, code, signal }, 'send/receive program exited'),
      );
      await waitForPidFile(pidFile, child.pid as number, child);
      settings.log?.info({ bank, pid: child.pid }, 'send/receive program started');
      return child.pid as number;
    },
    /** Sends `signal` and waits for the process to end. */
    async kill(bank: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | undefined> {
      const child = children.get(bank);
      if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
      child.kill(signal);
      await exited(child);
      return child.pid;
    },
    async restart(bank: string): Promise<number> {
      await supervisor.stop(bank);
      return supervisor.start(bank);
    },
    /** SIGTERM, then SIGKILL after `timeoutMs`. */
    async stop(bank: string, timeoutMs = 5000): Promise<void> {
      const child = children.get(bank);
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited(child);
      clearTimeout(timer);
    },
    async stopAll(timeoutMs = 5000): Promise<void> {
      await Promise.all([...children.keys()].map((b) => supervisor.stop(b, timeoutMs)));
    },
    info(bank: string): ProgramInfo | undefined {
      const pidFile = managed.get(bank);
      if (!pidFile) return undefined;
      const child = children.get(bank);
      const running = !!child && child.exitCode === null && child.signalCode === null;
      return { bank, pidFile, running, ...(child?.pid !== undefined && { pid: child.pid }) };
    },
  };
  return supervisor;
}
