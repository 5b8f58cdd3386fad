/**
 * Subsystem activities (comm zone): what the site declares of each subsystem, and what can be
 * seen of it from the comm server — its programs, its ports by TCP, its health URL's answer. The
 * exchange client's status is read twice a few cycles apart, so a client that answers but no
 * longer works is told from one that works.
 */
import type { HostPort } from '../connectors/host/port.ts';
import type { ExchangeClientStatus } from '../domain/exchange-protocol.ts';
import type { SubsystemExpected, SubsystemLook } from '../domain/runbooks/subsystem-health.types.ts';
import type { SiteConfig, SubsystemConfig } from '../temporal.config.ts';
import { liveSubsystems } from './subsystem-placement.ts';

/** How long the exchange client is given to finish another cycle: three of its cycles, at least two seconds. */
const movingWaitMs = (status: ExchangeClientStatus) => Math.max(2000, status.intervalMs * 3);

export function createSubsystemActivities({ host, site }: { host: HostPort; site: SiteConfig }) {
  // As in service now: a subsystem a migration switched is looked at on its new side.
  const chosen = (ids: readonly string[] | undefined) =>
    ids ? liveSubsystems(site).filter((s) => ids.includes(s.id)) : liveSubsystems(site);

  async function health(s: SubsystemConfig): Promise<SubsystemLook['health']> {
    if (!s.health) return undefined;
    const probe = await host.probeHealth(s.health.url, s.health.timeoutMs);
    return {
      url: s.health.url,
      ok: probe.ok,
      ...(probe.status !== undefined && { status: probe.status }),
      ...(probe.body !== undefined && { body: probe.body }),
      ...(probe.error !== undefined && { error: probe.error }),
    };
  }

  /** Whether the exchange client's cycle count moves while it is watched. */
  async function moving(s: SubsystemConfig, first: SubsystemLook['health']): Promise<boolean | undefined> {
    const before = first?.ok ? (first.body as ExchangeClientStatus) : undefined;
    if (s.kind !== 'budget-exchange' || typeof before?.cycles !== 'number') return undefined;
    await new Promise((r) => setTimeout(r, movingWaitMs(before)));
    const after = await health(s);
    return after?.ok === true && (after.body as ExchangeClientStatus).cycles > before.cycles;
  }

  return {
    /** What the site says each subsystem should be; ids the site does not declare, as input problems. */
    async describeSubsystems({ ids }: { ids?: string[] }): Promise<{
      inputProblems: string[];
      expected: SubsystemExpected[];
    }> {
      const declared = site.subsystems.map((s) => s.id);
      const inputProblems = (ids ?? []).flatMap((id, i) =>
        declared.includes(id)
          ? []
          : [`input.subsystems[${i}]: no subsystem ${id} in the site file; declared: ${declared.join(', ')}`],
      );
      return {
        inputProblems,
        expected: chosen(ids).map((s) => ({
          id: s.id,
          kind: s.kind,
          name: s.name,
          ...(s.version !== undefined && { version: s.version }),
          ...(s.database?.schemaVersion !== undefined && { schemaVersion: s.database.schemaVersion }),
          upgradable: s.install !== undefined,
          ...(s.exchange && { certificateWarnDays: s.exchange.certificateWarnDays }),
        })),
      };
    },

    /** Each subsystem's programs, ports and health URL now. */
    async lookAtSubsystems({ ids }: { ids?: string[] }): Promise<SubsystemLook[]> {
      return Promise.all(
        chosen(ids).map(async (s) => {
          const [programs, ports, first] = await Promise.all([
            Promise.all(s.programs.map((p) => host.programStatus(p))),
            Promise.all(s.ports.map((p) => host.probeTcp(p.host, p.port, site.thresholds.tcpTimeoutMs))),
            health(s),
          ]);
          const moved = await moving(s, first);
          return {
            id: s.id,
            programs: programs.map((p) => ({ name: p.name, running: p.running, detail: p.detail })),
            ports: ports.map((p) => ({
              host: p.host,
              port: p.port,
              reachable: p.reachable,
              ...(p.error !== undefined && { error: p.error }),
            })),
            ...(first && { health: first }),
            ...(moved !== undefined && { moving: moved }),
          };
        }),
      );
    },
  };
}
