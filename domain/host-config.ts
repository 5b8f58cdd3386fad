/**
 * The site file's hosts and programs: which machines the engine reaches and how (the worker's own
 * machine, or another one over SSH with a pinned host key), and the programs that run on them —
 * by pid file or systemd unit, with their log file, start/stop commands and start order.
 */
import { z } from 'zod';
import { pathProblem, unitPattern } from './host-commands.ts';

export const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'the name of an environment variable');

/** The host every program without `host` runs on: the worker's own machine. */
export const localHostName = 'local';

const hostName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'a host name: lower-case letters, digits, . -');

/** A file path: absolute, or relative to the site file (resolved at load); no shell characters. */
const filePath = z.string().regex(/^[A-Za-z0-9._@+/-]+$/, 'a path of letters, digits and . _ @ + - /');

const commandSchema = z
  .object({
    /** The argument vector, run as it is (never through a shell built from input). */
    argv: z.array(z.string().min(1).max(200)).min(1).max(20),
    /** Working folder; relative to the site file on the local host. */
    cwd: filePath.optional(),
  })
  .strict();

const programCommon = {
  name: z.string().min(1).max(64),
  /** The declared host it runs on (`hosts[].name`); default the worker's own machine. */
  host: hostName.optional(),
  /** Its log file, whose last lines tell why it stopped (systemd units: the journal). */
  logFile: filePath.optional(),
  /** Programs (by name, in the same list) that must be running before this one starts. */
  after: z.array(z.string().min(1)).optional(),
};

export const programSchema = z.union([
  z
    .object({
      ...programCommon,
      pidFile: filePath,
      /** How to start it: a command that returns once the program runs and has written its pid file. */
      start: commandSchema.optional(),
      /** How to stop it; default SIGTERM to the pid in its pid file. */
      stop: commandSchema.optional(),
    })
    .strict(),
  z
    .object({
      ...programCommon,
      systemdUnit: z.string().regex(unitPattern, 'a systemd unit name: letters, digits, @ . _ : -'),
    })
    .strict(),
]);
export type ProgramConfig = z.infer<typeof programSchema>;

const knownHostLine = z
  .string()
  .regex(
    /^(?:\S+ )?(?:ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521) [A-Za-z0-9+/]+=*(?: .*)?$/,
    'a known_hosts line: [host] key-type base64-key [comment]',
  );

const hostCommon = {
  name: hostName,
  /** Folders under which the engine may measure free disk and compute file checksums. */
  paths: z.array(filePath).default([]),
};

export const hostSchema = z.discriminatedUnion('adapter', [
  z.object({ ...hostCommon, adapter: z.literal('local') }).strict(),
  z
    .object({
      ...hostCommon,
      adapter: z.literal('ssh'),
      address: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(22),
      user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Unix user name'),
      /** The host's public key(s) as known_hosts lines; any other key is refused. */
      knownHosts: z.array(knownHostLine).min(1),
      /** The private key (OpenSSH or PEM text) from this environment variable… */
      privateKeyEnv: envName.optional(),
      /** …or from this file (mode 600). */
      privateKeyFile: filePath.optional(),
      passphraseEnv: envName.optional(),
      connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    })
    .strict()
    .refine((h) => !!h.privateKeyEnv !== !!h.privateKeyFile, {
      message: 'exactly one of privateKeyEnv and privateKeyFile',
      path: ['privateKeyEnv'],
    }),
]);
export type HostConfig = z.infer<typeof hostSchema>;
export type SshHostConfig = Extract<HostConfig, { adapter: 'ssh' }>;

export interface PathIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Cross-checks of hosts and the programs declared under `where` (e.g. `banks[0].programs`):
 * unique host names, a program's host declared, remote paths absolute, `after` naming a
 * sibling program, and no start-order cycle.
 */
export function hostIssues(
  hosts: readonly HostConfig[],
  programLists: readonly { where: (string | number)[]; programs: readonly ProgramConfig[] }[],
): PathIssue[] {
  const issues: PathIssue[] = [];
  const byName = new Map<string, HostConfig>();
  hosts.forEach((h, i) => {
    if (byName.has(h.name) || (h.name === localHostName && h.adapter !== 'local'))
      issues.push({ path: ['hosts', i, 'name'], message: `duplicate or reserved host name ${h.name}` });
    byName.set(h.name, h);
    if (h.adapter === 'ssh')
      h.paths.forEach((p, j) => {
        const problem = pathProblem(p);
        if (problem)
          issues.push({ path: ['hosts', i, 'paths', j], message: `on an SSH host a path ${problem}` });
      });
  });
  for (const { where, programs } of programLists) {
    const names = programs.map((p) => p.name);
    programs.forEach((p, i) => {
      const at = (...rest: (string | number)[]) => [...where, i, ...rest];
      const host = p.host === undefined ? undefined : byName.get(p.host);
      if (p.host !== undefined && !host && p.host !== localHostName)
        issues.push({
          path: at('host'),
          message: `no host named ${p.host}; declared: ${[...byName.keys()].join(', ') || '(none)'}`,
        });
      if (host?.adapter === 'ssh') {
        const paths: [string, string | undefined][] = [
          ['logFile', p.logFile],
          ...('pidFile' in p ? ([['pidFile', p.pidFile]] as [string, string][]) : []),
        ];
        for (const [field, value] of paths) {
          const problem = value === undefined ? undefined : pathProblem(value);
          if (problem) issues.push({ path: at(field), message: `on an SSH host a path ${problem}` });
        }
      }
      (p.after ?? []).forEach((name, j) => {
        if (!names.includes(name) || name === p.name)
          issues.push({ path: at('after', j), message: `no other program named ${name} in this list` });
      });
    });
    if (startOrderCycle(programs))
      issues.push({ path: where, message: 'the programs’ `after` lists form a cycle' });
  }
  return issues;
}

function startOrderCycle(programs: readonly ProgramConfig[]): boolean {
  try {
    startOrder(programs);
    return false;
  } catch {
    return true;
  }
}

/** Programs in start order: each after those it names in `after`, otherwise as declared. */
export function startOrder<P extends { name: string; after?: readonly string[] }>(
  programs: readonly P[],
): P[] {
  const ordered: P[] = [];
  const placed = new Set<string>();
  const pending = [...programs];
  while (pending.length > 0) {
    const index = pending.findIndex((p) =>
      (p.after ?? []).every((a) => placed.has(a) || !programs.some((q) => q.name === a)),
    );
    if (index < 0) throw new Error(`start-order cycle among ${pending.map((p) => p.name).join(', ')}`);
    const [next] = pending.splice(index, 1) as [P];
    ordered.push(next);
    placed.add(next.name);
  }
  return ordered;
}
