/**
 * The sandbox's estate beyond the bank links: the application servers and the exchange client
 * (real processes), the applications installed on the simulated hosts and the province's release
 * repository (../releases/), the province's exchange platform and the procurement cloud (served at the paths
 * of the site's `exchange.platformUrl` and `procurement.cloudUrl`), the payment system's own jobs
 * (procurement confirmation push, payroll, official-card repayments: payment-jobs.ts), and their
 * faults, behind the sandbox API's `/sandbox/estate/…` routes:
 *   GET    /sandbox/estate                          servers, the exchange, active faults
 *   POST   /sandbox/estate/faults                   { fault, subsystem?, …options }
 *   DELETE /sandbox/estate/faults                   { fault?, subsystem? }
 *   POST   /sandbox/estate/subsystems/{id}/start    (what the site's start command calls)
 *   POST   /sandbox/estate/subsystems/{id}/stop
 *   POST   /sandbox/estate/scenarios/{name}         estate-trouble | month-end
 *   POST   /sandbox/estate/exchange/vouchers        { voucherType?, count?, date? }: the province issues vouchers
 *   GET    /sandbox/estate/exchange/items/{year}/{type}/{no}   what the platform holds and how often it was offered
 *   POST   /sandbox/estate/payroll/batches          { lines?, month? }: the payroll office submits a batch
 *   POST   /sandbox/estate/official-card/repayments { bank?, count?, date? }: the day's card repayments
 *   POST   /sandbox/estate/procurement/payments     { contractNo?, count?, bank? }: payments against a contract
 */
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import {
  exchangeVoucherTypes,
  itemKeySchema,
  type ExchangeVoucherType,
} from '../../domain/exchange-protocol.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import type { Banks } from '../bank/banks.ts';
import { localDate } from '../calendar.ts';
import type { SandboxClock } from '../clock.ts';
import { FaultInputError, parseFaultInput } from '../faults.ts';
import { appServerFaults } from './app-server-faults.ts';
import { createAppServers } from './app-servers.ts';
import { migrationFaults } from './migration-faults.ts';
import { createEstateFaults, estateScenarios } from './estate-faults.ts';
import { exchangeFaults } from './exchange-faults.ts';
import { createExchangeRunner, exchangeSubsystem } from './exchange-runner.ts';
import { provinceCa, type ProvinceCa } from './province-ca.ts';
import { issueDownVouchers } from './province-issue.ts';
import { startPaymentJobs } from './payment-jobs.ts';
import { paymentSystemFaults } from './payment-system-faults.ts';
import { openProvincePlatform } from './province-platform.ts';
import { createPlatformHandler } from './province-routes.ts';
import { ensureInstallations } from '../releases/installations.ts';
import { releaseFaults } from '../releases/release-faults.ts';
import { createReleaseRepository } from '../releases/release-repository.ts';

export interface EstateAnswer {
  status: number;
  body: unknown;
}

const issueSchema = z
  .object({
    voucherType: z.enum(Object.keys(exchangeVoucherTypes) as [ExchangeVoucherType]).optional(),
    count: z.number().int().min(1).max(2000).optional(),
    date: z.iso.date().optional(),
  })
  .strict();

export type SandboxEstate = Awaited<ReturnType<typeof startEstate>>;

