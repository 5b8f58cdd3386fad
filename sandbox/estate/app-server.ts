/**
 * One of the estate's application servers (the payment system's, user-account management,
 * bank-account management, fund application, accounting), run as its own OS process:
 * `node --import tsx sandbox/estate/app-server.ts --subsystem accounting`. It writes its pid file,
 * logs to stdout (the sandbox points it at the subsystem's log file) and answers `GET /health`
 * with its installed version (read from its version file, as a deployed VERSION file is), its
 * database (its SQLite file, opened afresh for each check) and its state. The sandbox's faults act
 * on what the process reads: the version file, the database file, the fault file. An installed
 * application (releases/installations.ts) starts only when every module its class path names is
 * in its folder, as a JVM refuses a missing jar.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { appEnv } from './app-env.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const { values } = parseArgs({ options: { subsystem: { type: 'string' } } });
const id = values.subsystem ?? '';
if (!/^[a-z][a-z0-9-]{1,39}$/.test(id)) throw new Error('usage: app-server.ts --subsystem <id>');
const pidFile = required(appEnv.pidFile);
const port = Number(required(appEnv.port));
const dbFile = required(appEnv.dbFile);
const versionFile = required(appEnv.versionFile);
const faultFile = required(appEnv.faultFile);
const installDir = process.env[appEnv.installDir];
const schemaOf = process.env[appEnv.schemaOf];

const log = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), program: id, msg, ...fields })}\n`,
  );

function unhealthyReason(): string | undefined {
  if (!existsSync(faultFile)) return undefined;
  const faults = JSON.parse(readFileSync(faultFile, 'utf8')) as { unhealthy?: string; pid?: number };
  // A fault of the process that was running when it was injected: this one, or any when none was named.
  return faults.pid === undefined || faults.pid === process.pid ? faults.unhealthy : undefined;
}

function databaseState(): { state: 'ok'; schemaVersion: string } | { state: 'unreachable'; error: string } {
  try {
    const db = new Database(dbFile, { fileMustExist: true, readonly: true, timeout: 1000 });
    try {
      const row = (
        schemaOf
          ? db.prepare('select version from schema_versions where subsystem = ?').get(schemaOf)
          : db.prepare('select version from schema_info').get()
      ) as { version: string };
      return { state: 'ok', schemaVersion: row.version };
    } finally {
      db.close();
    }
  } catch (err) {
    return { state: 'unreachable', error: (err as Error).message };
  }
}

const server = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/health') {
    res.writeHead(404).end();
    return;
  }
  const database = databaseState();
  const reason =
    unhealthyReason() ?? (database.state === 'ok' ? undefined : `数据库连接失败：${database.error}`);
  if (reason) log('error', 'health check failed', { reason });
  res.writeHead(reason ? 503 : 200, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(
    JSON.stringify({
      subsystem: id,
      status: reason ? 'unhealthy' : 'ok',
      version: readFileSync(versionFile, 'utf8').trim(),
      database,
      ...(reason && { reason }),
    }),
  );
});

/** The modules the class path names that the installed folder lacks. */
function missingModules(dir: string): string[] {
  const classpath = join(dir, 'conf', 'classpath.txt');
  if (!existsSync(classpath)) return ['conf/classpath.txt'];
  const modules = readFileSync(classpath, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  return modules.filter((m) => !existsSync(join(dir, m)));
}

const missing = installDir ? missingModules(installDir) : [];
if (missing.length > 0) {
  log('error', 'cannot start: class path names modules that are not installed', { missing });
  process.exit(1);
}

server.listen(port, '127.0.0.1', () => {
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${process.pid}\n`);
  log('info', 'started', { pid: process.pid, port });
});
server.on('error', (err) => {
  log('error', 'cannot listen', { port, error: err.message });
  process.exit(1);
});
const stop = (signal: string) => {
  log('info', 'stopping', { signal });
  server.close(() => {
    rmSync(pidFile, { force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
