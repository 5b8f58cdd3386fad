/**
 * Program activities (comm zone): the declared programs of a bank (its send/receive programs) or
 * of a subsystem, looked at with their last log lines, and — on an approval proof naming each stop
 * and start (domain/runbooks/program-restart.plan.ts) — stopped and started again in their order.
 * Starting and stopping are idempotent: a program already in the state asked for is left be.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { HostPort, ProgramStatus } from '../connectors/host/port.ts';
import { ErrorKind } from '../domain/errors.ts';
import { localHostName, startOrder } from '../domain/host-config.ts';
import { restartActions } from '../domain/runbooks/program-restart.plan.ts';
import type {
  ProgramLook,
  ProgramTarget,
  ProgramTargetDescription,
} from '../domain/runbooks/program-restart.types.ts';
import type { ProgramConfig, SiteConfig } from '../temporal.config.ts';
import { heartbeating } from './heartbeats.ts';
import { requiresProof } from './proof-actions.ts';
import { liveBanks } from './site-lookup.ts';
import { liveSubsystems } from './subsystem-placement.ts';

/** A target as the input names it: a bank or a subsystem. */
export interface TargetRef {
  bank?: string | undefined;
  subsystem?: string | undefined;
}

interface Declared {
  target: ProgramTarget;
  configs: ProgramConfig[];
}

export function createProgramActivities({ host, site }: { host: HostPort; site: SiteConfig }) {
  function declared(ref: TargetRef): Declared | { problem: string } {
    if (ref.bank !== undefined) {
      const banks = liveBanks(site);
      const bank = banks.find((b) => b.code === ref.bank);
      if (!bank)
        return {
          problem: `input.bank: unknown bank code "${ref.bank}"; expected one of ${banks.map((b) => b.code).join(', ')}`,
        };
      return described({ kind: 'bank', id: bank.code, name: bank.name }, bank.programs);
    }
    const s = liveSubsystems(site).find((x) => x.id === ref.subsystem);
    if (!s)
      return {
        problem: `input.subsystem: no subsystem ${ref.subsystem} in the site file; declared: ${site.subsystems.map((x) => x.id).join(', ')}`,
      };
    return described({ kind: 'subsystem', id: s.id, name: s.name }, s.programs, s.health?.url);
  }

  function known(ref: TargetRef): Declared {
    const found = declared(ref);
    if ('problem' in found)
      throw ApplicationFailure.create({
        type: ErrorKind.InvalidInput,
        nonRetryable: true,
        message: found.problem,
      });
    return found;
  }

  const configsNamed = (d: Declared, names: readonly string[]) =>
    names.map((n) => {
      const config = d.configs.find((c) => c.name === n);
      if (!config)
        throw ApplicationFailure.create({
          type: ErrorKind.InvalidInput,
          nonRetryable: true,
          message: `no program ${n} declared for ${d.target.id}`,
        });
      return config;
    });

  return {
    /** The bank's or subsystem's declared programs in start order; what the input names that the site does not, as input problems. */
    async describeProgramTarget(ref: TargetRef & { program?: string }): Promise<ProgramTargetDescription> {
      const found = declared(ref);
      if ('problem' in found) return { inputProblems: [found.problem] };
      const names = found.target.programs.map((p) => p.name);
      const problems = [
        ...(names.length === 0
          ? [`input.${found.target.kind}: ${found.target.id} declares no programs in the site file`]
          : []),
        ...(ref.program !== undefined && !names.includes(ref.program)
          ? [
              `input.program: ${found.target.id} has no program named ${ref.program}; declared: ${names.join(', ')}`,
            ]
          : []),
      ];
      return problems.length > 0 ? { inputProblems: problems } : { inputProblems: [], target: found.target };
    },

    /** Each program now, with its last `logLines` log lines. */
    async lookAtPrograms(ref: TargetRef & { logLines: number }): Promise<ProgramLook[]> {
      const d = known(ref);
      return Promise.all(
        d.configs.map(async (c) => look(await host.programStatus(c, { logLines: ref.logLines }))),
      );
    },

    /** Stops `stop`, then starts `start`, each list in its order; every program's state afterwards. */
    restartPrograms: requiresProof(
      (input: TargetRef & { stop: string[]; start: string[] }) => restartActions(known(input).target, input),
      async (input): Promise<ProgramLook[]> => {
        const d = known(input);
        const stopped = await heartbeating(() => host.controlPrograms(configsNamed(d, input.stop), 'stop'));
        const started = await heartbeating(() => host.controlPrograms(configsNamed(d, input.start), 'start'));
        const down = started.filter((p) => !p.running);
        if (down.length > 0)
          throw new Error(
            `not running after the start: ${down.map((p) => `${p.name} (${p.detail})`).join('; ')}`,
          );
        return [...stopped, ...started].map(look);
      },
    ),

    /** A subsystem's health URL: 2xx within its timeout. */
    async probeSubsystemHealth({ subsystem }: { subsystem: string }) {
      const s = liveSubsystems(site).find((x) => x.id === subsystem);
      if (!s?.health) return undefined;
      const probe = await host.probeHealth(s.health.url, s.health.timeoutMs);
      return {
        url: s.health.url,
        ok: probe.ok,
        detail: probe.ok
          ? `${s.health.url} 返回 ${probe.status}`
          : `${s.health.url}：${probe.status ?? probe.error}`,
      };
    },
  };
}

function described(
  target: Omit<ProgramTarget, 'programs'>,
  programs: readonly ProgramConfig[],
  healthUrl?: string,
): Declared {
  const configs = startOrder(programs);
  return {
    configs,
    target: {
      ...target,
      programs: configs.map((c) => ({
        name: c.name,
        host: c.host ?? localHostName,
        after: c.after ?? [],
        startable: 'systemdUnit' in c || c.start !== undefined,
      })),
      ...(healthUrl !== undefined && { healthUrl }),
    },
  };
}

const look = (s: ProgramStatus): ProgramLook => ({
  name: s.name,
  host: s.host ?? localHostName,
  running: s.running,
  ...(s.pid !== undefined && { pid: s.pid }),
  detail: s.detail,
  logTail: s.logTail ?? [],
});
