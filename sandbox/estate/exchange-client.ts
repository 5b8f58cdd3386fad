/**
 * The budget-integration exchange client (预算管理一体化数据交换客户端), run as its own OS process:
 * `node --import tsx sandbox/estate/exchange-client.ts`. It writes its pid file, logs (pino, with
 * the engine's redaction) to stdout — the sandbox points it at the subsystem's log file — and every
 * `intervalMs` runs one cycle (exchange-cycle.ts) against the treasury database and the province's
 * platform, then writes its heartbeat file `{ pid, cycles, at }`.
 *
 * Its local admin endpoint, as such clients offer on the machine they run on, answers
 * `GET /status` on 127.0.0.1 (ExchangeClientStatus: version, last cycle, last error, the loaded
 * certificate's validity, items per voucher type and direction). It reloads its key and
 * certificate when their files change, as a renewal replaces them in place. The sandbox's faults
 * act on what it reads: the key and certificate files and its fault file (`{ "hangPid": <pid> }`:
 * that process's next cycle blocks for good, as on a lock never released — the admin endpoint still
 * answers, the heartbeat stops; a restarted client is another process and runs again).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { createLogger } from '../../connectors/logging/logger.ts';
import { openSqlite } from '../../connectors/treasury/database.ts';
import {
  exchangeVoucherTypes,
  type ExchangeClientStatus,
  type ExchangeVoucherType,
} from '../../domain/exchange-protocol.ts';
import { fileClock } from '../clock.ts';
import { queueCounts, runCycle } from './exchange-cycle.ts';
import { exchangeEnv } from './exchange-env.ts';
import { createPlatformClient, PlatformRefusal, type ClientCredentials } from './exchange-platform-client.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const DAY = 86_400_000;
// Its own log, at info whatever level the sandbox's processes run at, as a deployed client's is.
const log = createLogger('exchange-client', 'info');
const pidFile = required(exchangeEnv.pidFile);
const statusPort = Number(required(exchangeEnv.statusPort));
const division = required(exchangeEnv.division);
const voucherTypes = required(exchangeEnv.voucherTypes)
  .split(',')
  .filter((t): t is ExchangeVoucherType => Object.hasOwn(exchangeVoucherTypes, t));
const keyFile = required(exchangeEnv.keyFile);
const certFile = required(exchangeEnv.certFile);
const heartbeatFile = required(exchangeEnv.heartbeatFile);
const faultFile = required(exchangeEnv.faultFile);
const intervalMs = Number(process.env[exchangeEnv.intervalMs] ?? 1000);
const version = process.env[exchangeEnv.version] ?? '1.0';
const clockFile = process.env[exchangeEnv.clockFile];
const clock = clockFile ? fileClock(clockFile) : undefined;
const now = clock?.now ?? (() => new Date());

/** Key and certificate as last read; read again when either file's modification time changes. */
let loaded: { stamp: string; credentials: ClientCredentials; cert: X509Certificate } | undefined;
function credentials(): { credentials: ClientCredentials; cert: X509Certificate } {
  const stamp = `${statSync(keyFile).mtimeMs}/${statSync(certFile).mtimeMs}`;
  if (loaded?.stamp !== stamp) {
    const cert = new X509Certificate(readFileSync(certFile));
    loaded = {
      stamp,
      cert,
      credentials: {
        privateKeyPem: readFileSync(keyFile, 'utf8'),
        certificateB64: cert.raw.toString('base64'),
      },
    };
    log.info({ serialNumber: cert.serialNumber, validTo: cert.validTo }, 'key and certificate loaded');
  }
  return loaded;
}

const db = await openSqlite(required(exchangeEnv.treasuryDb));
const platform = createPlatformClient({
  baseUrl: required(exchangeEnv.platformUrl),
  division,
  credentials: () => credentials().credentials,
  now,
});
const startedAt = new Date().toISOString();
let lastCycleAt: string | null = null;
let cycles = 0;
let lastError: ExchangeClientStatus['lastError'] = null;

async function status(): Promise<ExchangeClientStatus> {
  const cert = existsSync(certFile) ? credentials().cert : undefined;
  return {
    client: '预算管理一体化数据交换客户端（沙箱）',
    version,
    pid: process.pid,
    division,
    startedAt,
    lastCycleAt,
    cycles,
    intervalMs,
    lastError,
    certificate: cert
      ? {
          subject: cert.subject,
          issuer: cert.issuer,
          serialNumber: cert.serialNumber,
          notBefore: new Date(cert.validFrom).toISOString(),
          notAfter: new Date(cert.validTo).toISOString(),
          daysLeft: Math.floor((Date.parse(cert.validTo) - now().getTime()) / DAY),
        }
      : null,
    queues: await queueCounts(db, division, voucherTypes),
  };
}

const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/status') {
    res.writeHead(404).end();
    return;
  }
  status().then(
    (body) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    },
    (err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: String(err) }));
    },
  );
});

function hangRequested(): boolean {
  if (!existsSync(faultFile)) return false;
  return (JSON.parse(readFileSync(faultFile, 'utf8')) as { hangPid?: number }).hangPid === process.pid;
}

let stopping = false;
let round: Promise<void> = Promise.resolve();
async function loop(): Promise<void> {
  while (!stopping) {
    round = (async () => {
      clock?.look();
      if (hangRequested()) {
        log.warn('waiting for the lock on the exchange queue');
        await new Promise(() => undefined);
      }
      const errors = await runCycle({
        db,
        platform,
        division,
        voucherTypes,
        now,
        log: (level, msg, fields) => log[level](fields ?? {}, msg),
      });
      const last = errors.at(-1);
      lastError = last
        ? {
            at: now().toISOString(),
            message: last.message,
            ...(last instanceof PlatformRefusal && { code: last.code }),
          }
        : null;
      cycles += 1;
      lastCycleAt = now().toISOString();
      writeFileSync(heartbeatFile, JSON.stringify({ pid: process.pid, cycles, at: lastCycleAt }));
    })().catch((err: unknown) => {
      lastError = { at: now().toISOString(), message: String(err) };
      log.error({ error: String(err) }, 'cycle failed');
    });
    await round;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  // A cycle blocked for good must not hold the stop: wait for it at most two seconds.
  void Promise.race([round, new Promise((r) => setTimeout(r, 2000))]).finally(() => {
    server.close();
    rmSync(pidFile, { force: true });
    void db.destroy().finally(() => process.exit(0));
  });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

server.on('error', (err) => {
  log.error({ port: statusPort, error: err.message }, 'cannot listen');
  process.exit(1);
});
server.listen(statusPort, '127.0.0.1', () => {
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${process.pid}\n`);
  log.info({ pid: process.pid, port: statusPort, division, voucherTypes }, 'started');
  void loop();
});
