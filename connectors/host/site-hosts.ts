/**
 * The host port over the site's hosts: each program goes to the host it declares (the worker's
 * own machine when it declares none), through that host's adapter and allow-list — built from
 * every program the site declares on the host and the folders the host lets the engine measure.
 */
import type { DeclaredProgram } from '../../domain/host-commands.ts';
import { hostAllowList } from '../../domain/host-commands.ts';
import type { HostConfig } from '../../domain/host-config.ts';
import { localHostName, startOrder } from '../../domain/host-config.ts';
import type { ProgramConfig } from '../../temporal.config.ts';
import type { CommandHost, CommandHostTiming } from './command-host.ts';
import { createCommandHost, defaultTiming } from './command-host.ts';
import { createLocalRunner, probeHealth, probeTcp } from './local-host.ts';
import type { HostPort, ProgramStatus } from './port.ts';
import { createSshRunner } from './ssh-runner.ts';

export interface SiteHosts {
  hosts: readonly HostConfig[];
  /** Every program the site declares, wherever it is declared (banks, subsystems). */
  programs: readonly ProgramConfig[];
}

export function createSiteHosts(
  site: SiteHosts,
  options: { env?: NodeJS.ProcessEnv; timing?: CommandHostTiming } = {},
): HostPort {
  const declared = new Map<string, HostConfig>(site.hosts.map((h) => [h.name, h]));
  if (!declared.has(localHostName))
    declared.set(localHostName, { name: localHostName, adapter: 'local', paths: [] });
  const opened = new Map<string, CommandHost>();

  function hostNamed(name: string): CommandHost {
    const existing = opened.get(name);
    if (existing) return existing;
    const config = declared.get(name);
    if (!config) throw new RangeError(`no host named ${name} in the site file`);
    const programs = site.programs.filter((p) => (p.host ?? localHostName) === name) as DeclaredProgram[];
    const runner = config.adapter === 'ssh' ? createSshRunner(config, options.env) : createLocalRunner();
    const host = createCommandHost(
      name,
      runner,
      hostAllowList(programs, config.paths),
      options.timing ?? defaultTiming,
    );
    opened.set(name, host);
    return host;
  }
  const hostOf = (program: ProgramConfig) => hostNamed(program.host ?? localHostName);

  return {
    programStatus: (program, opts) => hostOf(program).status(program as DeclaredProgram, opts?.logLines ?? 0),
    async controlPrograms(programs, action) {
      const ordered = startOrder(programs);
      const results = new Map<string, ProgramStatus>();
      if (action !== 'start')
        for (const p of [...ordered].reverse())
          results.set(p.name, await hostOf(p).control(p as DeclaredProgram, 'stop'));
      if (action !== 'stop')
        for (const p of ordered) results.set(p.name, await hostOf(p).control(p as DeclaredProgram, 'start'));
      return programs.map((p) => results.get(p.name) as ProgramStatus);
    },
    probeTcp,
    probeHealth,
    diskFree: (host, path) => hostNamed(host).diskFree(path),
    fileChecksums: (host, paths) => hostNamed(host).fileChecksums(paths),
    async close() {
      await Promise.all([...opened.values()].map((h) => h.close()));
      opened.clear();
    },
  };
}
