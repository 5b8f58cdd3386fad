/**
 * The committed site's subsystems made private to one test: every subsystem with a process (the
 * application servers, the exchange client) gets a free port, its pid and log files in the test's
 * folder, and a start command that reaches this test's sandbox (`SANDBOX_URL` until `withUrl`);
 * the platform and cloud URLs point at the sandbox too. Each subsystem keeps its id and kind.
 */
import { join } from 'node:path';
import { freePorts } from '../../scripts/lib/free-port.ts';
import { projectRoot, type SiteConfig } from '../../temporal.config.ts';
import { testHealthTimeoutMs } from '../support/site.ts';
import type { TestSite } from './helpers.ts';

const placeholder = 'http://SANDBOX_URL';

export async function withOwnSubsystems(ts: TestSite): Promise<SiteConfig> {
  const ports = await freePorts(ts.site.subsystems.length);
  const subsystems = ts.site.subsystems.map((s, i) => {
    const moved = {
      ...s,
      ...(s.exchange && {
        exchange: { ...s.exchange, platformUrl: `${placeholder}${new URL(s.exchange.platformUrl).pathname}` },
      }),
      ...(s.procurement && {
        procurement: {
          ...s.procurement,
          cloudUrl: `${placeholder}${new URL(s.procurement.cloudUrl).pathname}`,
        },
      }),
    };
    const port = ports[i] as number;
    const program = s.programs[0];
    if (!program || s.ports.length === 0) return moved;
    const path = s.kind === 'budget-exchange' ? '/status' : '/health';
    return {
      ...moved,
      ports: [{ ...s.ports[0], host: '127.0.0.1', port }],
      health: { url: `http://127.0.0.1:${port}${path}`, timeoutMs: testHealthTimeoutMs },
      programs: [
        {
          name: program.name,
          pidFile: join(ts.dir, 'run', `${s.id}.pid`),
          logFile: join(ts.dir, 'logs', `${s.id}.log`),
          start: {
            argv: [
              'node_modules/.bin/tsx',
              'sandbox/cli.ts',
              '--url',
              placeholder,
              'subsystem',
              'start',
              s.id,
            ],
            cwd: projectRoot,
          },
        },
      ],
    };
  });
  return { ...ts.site, subsystems };
}

/** The site with this sandbox's URL where `withOwnSubsystems` left the placeholder. */
export function withUrl(site: SiteConfig, url: string): SiteConfig {
  return JSON.parse(JSON.stringify(site).replaceAll(placeholder, url)) as SiteConfig;
}
