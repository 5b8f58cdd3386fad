/**
 * The commands the engine may run on a host, and nothing else. Every command is an argument
 * vector built here from what the site file declares (programs with their pid files, systemd
 * units, log files and start/stop commands; the folders a host lets the engine measure), never
 * from a runbook's input: an allow-list per host says which vectors may run, and an adapter
 * (local or SSH) refuses any other before it reaches the host.
 */

/** One command: an argument vector and, for a declared start/stop command, its working folder. */
export interface HostCommand {
  argv: readonly string[];
  cwd?: string;
}

/** A program as the host commands see it (the site's program declaration). */
export type DeclaredProgram =
  | {
      name: string;
      pidFile: string;
      logFile?: string;
      start?: HostCommand;
      stop?: HostCommand;
    }
  | { name: string; systemdUnit: string; logFile?: string };

export const maxLogLines = 500;

const safePath = /^\/(?:[A-Za-z0-9._@+-]+\/?)*$/;
export const unitPattern = /^[A-Za-z0-9@._:-]+$/;

/** Why a path may not be used in a command, or undefined when it may. */
export function pathProblem(path: string): string | undefined {
  if (!safePath.test(path)) return 'must be an absolute path of letters, digits and . _ @ + - /';
  if (path.split('/').some((part) => part === '.' || part === '..'))
    return 'must not contain . or .. segments';
  return undefined;
}

export function isUnder(path: string, folders: readonly string[]): boolean {
  return folders.some((f) => {
    const dir = f.endsWith('/') ? f.slice(0, -1) : f;
    return path === dir || path.startsWith(`${dir}/`);
  });
}

export const hostCommands = {
  readPidFile: (pidFile: string): HostCommand => ({ argv: ['cat', pidFile] }),
  /** The process state letter (POSIX `ps`); exit 1 when there is no such process. */
  processState: (pid: number): HostCommand => ({ argv: ['ps', '-o', 'stat=', '-p', String(pid)] }),
  unitActive: (unit: string): HostCommand => ({ argv: ['systemctl', 'is-active', unit] }),
  unitAction: (unit: string, action: 'start' | 'stop' | 'restart'): HostCommand => ({
    argv: ['systemctl', action, unit],
  }),
  tailFile: (file: string, lines: number): HostCommand => ({ argv: ['tail', '-n', String(lines), file] }),
  unitJournal: (unit: string, lines: number): HostCommand => ({
    argv: ['journalctl', '-u', unit, '-n', String(lines), '--no-pager', '-o', 'cat'],
  }),
  /** The default stop of a pid-file program: SIGTERM to the pid its file names. */
  terminate: (pidFile: string): HostCommand => ({ argv: ['pkill', '-TERM', '-F', pidFile] }),
  diskFree: (path: string): HostCommand => ({ argv: ['df', '-Pk', path] }),
  checksums: (paths: readonly string[]): HostCommand => ({ argv: ['sha256sum', '--', ...paths] }),
};

export function logCommand(program: DeclaredProgram, lines: number): HostCommand | undefined {
  if (program.logFile) return hostCommands.tailFile(program.logFile, lines);
  if ('systemdUnit' in program) return hostCommands.unitJournal(program.systemdUnit, lines);
  return undefined;
}

export function startCommand(program: DeclaredProgram): HostCommand | undefined {
  return 'systemdUnit' in program ? hostCommands.unitAction(program.systemdUnit, 'start') : program.start;
}

export function stopCommand(program: DeclaredProgram): HostCommand {
  return 'systemdUnit' in program
    ? hostCommands.unitAction(program.systemdUnit, 'stop')
    : (program.stop ?? hostCommands.terminate(program.pidFile));
}

/** Decides whether a command may run on one host. */
export interface HostAllowList {
  /** Undefined when the command may run; otherwise why it may not. */
  refusal(command: HostCommand): string | undefined;
}

const key = (c: HostCommand) => JSON.stringify([c.cwd ?? null, ...c.argv]);

/**
 * The allow-list of one host: every status, log, start and stop command of the programs declared
 * on it, and disk-free and checksum commands for paths under its declared folders. Reading a pid
 * file (`pgrep -F`, `cat`) is also allowed for a `.pid` file under those folders or beside a
 * declared pid file: a program about to be declared (a new bank's) can be looked at, not touched.
 */
