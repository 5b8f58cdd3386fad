/**
 * Starts the whole sandbox estate in this process: seeds the databases when absent, builds the
 * queue-manager model from the site file with every channel running, opens the banks' front-end
 * listeners, runs the banks and the channel agents on a tick, spawns one send/receive program
 * process per bank, and serves mqweb (`/ibmmq/`), the programs' MQI stand-in (`/sandbox/mqi/`) and
 * the sandbox API (`/sandbox/`) on one port.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { openSqlite } from '../connectors/treasury/database.ts';
import { createTreasurySchema } from '../connectors/treasury/migrations.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { secretFromEnv } from '../temporal.config.ts';
import { metricsRoute } from '../connectors/metrics/prometheus-endpoint.ts';
import type { Banks } from './bank/banks.ts';
import { createBankOnboarding, type OnboardedBank } from './bank/onboard.ts';
import { createBanks } from './bank/banks.ts';
import type { BankLedger } from './bank/ledger.ts';
import { openBankLedger } from './bank/ledger.ts';
import { ensureQuotaBooks } from './bank/quota-books.ts';
import { declareAssumedYears, localDate, localTime } from './calendar.ts';
import type { ClockState, SandboxClock } from './clock.ts';
import { createClock, writeClockFile } from './clock.ts';
import type { FaultController } from './faults.ts';
import { createFaults } from './faults.ts';
import { createSandboxApi } from './http-api.ts';
import { writeGeneratedDay } from './statements/generated-day.ts';
import { createStatementDesk, type StatementDesk } from './statements/statement-desk.ts';
import { createStatementFaults } from './statements/statement-faults.ts';
import { restoreInFlight } from './inflight.ts';
import type { MqEstate } from './mq/estate.ts';
import { createMqEstate } from './mq/estate.ts';
import { createMqiHandler } from './mq/mqi-routes.ts';
import { createMqwebHandler } from './mq/mqweb-routes.ts';
import type { ProgramSupervisor } from './programs/supervisor.ts';
import { createSupervisor } from './programs/supervisor.ts';
import type { SandboxEstate } from './estate/estate.ts';
import { startEstate } from './estate/estate.ts';
import { createSandboxMetrics } from './metrics.ts';
import type { ScenarioName, ScenarioResult } from './scenarios.ts';
import { runScenario } from './scenarios.ts';
import type { SeedOptions, SeedSummary } from './seed/seed-estate.ts';
import { seedEstate } from './seed/seed-estate.ts';

export interface StartSandboxOptions {
  site: SiteConfig;
  /** Where banks.db, the clock file and program logs live; default site.sandbox.dataDir. */
  dataDir?: string;
  /** Seed afresh even when the databases exist. */
  reseed?: boolean;
  /** Spawn the send/receive program processes (default true). */
  spawnPrograms?: boolean;
  /** Spawn the subsystems' processes: application servers, exchange client (default false). */
  spawnSubsystems?: boolean;
  /**
   * A production build holding the programs compiled (`npm run build`'s dist/, a test run's build):
   * they start from it with plain node, else from their sources through tsx (program-start.ts).
   */
  programsBuild?: string;
  /** How often the exchange client runs a cycle (default 1000 ms). */
  exchangeIntervalMs?: number;
  /** How often the payment system's jobs (procurement push, payroll, official card) run (default 1000 ms). */
  jobIntervalMs?: number;
  log?: Logger;
  /** HTTP port; default site.sandbox.port (0 picks a free one). */
  port?: number;
  /** Initial state of the business clock (default real time). */
  clock?: ClockState;
  /** Seeding parameters (business date, seed, volumes). */
  seed?: Pick<SeedOptions, 'date' | 'seed' | 'vouchersPerDay'>;
  tickMs?: number;
  programIntervalMs?: number;
  /** How long a bank waits between accepting a voucher and paying it. */
  payDelayMs?: number;
  /** How often the banks' statement desk reads finance's requests and replies. */
  statementPollMs?: number;
}