export async function startEstate(options: {
  site: SiteConfig;
  dataDir: string;
  clock: SandboxClock;
  /** The sandbox's own URL: the platform is served there, at the path of the site's platformUrl. */
  url: string;
  treasury: TreasuryDb;
  treasuryPath: string;
  /** The clock file the sandbox's programs follow. */
  clockFile: string;
  /** The treasury was seeded afresh: start the province's side afresh too. */
  reseed?: boolean;
  /** Start the application-server and exchange-client processes now (default true). */
  spawn?: boolean;
  /** How often the exchange client runs a cycle (default 1000 ms). */
  exchangeIntervalMs?: number;
  /** The agent banks (official-card faults act on their answers). */
  banks: Banks;
  /** How often the payment system's jobs run (default 1000 ms). */
  jobIntervalMs?: number;
  /** A build holding the programs compiled (../program-start.ts). */
  build?: string;
  log?: Logger;
}) {
  const { site, dataDir, clock, treasury } = options;
  const timeZone = site.site.timezone;
  const today = () => localDate(clock.now(), timeZone);
  const apps = createAppServers(site, {
    dataDir,
    treasuryPath: options.treasuryPath,
    build: options.build,
    log: options.log,
  });
  const provinceDir = join(dataDir, 'estate', 'province');
  let ca: Promise<ProvinceCa> | undefined;
  const caOnce = () => (ca ??= provinceCa(provinceDir, clock.now()));

  const exchange = exchangeSubsystem(site);
  const platformPath = exchange
    ? new URL(exchange.exchange.platformUrl).pathname.replace(/\/$/, '')
    : undefined;
  if (options.reseed) rmSync(join(provinceDir, 'province.db'), { force: true });
  const platform = openProvincePlatform(join(provinceDir, 'province.db'), clock.now);
  let uplinkBusy = false;
  const platformHandler = platformPath
    ? createPlatformHandler({
        basePath: platformPath,
        platform,
        caCertPem: async () => (await caOnce()).certPem,
        now: clock.now,
        uplinkBusy: () => uplinkBusy,
        log: options.log,
      })
    : undefined;
  const runner = createExchangeRunner(site, {
    dataDir,
    ca: caOnce,
    platformUrl: `${options.url}${platformPath ?? ''}`,
    treasuryPath: options.treasuryPath,
    clockFile: options.clockFile,
    now: clock.now,
    intervalMs: options.exchangeIntervalMs,
    build: options.build,
    log: options.log,
  });

  const releases = site.releases && createReleaseRepository({ dir: site.releases.dir, dataDir, today });
  await ensureInstallations({ site, treasury, releases, reseed: options.reseed ?? false, now: clock.now });
  const jobs = await startPaymentJobs({ ...options, today });
  const faults = createEstateFaults({
    kinds: {
      ...appServerFaults(apps),
      ...migrationFaults(site),
      ...(releases && releaseFaults({ site, releases, banks: options.banks })),
      ...paymentSystemFaults({ ...jobs.simulated, banks: options.banks }),
      ...exchangeFaults({
        runner,
        platform,
        treasury,
        setUplinkBusy: (busy) => (uplinkBusy = busy),
        today,
      }),
    },
    clock,
    log: options.log,
  });
  if (options.spawn ?? true) {
    const started = await Promise.allSettled([apps.startAll(), runner?.start()]);
    const failed = started.find((s) => s.status === 'rejected');
    // A process that did not start: what did is stopped, so nothing outlives the failed start.
    if (failed) {
      await stop();
      throw failed.reason;
    }
  }
  const state = async () => ({
    servers: apps.ids().map((id) => apps.info(id)),
    ...(runner && {
      exchange: {
        client: runner.info(),
        platform: { url: platformPath, uplinkBusy, ...platform.summary(runner.division) },
      },
    }),
    ...(await jobs.state()),
    faults: faults.active(),
  });

  async function subsystemAction(id: string, action: 'start' | 'stop'): Promise<EstateAnswer> {
    if (runner?.subsystem.id === id) {
      if (action === 'start') return { status: 200, body: { pid: await runner.start() } };
      return { status: 200, body: { stopped: await runner.stop() } };
    }
    if (!apps.has(id)) throw new FaultInputError('subsystem', `unknown subsystem process ${id}`);
    if (action === 'start') return { status: 200, body: { pid: await apps.start(id) } };
    return { status: 200, body: { stopped: await apps.stop(id) } };
  }

  async function issue(body: unknown): Promise<EstateAnswer> {
    if (!runner) throw new FaultInputError('subsystem', 'this site has no budget-exchange subsystem');
    const req = parseFaultInput(issueSchema, body);
    const vouchers = await issueDownVouchers(treasury, platform, {
      division: runner.division,
      voucherType: req.voucherType ?? (runner.voucherTypes[0] as ExchangeVoucherType),
      count: req.count ?? 10,
      date: req.date ?? today(),
    });
    return { status: 201, body: { issued: vouchers.map((v) => v.voucherNo) } };
  }

  function item(m: RegExpMatchArray): EstateAnswer {
    if (!runner) throw new FaultInputError('subsystem', 'this site has no budget-exchange subsystem');
    const key = parseFaultInput(itemKeySchema, {
      fiscalYear: Number(m[1]),
      voucherType: m[2],
      voucherNo: m[3],
    });
    return {
      status: 200,
      body: {
        ...platform.counts(runner.division, key),
        voucher: platform.status(runner.division, key) ?? null,
        payment: platform.payment(runner.division, key) ?? null,
      },
    };
  }

  async function route(method: string, path: string, body: unknown): Promise<EstateAnswer> {
    const m = path.match(/^\/sandbox\/estate\/(subsystems|scenarios)\/([^/]+)(?:\/(start|stop))?$/);
    const route = `${method} ${path.replace(/\/$/, '')}`;
    let k: RegExpMatchArray | null;
    if (route === 'GET /sandbox/estate') return { status: 200, body: await state() };
    if (route === 'POST /sandbox/estate/faults') return { status: 201, body: await faults.inject(body) };
    if (route === 'DELETE /sandbox/estate/faults')
      return { status: 200, body: { cleared: await faults.clear(body) } };
    if (route === 'POST /sandbox/estate/exchange/vouchers') return issue(body);
    const work = await jobs.route(route, body);
    if (work) return work;
    if (
      method === 'GET' &&
      (k = path.match(/^\/sandbox\/estate\/exchange\/items\/(\d{4})\/(\d{4})\/([A-Za-z0-9]+)$/))
    )
      return item(k);
    if (method === 'POST' && m?.[1] === 'subsystems' && m[3])
      return subsystemAction(decodeURIComponent(m[2] ?? ''), m[3] as 'start' | 'stop');
    if (method === 'POST' && m?.[1] === 'scenarios' && !m[3]) {
      const name = decodeURIComponent(m[2] ?? '');
      if (!Object.hasOwn(estateScenarios, name))
        throw new FaultInputError('name', `unknown estate scenario ${name}`);
      return { status: 200, body: { scenario: name, injected: await faults.scenario(name) } };
    }
    return { status: 404, body: { error: `no such sandbox resource: ${method} ${path}` } };
  }

  /** The estate's own services on the sandbox's port (the province's platform, the cloud), outside /sandbox/. */
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> =>
    (platformHandler ? await platformHandler(req, res) : false) || jobs.serve(req, res);

  return {
    apps,
    exchange: runner && { runner, platform, division: runner.division },
    faults,
    state,
    route,
    serve,
    payments: jobs.simulated,
    stop,
  };

  async function stop(): Promise<void> {
    await jobs.stop();
    await Promise.all([apps.stopAll(), runner?.stop()]);
    platform.close();
  }
}
