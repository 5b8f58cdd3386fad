/**
 * One estate sandbox per test file: the committed site with its subsystems made private to the
 * test (estate-site.ts), a sandbox that spawns their processes, the production host port that
 * reaches them, and the sandbox API called as an engineer's tools call it (JSON, basic auth).
 */
import { createSiteHosts } from '../../connectors/host/site-hosts.ts';
import type { HostPort } from '../../connectors/host/port.ts';
import { startSandbox, type SandboxHandle } from '../../sandbox/server.ts';
import { declaredPrograms, type SiteConfig } from '../../temporal.config.ts';
import { withOwnSubsystems, withUrl } from './estate-site.ts';
import { authHeader, businessMorning, credentials, testSite, type TestSite } from './helpers.ts';
import { patienceMs } from '../support/patience.ts';
import { testBuild } from '../support/test-build.ts';

export interface EstateSandbox {
  ts: TestSite;
  sandbox: SandboxHandle;
  /** The site as the engine sees it, its start commands reaching this sandbox. */
  site: SiteConfig;
  hosts: HostPort;
  stop(): Promise<void>;
}

export async function startEstateSandbox(options: {
  /** The subsystems this file needs (default: all the site declares). */
  keep?: (subsystem: SiteConfig['subsystems'][number]) => boolean;
  exchangeIntervalMs?: number;
}): Promise<EstateSandbox> {
  process.env.JINCAI_MQWEB_USER = credentials.user;
  process.env.JINCAI_MQWEB_PASSWORD = credentials.password;
  const ts = await testSite({ programs: false });
  try {
    const draft = await withOwnSubsystems(ts);
    const { keep } = options;
    const sandbox = await startSandbox({
      site: keep ? { ...draft, subsystems: draft.subsystems.filter(keep) } : draft,
      port: 0,
      reseed: true,
      clock: businessMorning(),
      spawnPrograms: false,
      spawnSubsystems: true,
      programsBuild: testBuild(),
      ...(options.exchangeIntervalMs !== undefined && { exchangeIntervalMs: options.exchangeIntervalMs }),
    });
    // The start commands reach this sandbox, as a site's start script reaches its own.
    const site = withUrl(draft, sandbox.url);
    const hosts = createSiteHosts(
      { hosts: site.hosts, programs: declaredPrograms(site) },
      // A start command is a process start, which a loaded machine can stretch to minutes.
      { timing: { commandTimeoutMs: patienceMs, settleTimeoutMs: patienceMs, pollMs: 100 } },
    );
    return {
      ts,
      sandbox,
      site,
      hosts,
      async stop() {
        await hosts.close();
        await sandbox.stop();
        ts.cleanup();
      },
    };
  } catch (err) {
    ts.cleanup();
    throw err;
  }
}

/** Calls the sandbox API at `url()` (read at each call, once the sandbox is up). */
export function sandboxApi(url: () => string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url()}${path}`, {
      method,
      headers: { authorization: authHeader(), 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
}
