/**
 * One of the estate's application servers (user-account management, bank-account management,
 * fund application, accounting), run as its own OS process:
 * `node --import tsx sandbox/estate/app-server.ts --subsystem accounting`. It writes its pid file,
 * logs to stdout (the sandbox points it at the subsystem's log file) and answers `GET /health`
 * with its installed version (read from its version file, as a deployed VERSION file is), its
 * database (its SQLite file, opened afresh for each check) and its state. The sandbox's faults act
 * on what the process reads: the version file, the database file, the fault file.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname } from 'node:path';
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

const log = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), program: id, msg, ...fields })}\n`,
  );

function unhealthyReason(): string | undefined {
  if (!existsSync(faultFile)) return undefined;
  const faults = JSON.parse(readFileSync(faultFile, 'utf8')) as { unhealthy?: string };
  return faults.unhealthy;
}

function databaseState(): { state: 'ok'; schemaVersion: string } | { state: 'unreachable'; error: string } {
  try {
    const db = new Database(dbFile, { fileMustExist: true, readonly: true, timeout: 1000 });
    try {
      const row = db.prepare('select version from schema_info').get() as { version: string };
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
