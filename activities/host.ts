/**
 * Host activities (comm zone): send/receive programs alive, bank front ends reachable by TCP.
 */
import type { HostPort } from '../connectors/host/port.ts';
import type { FrontEndCheck, ProgramsCheck } from '../domain/runbooks/daily-inspection.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { requireBank } from './site-lookup.ts';

export function createHostActivities({ host, site }: { host: HostPort; site: SiteConfig }) {
  return {
    async checkPrograms({ bank }: { bank: string }): Promise<ProgramsCheck> {
      const { programs } = requireBank(site, bank);
      return { programs: await Promise.all(programs.map((p) => host.programStatus(p))) };
    },

    async probeFrontEnd({ bank }: { bank: string }): Promise<FrontEndCheck> {
      return probeFrontEnd(host, site, requireBank(site, bank).frontEnd);
    },
  };
}

/** A bank's front end (configured, or a new bank's) reached over TCP, as the inspection's front-end check. */
export async function probeFrontEnd(
  host: HostPort,
  site: SiteConfig,
  frontEnd: { host: string; port: number },
): Promise<FrontEndCheck> {
  const probe = await host.probeTcp(frontEnd.host, frontEnd.port, site.thresholds.tcpTimeoutMs);
  return {
    method: 'tcp',
    reachable: probe.reachable,
    detail: probe.reachable
      ? `${frontEnd.host}:${frontEnd.port} 连接成功（${probe.latencyMs} ms）`
      : `${frontEnd.host}:${frontEnd.port} 连接失败（${probe.error}）`,
  };
}
