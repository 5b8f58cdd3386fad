/**
 * The sandbox's estate beyond the bank links: the application servers (real processes) and their
 * faults, behind the sandbox API's `/sandbox/estate/…` routes:
 *   GET    /sandbox/estate                          servers and active faults
 *   POST   /sandbox/estate/faults                   { fault, subsystem, … }
 *   DELETE /sandbox/estate/faults                   { fault?, subsystem? }
 *   POST   /sandbox/estate/subsystems/{id}/start    (what the site's start command calls)
 *   POST   /sandbox/estate/subsystems/{id}/stop
 *   POST   /sandbox/estate/scenarios/{name}         estate-trouble
 */
import type { Logger } from 'pino';
import type { SiteConfig } from '../../temporal.config.ts';
import type { SandboxClock } from '../clock.ts';
import { FaultInputError } from '../faults.ts';
import { createAppServers } from './app-servers.ts';
import { createEstateFaults, estateScenarios } from './estate-faults.ts';

export interface EstateAnswer {
  status: number;
  body: unknown;
}

export type SandboxEstate = Awaited<ReturnType<typeof startEstate>>;

export async function startEstate(options: {
  site: SiteConfig;
  dataDir: string;
  clock: SandboxClock;
  /** Start the application-server processes now (default true). */
  spawn?: boolean;
  log?: Logger;
}) {
  const apps = createAppServers(options.site, { dataDir: options.dataDir, log: options.log });
  const faults = createEstateFaults({ apps, clock: options.clock, log: options.log });
  if (options.spawn ?? true) await apps.startAll();
  const state = () => ({ servers: apps.ids().map((id) => apps.info(id)), faults: faults.active() });

  async function route(method: string, path: string, body: unknown): Promise<EstateAnswer> {
    const m = path.match(/^\/sandbox\/estate\/(subsystems|scenarios)\/([^/]+)(?:\/(start|stop))?$/);
    const route = `${method} ${path.replace(/\/$/, '')}`;
    if (route === 'GET /sandbox/estate') return { status: 200, body: state() };
    if (route === 'POST /sandbox/estate/faults') return { status: 201, body: await faults.inject(body) };
    if (route === 'DELETE /sandbox/estate/faults')
      return { status: 200, body: { cleared: await faults.clear(body) } };
    if (method === 'POST' && m?.[1] === 'subsystems' && m[3]) {
      const id = decodeURIComponent(m[2] ?? '');
      if (!apps.has(id)) throw new FaultInputError('subsystem', `unknown application server ${id}`);
      if (m[3] === 'start') return { status: 200, body: { pid: await apps.start(id) } };
      return { status: 200, body: { stopped: await apps.stop(id) } };
    }
    if (method === 'POST' && m?.[1] === 'scenarios' && !m[3]) {
      const name = decodeURIComponent(m[2] ?? '');
      if (!Object.hasOwn(estateScenarios, name))
        throw new FaultInputError('name', `unknown estate scenario ${name}`);
      return {
        status: 200,
        body: { scenario: name, injected: await faults.scenario(name as keyof typeof estateScenarios) },
      };
    }
    return { status: 404, body: { error: `no such sandbox resource: ${method} ${path}` } };
  }

  return { apps, faults, state, route, stop: () => apps.stopAll().then(() => undefined) };
}