export function hostAllowList(
  programs: readonly DeclaredProgram[],
  folders: readonly string[],
): HostAllowList {
  const exact = new Set<string>();
  const pidDirs = new Set<string>();
  const logs = new Set<string>();
  const units = new Set<string>();
  for (const p of programs) {
    if ('systemdUnit' in p) {
      units.add(p.systemdUnit);
      exact.add(key(hostCommands.unitActive(p.systemdUnit)));
      for (const action of ['start', 'stop', 'restart'] as const)
        exact.add(key(hostCommands.unitAction(p.systemdUnit, action)));
    } else {
      pidDirs.add(folderOf(p.pidFile));
      exact.add(key(hostCommands.readPidFile(p.pidFile)));
      exact.add(key(stopCommand(p)));
      if (p.start) exact.add(key(p.start));
    }
    if (p.logFile) logs.add(p.logFile);
  }
  const whole = (text: string | undefined, max: number) => {
    const n = Number(text);
    return Number.isInteger(n) && n >= 1 && n <= max && String(n) === text;
  };
  const lineCount = (text: string | undefined) => whole(text, maxLogLines);
  const underFolders = (path: string | undefined) =>
    path !== undefined && pathProblem(path) === undefined && isUnder(path, folders);
  const readablePidFile = (path: string | undefined) =>
    path !== undefined &&
    path.endsWith('.pid') &&
    (underFolders(path) || (pathProblem(path) === undefined && pidDirs.has(folderOf(path))));

  const same = (args: readonly string[], expected: readonly string[]) =>
    key({ argv: args }) === key({ argv: expected });
  // Commands whose arguments vary within what the declarations allow (no working folder).
  const families: Record<string, (args: readonly string[]) => boolean> = {
    tail: (a) => a.length === 3 && a[0] === '-n' && lineCount(a[1]) && logs.has(a[2] ?? ''),
    journalctl: (a) =>
      a.length === 7 &&
      a[0] === '-u' &&
      units.has(a[1] ?? '') &&
      a[2] === '-n' &&
      lineCount(a[3]) &&
      same(a.slice(4), ['--no-pager', '-o', 'cat']),
    cat: (a) => a.length === 1 && readablePidFile(a[0]),
    ps: (a) => a.length === 4 && same(a.slice(0, 3), ['-o', 'stat=', '-p']) && whole(a[3], 2 ** 22),
    df: (a) => a.length === 2 && a[0] === '-Pk' && underFolders(a[1]),
    sha256sum: (a) => a.length >= 2 && a[0] === '--' && a.slice(1).every(underFolders),
  };

  return {
    refusal(command) {
      const [name = '', ...args] = command.argv;
      if (exact.has(key(command))) return undefined;
      if (command.cwd === undefined && Object.hasOwn(families, name) && families[name]?.(args))
        return undefined;
      return `not on this host's allow-list: ${command.argv.join(' ')}`;
    },
  };
}

const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** POSIX single-quoting, for the one shell an SSH server runs every command through. */
export function shellLine(command: HostCommand): string {
  const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;
  const line = command.argv.map(quote).join(' ');
  return command.cwd === undefined ? line : `cd ${quote(command.cwd)} && exec ${line}`;
}

export interface DiskFree {
  path: string;
  filesystem: string;
  mountedOn: string;
  totalBytes: number;
  usedBytes: number;
  freeBytes: number;
}

/** Reads `df -Pk` (POSIX format, 1024-byte blocks). */
export function parseDiskFree(path: string, stdout: string): DiskFree {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const fields = line.trim().split(/\s+/);
  const [filesystem, total, used, free] = fields;
  const numbers = [total, used, free].map(Number);
  if (fields.length < 6 || numbers.some((n) => !Number.isFinite(n)))
    throw new Error(`unexpected df output for ${path}: ${line}`);
  const [t, u, f] = numbers as [number, number, number];
  return {
    path,
    filesystem: filesystem as string,
    mountedOn: fields.slice(5).join(' '),
    totalBytes: t * 1024,
    usedBytes: u * 1024,
    freeBytes: f * 1024,
  };
}

export interface FileChecksum {
  path: string;
  sha256: string;
}

/** Reads `sha256sum` output (`<hex>  <path>` per line). */
export function parseChecksums(stdout: string): FileChecksum[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const m = line.match(/^\\?([0-9a-f]{64}) [ *](.+)$/);
      if (!m) throw new Error(`unexpected sha256sum output: ${line}`);
      return { sha256: m[1] as string, path: m[2] as string };
    });
}
