/**
 * Runs the site's budget-exchange subsystem as the exchange client process (exchange-client.ts):
 * its key and the certificate the province's CA issued it, its heartbeat and fault files under
 * `<dataDir>/estate/<id>/`, its pid and log files where the site declares them, its admin endpoint
 * on the subsystem's first port. The faults act as they would on a real machine: the process
 * killed, blocked, its key replaced by one that does not match its certificate, or its
 * certificate reissued to expire soon.
 */
import type { ChildProcess } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { SubsystemConfig } from '../../domain/subsystem-config.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { exchangeEnv } from './exchange-env.ts';
import { isAlive, spawnProgram, stopChild } from './processes.ts';
import { issueClientCertificate, newKeyPair, type ProvinceCa } from './province-ca.ts';

const programFile = join(dirname(fileURLToPath(import.meta.url)), 'exchange-client.ts');
const DAY = 86_400_000;

export type ExchangeRunner = NonNullable<ReturnType<typeof createExchangeRunner>>;

/** The site's exchange subsystem with a pid-file program and a port, or undefined. */
export function exchangeSubsystem(site: SiteConfig) {
  const subsystem = site.subsystems.find((s) => s.kind === 'budget-exchange' && s.exchange);
  const program = subsystem?.programs.find((p) => 'pidFile' in p);
  const port = subsystem?.ports.find((p) => p.name === 'status')?.port ?? subsystem?.ports[0]?.port;
  if (!subsystem?.exchange || !program || !('pidFile' in program) || !port) return undefined;
  return { subsystem, exchange: subsystem.exchange, program, port };
}

export function createExchangeRunner(
  site: SiteConfig,
  options: {
    dataDir: string;
    /** The province's CA (made on first use). */
    ca: () => Promise<ProvinceCa>;
    /** The platform as this sandbox serves it (the site's platformUrl path on the sandbox's port). */
    platformUrl: string;
    treasuryPath: string;
    clockFile: string;
    now: () => Date;
    intervalMs?: number;
    build?: string;
    log?: Logger;
  },
) {
  const found = exchangeSubsystem(site);
  if (!found) return undefined;
  const { subsystem, exchange, program, port } = found;
  const dir = join(options.dataDir, 'estate', subsystem.id);
  const files = {
    key: join(dir, 'client.key'),
    cert: join(dir, 'client.crt'),
    ca: join(dir, 'province-ca.crt'),
    heartbeat: join(dir, 'heartbeat.json'),
    fault: join(dir, 'faults.json'),
    pid: program.pidFile,
    log: program.logFile ?? join(options.dataDir, 'logs', `${subsystem.id}.log`),
  };
  let child: ChildProcess | undefined;

  async function issue(validDays: number, keys?: { publicKeyPem: string; privateKeyPem: string }) {
    const pair = keys ?? (await newKeyPair());
    const now = options.now().getTime();
    const certPem = issueClientCertificate(
      await options.ca(),
      { division: exchange.division, name: site.site.name, publicKeyPem: pair.publicKeyPem },
      { notBefore: new Date(now - DAY), notAfter: new Date(now + validDays * DAY) },
    );
    mkdirSync(dir, { recursive: true });
    writeFileSync(files.key, pair.privateKeyPem, { mode: 0o600 });
    writeFileSync(files.cert, certPem);
    copyFileSync(join(options.dataDir, 'estate', 'province', 'province-ca.crt'), files.ca);
  }

  /** The public key of the certificate in force, for reissuing it with other dates. */
  const currentKeys = () => {
    const privateKeyPem = readFileSync(files.key, 'utf8');
    return {
      privateKeyPem,
      publicKeyPem: createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString(),
    };
  };

  /** The client's first key and certificate, valid two years. */
  const ensureIssued = async () => {
    if (!existsSync(files.key) || !existsSync(files.cert)) await issue(730);
  };

  async function start(): Promise<number> {
    if (isAlive(child)) return child.pid as number;
    await ensureIssued();
    child = await spawnProgram({
      file: programFile,
      args: [],
      build: options.build,
      env: {
        [exchangeEnv.pidFile]: files.pid,
        [exchangeEnv.statusPort]: String(port),
        [exchangeEnv.treasuryDb]: options.treasuryPath,
        [exchangeEnv.platformUrl]: options.platformUrl,
        [exchangeEnv.division]: exchange.division,
        [exchangeEnv.voucherTypes]: exchange.voucherTypes.join(','),
        [exchangeEnv.keyFile]: files.key,
        [exchangeEnv.certFile]: files.cert,
        [exchangeEnv.heartbeatFile]: files.heartbeat,
        [exchangeEnv.faultFile]: files.fault,
        [exchangeEnv.clockFile]: options.clockFile,
        [exchangeEnv.intervalMs]: String(options.intervalMs ?? 1000),
        [exchangeEnv.version]: subsystem.version ?? '1.0',
      },
      logFile: files.log,
      pidFile: files.pid,
      what: `exchange client ${subsystem.id}`,
    });
    options.log?.info({ subsystem: subsystem.id, pid: child.pid }, 'exchange client started');
    return child.pid as number;
  }

  const stop = (signal: NodeJS.Signals = 'SIGTERM') => stopChild(child, signal);
  const restart = async () => {
    await stop();
    rmSync(files.fault, { force: true });
    return start();
  };

  return {
    subsystem: subsystem as SubsystemConfig,
    division: exchange.division,
    voucherTypes: exchange.voucherTypes,
    files,
    statusUrl: `http://127.0.0.1:${port}/status`,
    start,
    stop,
    restart,
    info: () => ({
      subsystem: subsystem.id,
      running: isAlive(child),
      ...(child?.pid !== undefined && { pid: child.pid }),
      statusUrl: `http://127.0.0.1:${port}/status`,
    }),
    effects: {
      dead: () => stop('SIGKILL'),
      /** The running process blocks (a restart is another process, which runs). */
      hang: () => writeFileSync(files.fault, JSON.stringify({ hangPid: child?.pid })),
      /** A key that does not belong to the certificate (a renewal that replaced only the key). */
      wrongKey: async () => writeFileSync(files.key, (await newKeyPair()).privateKeyPem, { mode: 0o600 }),
      /** The certificate reissued for the same key, ending in `days` days. */
      expiring: async (days: number) => {
        await ensureIssued();
        await issue(days, currentKeys());
      },
    },
    heal: {
      dead: async () => void (await start()),
      hang: async () => void (isAlive(child) ? await restart() : await start()),
      /** A proper renewal: a new key and its certificate. */
      wrongKey: () => issue(730),
      expiring: async () => {
        await ensureIssued();
        await issue(730, currentKeys());
      },
    },
  };
}
