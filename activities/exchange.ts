/**
 * Exchange client activities (comm zone): the site's budget-exchange subsystem and its client
 * program, and the client as the comm server sees it — the program with its last log lines, its
 * admin endpoint's status (ExchangeClientStatus) and whether its cycle count moves while watched.
 * Restarting it is program restart's activity (activities/programs.ts), on the same proof.
 */
import type { HostPort } from '../connectors/host/port.ts';
import { localHostName } from '../domain/host-config.ts';
import type { ExchangeClientStatus } from '../domain/exchange-protocol.ts';
import type { ExchangeDiagnosis, ExchangeTarget } from '../domain/runbooks/exchange-recovery.types.ts';
import { subsystemOfKind, type SubsystemOfKind } from '../domain/subsystem-config.ts';
import type { SiteConfig, SubsystemConfig } from '../temporal.config.ts';

type Exchange = SubsystemOfKind<'budget-exchange'>;

/** How long the client is given to finish another cycle: three of its cycles, at least two seconds. */
const movingWaitMs = (status: ExchangeClientStatus) => Math.max(2000, status.intervalMs * 3);

export function createExchangeActivities({ host, site }: { host: HostPort; site: SiteConfig }) {
  function exchange(id: string): Exchange {
    const found = subsystemOfKind(site.subsystems, 'budget-exchange', id);
    if (typeof found === 'string') throw new RangeError(found);
    return found;
  }

  async function status(s: Exchange): Promise<{ status?: ExchangeClientStatus; statusError?: string }> {
    if (!s.health) return { statusError: 'the subsystem declares no health URL (the client’s /status)' };
    const probe = await host.probeHealth(s.health.url, s.health.timeoutMs);
    return probe.ok
      ? { status: probe.body as ExchangeClientStatus }
      : { statusError: `${s.health.url}: ${probe.status ?? probe.error}` };
  }

  return {
    /** The exchange subsystem the input names; what it names that the site does not, as input problems. */
    async describeExchange({ subsystem }: { subsystem?: string }): Promise<{
      inputProblems: string[];
      target?: ExchangeTarget;
    }> {
      const s = subsystemOfKind(site.subsystems, 'budget-exchange', subsystem);
      if (typeof s === 'string') return { inputProblems: [s] };
      const program = s.programs[0];
      if (!program) return { inputProblems: [`input.subsystem: ${s.id} declares no client program`] };
      return {
        inputProblems: [],
        target: {
          subsystem: s.id,
          name: s.name,
          division: s.exchange.division,
          voucherTypes: s.exchange.voucherTypes,
          program: program.name,
          host: program.host ?? localHostName,
          certificateWarnDays: s.exchange.certificateWarnDays,
        },
      };
    },

    /** The client program with its last log lines, its status, and whether it moves while watched. */
    async lookAtExchangeClient({
      subsystem,
      logLines,
    }: {
      subsystem: string;
      logLines: number;
    }): Promise<Omit<ExchangeDiagnosis, 'failed' | 'moreFailed'>> {
      const s = exchange(subsystem);
      const p = await host.programStatus(s.programs[0] as SubsystemConfig['programs'][number], { logLines });
      const program = {
        name: p.name,
        host: p.host ?? localHostName,
        running: p.running,
        ...(p.pid !== undefined && { pid: p.pid }),
        detail: p.detail,
        logTail: p.logTail ?? [],
      };
      const first = await status(s);
      const before = first.status;
      if (!before) return { program, ...first };
      await new Promise((r) => setTimeout(r, movingWaitMs(before)));
      const second = await status(s);
      const moving = (second.status?.cycles ?? -1) > before.cycles;
      return { program, status: second.status ?? before, moving };
    },
  };
}
