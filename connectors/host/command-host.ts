/**
 * What the engine does on one host, in host commands (domain/host-commands.ts) run by an adapter's
 * runner — the worker's own machine or SSH. Every command passes the host's allow-list first; a
 * command outside it is refused here, before anything reaches the host.
 */
import type {
  DeclaredProgram,
  DiskFree,
  FileChecksum,
  HostAllowList,
  HostCommand,
} from '../../domain/host-commands.ts';
import {
  hostCommands,
  logCommand,
  parseChecksums,
  parseDiskFree,
  startCommand,
  stopCommand,
} from '../../domain/host-commands.ts';
import type { ProgramAction, ProgramStatus } from './port.ts';

export interface CommandResult {
  /** Exit code; null when the command was ended by a signal or the timeout. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one command on a host: locally without a shell, or over SSH. */
export interface CommandRunner {
  run(command: HostCommand, timeoutMs: number): Promise<CommandResult>;
  close(): Promise<void>;
}

/** A command the host's allow-list does not hold; nothing was run. */
export class HostCommandRefused extends Error {
  constructor(
    readonly host: string,
    readonly command: HostCommand,
    reason: string,
  ) {
    super(`host ${host}: ${reason}`);
    this.name = 'HostCommandRefused';
  }
}

/** A command that ran and failed (non-zero exit, timeout). */
export class HostCommandFailed extends Error {
  constructor(
    readonly host: string,
    readonly command: HostCommand,
    readonly result: CommandResult,
  ) {
    super(
      `host ${host}: ${command.argv.join(' ')} ${result.code === null ? 'did not finish' : `exited ${result.code}`}` +
        (result.stderr.trim() ? `: ${result.stderr.trim().slice(0, 300)}` : ''),
    );
    this.name = 'HostCommandFailed';
  }
}

export interface CommandHostTiming {
  commandTimeoutMs: number;
  /** How long a started or stopped program may take to reach its new state. */
  settleTimeoutMs: number;
  pollMs: number;
}

export const defaultTiming: CommandHostTiming = {
  commandTimeoutMs: 30_000,
  settleTimeoutMs: 20_000,
  pollMs: 200,
};

export type CommandHost = ReturnType<typeof createCommandHost>;

export function createCommandHost(
  name: string,
  runner: CommandRunner,
  allowList: HostAllowList,
  timing: CommandHostTiming = defaultTiming,
) {
  async function run(command: HostCommand): Promise<CommandResult> {
    const refusal = allowList.refusal(command);
    if (refusal) throw new HostCommandRefused(name, command, refusal);
    return runner.run(command, timing.commandTimeoutMs);
  }
  async function runOk(command: HostCommand): Promise<string> {
    const result = await run(command);
    if (result.code !== 0) throw new HostCommandFailed(name, command, result);
    return result.stdout;
  }

  async function status(program: DeclaredProgram, logLines = 0): Promise<ProgramStatus> {
    const state =
      'systemdUnit' in program ? await unitState(program.systemdUnit) : await pidState(program.pidFile);
    const log = logLines > 0 ? logCommand(program, logLines) : undefined;
    const logTail = log ? await tail(log) : undefined;
    return { name: program.name, host: name, ...state, ...(logTail && { logTail }) };
  }

  async function tail(command: HostCommand): Promise<string[]> {
    const result = await run(command);
    if (result.code !== 0) return [`(log unreadable: ${result.stderr.trim() || `exit ${result.code}`})`];
    return result.stdout.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
  }

  async function unitState(unit: string): Promise<Omit<ProgramStatus, 'name'>> {
    const result = await run(hostCommands.unitActive(unit));
    const state = result.stdout.trim() || 'unknown';
    return { running: state === 'active', detail: `systemd unit ${unit}: ${state}` };
  }

  async function pidState(pidFile: string): Promise<Omit<ProgramStatus, 'name'>> {
    const file = await run(hostCommands.readPidFile(pidFile));
    if (file.code !== 0) return { running: false, detail: `pid file ${pidFile} is absent` };
    const pid = Number.parseInt(file.stdout.trim(), 10);
    if (!Number.isInteger(pid) || pid <= 0)
      return { running: false, detail: `pid file ${pidFile} holds no pid` };
    const state = await run(hostCommands.processState(pid));
    // A zombie (Z) has ended; only its parent has not collected it yet.
    if (state.code === 0 && !state.stdout.trim().startsWith('Z'))
      return { running: true, pid, detail: `pid ${pid} is running` };
    return { running: false, pid, detail: `pid ${pid} from ${pidFile} is not running (stale pid file)` };
  }

  async function settle(program: DeclaredProgram, running: boolean): Promise<ProgramStatus> {
    const deadline = Date.now() + timing.settleTimeoutMs;
    for (;;) {
      const now = await status(program);
      if (now.running === running || Date.now() >= deadline) return now;
      await new Promise((r) => setTimeout(r, timing.pollMs));
    }
  }

  async function start(program: DeclaredProgram): Promise<ProgramStatus> {
    const current = await status(program);
    if (current.running) return current;
    const command = startCommand(program);
    if (!command) throw new Error(`host ${name}: program ${program.name} declares no start command`);
    await runOk(command);
    return settle(program, true);
  }

  async function stop(program: DeclaredProgram): Promise<ProgramStatus> {
    const current = await status(program);
    if (!current.running) return current;
    await runOk(stopCommand(program));
    return settle(program, false);
  }

  return {
    name,
    status,
    async control(
      program: DeclaredProgram,
      action: Exclude<ProgramAction, 'restart'>,
    ): Promise<ProgramStatus> {
      return action === 'start' ? start(program) : stop(program);
    },
    async diskFree(path: string): Promise<DiskFree> {
      return parseDiskFree(path, await runOk(hostCommands.diskFree(path)));
    },
    async fileChecksums(paths: readonly string[]): Promise<FileChecksum[]> {
      if (paths.length === 0) return [];
      return parseChecksums(await runOk(hostCommands.checksums(paths)));
    },
    close: () => runner.close(),
  };
}