export interface SandboxHandle {
  url: string;
  port: number;
  site: SiteConfig;
  dataDir: string;
  treasuryPath: string;
  seeded?: SeedSummary;
  clock: SandboxClock;
  estate: MqEstate;
  banks: Banks;
  programs: ProgramSupervisor;
  faults: FaultController;
  /** The subsystems beyond the bank links (application servers, the exchange, their faults). */
  subsystems: SandboxEstate;
  /** The banks' statements: written at close, on request, and their faults. */
  statements: StatementDesk;
  /** The treasury database, for tests and state. */
  treasury: TreasuryDb;
  scenario(name: ScenarioName): Promise<ScenarioResult>;
  restartProgram(bank: string): Promise<number>;
  /** Brings a new agent bank online (its side only; see bank/onboard.ts), as POST /sandbox/banks. */
  addBank(input: unknown): Promise<OnboardedBank>;
  /** Runs one tick (channels, then banks) now. */
  tick(): void;
  stop(): Promise<void>;
}

export async function startSandbox(options: StartSandboxOptions): Promise<SandboxHandle> {
  const { log } = options;
  // The sandbox's own view of the estate: banks brought online at run time join it, not the caller's.
  const site: SiteConfig = { ...options.site, banks: [...options.site.banks] };
  const dataDir = options.dataDir ?? site.sandbox?.dataDir;
  if (!dataDir) throw new Error('the site file has no sandbox.dataDir and none was given');
  if (site.treasury.adapter !== 'sqlite' || !site.treasury.sqlite) {
    throw new Error('the sandbox needs treasury.adapter "sqlite" (it simulates the treasury database)');
  }
  const treasuryPath = site.treasury.sqlite.path;
  const ledgerPath = join(dataDir, 'banks.db');
  const clockFile = join(dataDir, 'clock.json');
  const timeZone = site.site.timezone;
  mkdirSync(dataDir, { recursive: true });
  if (site.calendar.dir) {
    const declared = declareAssumedYears(site.calendar.dir);
    if (declared.length > 0) log?.info({ declared }, "the sandbox's assumed years declared to the engine");
  }

  const clock = createClock(options.clock);
  writeClockFile(clockFile, clock.state());
  clock.onChange((state) => {
    writeClockFile(clockFile, state);
    log?.info({ clock: state }, 'sandbox clock changed');
  });

  let seeded: SeedSummary | undefined;
  if (options.reseed || !existsSync(treasuryPath) || !existsSync(ledgerPath)) {
    seeded = await seedEstate({ site, treasuryPath, ledgerPath, now: clock.now(), ...options.seed });
    log?.info(seeded, 'sandbox databases seeded');
  }

  const credentials = mqwebCredentials(site);
  // The estate's own writes (faults, restored messages) as its programs make theirs (see openSqlite).
  const treasury = await openSqlite(treasuryPath, { synchronous: 'NORMAL' });
  // Tables added to the schema since this file was seeded (all DDL is IF NOT EXISTS).
  await createTreasurySchema(treasury);
  const books = openBankLedger(ledgerPath);
  await ensureBooks(site, treasury, books);
  await ensureQuotaBooks(treasury, books, clock.now());

  const estate = createMqEstate({
    financeQmgr: site.mq.financeQmgr,
    banks: site.banks.map((b) => ({
      code: b.code,
      qmgr: b.qmgr,
      senderChannel: b.senderChannel,
      receiverChannel: b.receiverChannel,
      xmitq: b.xmitq,
      frontEnd: b.frontEnd,
    })),
    now: clock.now,
    timeZone,
    startChannels: true,
  });
  const restored = await restoreInFlight(site, treasury, books, estate);
  if (restored > 0) log?.info({ restored }, 'in-flight messages restored to the banks');
  const banks = createBanks(site, { mq: estate, books, now: clock.now, log, payDelayMs: options.payDelayMs });

  type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  // Handlers are mounted once the port is known (the programs need the URL to reach mqweb).
  const handlers: Handler[] = [
    createMqwebHandler(estate, credentials),
    createMqiHandler(estate, credentials),
  ];
  // Counted from the first request; served at /metrics once the faults can be read too (below).
  const metrics = createSandboxMetrics({
    snapshot: () => estate.snapshot(),
    bankItems: () =>
      site.banks.map((b) => ({ bank: b.code, byStatus: banks.ledger(b.code).countByStatus() })),
    faults: () => faults.active(),
  });
  const server = createServer((req, res) => {
    metrics.observe(req, res);
    void (async () => {
      try {
        for (const handle of handlers) if (await handle(req, res)) return;
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('not found');
      } catch (err) {
        log?.error({ err, url: req.url }, 'sandbox request failed');
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(String(err));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? site.sandbox?.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  await estate.listen();

  const programs = createSupervisor(site.banks, {
    mqwebUrl: url,
    user: credentials.user,
    password: credentials.password,
    treasuryDb: treasuryPath,
    clockFile,
    financeQmgr: site.mq.financeQmgr,
    logDir: join(dataDir, 'logs'),
    intervalMs: options.programIntervalMs,
    build: options.programsBuild,
    log,
  });
  const statementDesk = createStatementDesk({
    site,
    books,
    treasury,
    now: clock.now,
    exchangeDir: site.statements?.exchangeDir ?? join(dataDir, 'exchange'),
    log,
  });
  const statements = createStatementFaults({ desk: statementDesk, treasury, now: clock.now });
  const faults = createFaults({ site, estate, banks, treasury, programs, clock, statements, log });
  handlers.push(metricsRoute(metrics.registry));
  const scenario = (name: ScenarioName) =>
    runScenario(
      name,
      faults,
      site.banks.map((b) => b.code),
    );
  const restartProgram = (bank: string) => programs.restart(bank);
  const controlProgram = async (bank: string, action: 'start' | 'stop' | 'restart') => {
    if (action === 'stop') return programs.kill(bank);
    return action === 'start' ? programs.start(bank) : restartProgram(bank);
  };
  const subsystems = await startEstate({
    site,
    dataDir,
    clock,
    url,
    treasury,
    treasuryPath,
    clockFile,
    reseed: seeded !== undefined,
    spawn: options.spawnSubsystems ?? false,
    exchangeIntervalMs: options.exchangeIntervalMs,
    build: options.programsBuild,
    banks,
    jobIntervalMs: options.jobIntervalMs,
    log,
  }).catch(async (err: unknown) => {
    // Nothing of a failed start may keep the process alive.
    await closeServer();
    await estate.close();
    await treasury.destroy();
    books.close();
    throw err;
  });
  handlers.push(subsystems.serve);
  const onboarding = createBankOnboarding({ site, estate, banks, books, programs, dataDir, log });
  const addBank = (input: unknown) => onboarding.add(input);
  handlers.push(
    createSandboxApi({
      credentials,
      timeZone,
      clock,
      faults,
      scenario,
      controlProgram,
      addBank,
      closeDay: (bank, date) => banks.bank(bank).closeDay(date),
      statements: {
        write: (bank, date) => statementDesk.write(bank, date),
        generate: (bank, input) => writeGeneratedDay({ desk: statementDesk, treasuryPath }, bank, input),
        replies: (bank) => statementDesk.replies(bank),
      },
      extendHours: (bank, { date, ...hours }) => banks.bank(bank).extendHours(date, hours),
      health: () => ({
        status: 'ok',
        site: site.site.name,
        banks: site.banks.length,
        now: clock.now().toISOString(),
      }),
      state: () => describeState(),
      estate: (method, path, body) => subsystems.route(method, path, body),
    }),
  );

  const tick = () => {
    try {
      estate.tick();
      banks.step();
    } catch (err) {
      log?.error({ err }, 'sandbox tick failed');
    }
  };
  const timer = setInterval(tick, options.tickMs ?? 100);
  const statementTimer = setInterval(() => void statementDesk.step(), options.statementPollMs ?? 1000);

  async function describeState() {
    const now = clock.now();
    const snap = estate.snapshot();
    const qm = new Map(snap.qmgrs.map((q) => [q.name, q]));
    const fin = qm.get(site.mq.financeQmgr);
    return {
      clock: {
        now: now.toISOString(),
        businessDate: localDate(now, timeZone),
        localTime: localTime(now, timeZone),
        state: clock.state(),
      },
      faults: faults.active(),
      banks: site.banks.map((b) => {
        const bankQm = qm.get(b.qmgr);
        return {
          code: b.code,
          sender: fin?.channels.find((c) => c.name === b.senderChannel && c.chltype === 'SDR')?.status,
          receiver: fin?.channels.find((c) => c.name === b.receiverChannel && c.chltype === 'RCVR')?.status,
          xmitqDepth: fin?.queues.find((q) => q.name === b.xmitq)?.depth,
          deadLetters: bankQm?.queues.find((q) => q.name === bankQm.deadq)?.depth,
          networkDown: snap.networkDown.includes(b.code),
          program: programs.info(b.code) ?? null,
          ledger: banks.ledger(b.code).countByStatus(),
        };
      }),
    };
  }

  if (options.spawnPrograms ?? true) {
    try {
      await Promise.all(programs.banks().map((b) => programs.start(b)));
    } catch (err) {
      clearInterval(timer);
      clearInterval(statementTimer);
      await programs.stopAll(2000);
      await subsystems.stop();
      await closeServer();
      await estate.close();
      await treasury.destroy();
      books.close();
      throw err;
    }
  }

  function closeServer() {
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  log?.info({ url, banks: site.banks.length, programs: programs.banks().length }, 'sandbox ready');
  let stopped = false;
  return {
    url,
    port,
    site,
    dataDir,
    treasuryPath,
    seeded,
    clock,
    estate,
    banks,
    programs,
    faults,
    subsystems,
    statements: statementDesk,
    treasury,
    scenario,
    restartProgram,
    addBank,
    tick,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      clearInterval(statementTimer);
      await programs.stopAll(5000);
      await subsystems.stop();
      await closeServer();
      await estate.close();
      await treasury.destroy();
      books.close();
      log?.info('sandbox stopped');
    },
  };
}

function mqwebCredentials(site: SiteConfig): { user: string; password: string } {
  const userEnv = site.mq.mqweb?.userEnv ?? 'JINCAI_MQWEB_USER';
  const passwordEnv = site.mq.mqweb?.passwordEnv ?? 'JINCAI_MQWEB_PASSWORD';
  return { user: secretFromEnv(userEnv), password: secretFromEnv(passwordEnv) };
}

/** Books for banks added to the site after seeding start from what finance has recorded. */
async function ensureBooks(site: SiteConfig, treasury: TreasuryDb, books: BankLedger): Promise<void> {
  for (const b of site.banks) {
    if (books.state(b.code)) continue;
    const serials = await treasury
      .selectFrom('message_serials')
      .selectAll()
      .where('bank_code', '=', b.code)
      .execute();
    const versions = await treasury
      .selectFrom('base_data_versions')
      .selectAll()
      .where('bank_code', '=', b.code)
      .execute();
    const acked = (kind: string) => versions.find((v) => v.kind === kind)?.version_acked ?? 1;
    books.putState({
      bank_code: b.code,
      last_serial_in: serials.find((s) => s.direction === 'out')?.last_serial ?? 0,
      last_serial_out: serials.find((s) => s.direction === 'in')?.last_serial ?? 0,
      bd_budget_unit: acked('budget_unit'),
      bd_payee_account: acked('payee_account'),
      bd_subject: acked('subject'),
    });
  }
}
