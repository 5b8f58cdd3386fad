/**
 * The estate's application servers in the sandbox: one real process per subsystem of kind
 * payment, user-accounts, bank-accounts, fund-application or accounting that the site declares
 * with a pid-file program and a port. Each has its own database file, version file and fault file
 * under `<dataDir>/estate/`; the faults act on those (and on the process), as they would on a real
 * host. An application installed in a host's folder (the site's `install`, releases/installations.ts)
 * reads its version from that folder's VERSION file; the payment system's database is the
 * treasury's, with its schema version in `schema_versions`. A subsystem's migration targets are
 * servers too (`<id>@<host>`), on their own port, folder and database, started only when their
 * start command asks (once a migration has copied the application there).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { SubsystemConfig } from '../../domain/subsystem-config.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { appEnv } from './app-env.ts';
import { isAlive, spawnProgram, stopChild } from './processes.ts';

const programFile = join(dirname(fileURLToPath(import.meta.url)), 'app-server.ts');
export const appServerKinds = [
  'payment',
  'user-accounts',
  'bank-accounts',
  'fund-application',
  'accounting',
] as const;

interface AppServer {
  subsystem: SubsystemConfig;
  /** The migration target's host, for a server on another side than the site's own description. */
  side?: string;
  pidFile: string;
  logFile: string;
  port: number;
  dbFile: string;
  versionFile: string;
  faultFile: string;
  /** The extra environment of an installed application (its folder, where its schema version is read). */
  installed?: Record<string, string>;
}

export type AppServers = ReturnType<typeof createAppServers>;

export function createAppServers(
  site: SiteConfig,
  options: { dataDir: string; treasuryPath: string; build?: string; log?: Logger },
) {
  const dir = join(options.dataDir, 'estate');
  const servers = new Map<string, AppServer>();
  for (const s of site.subsystems) {
    const program = s.programs.find((p) => 'pidFile' in p);
    if (!(appServerKinds as readonly string[]).includes(s.kind) || !program || !('pidFile' in program))
      continue;
    const port = s.ports[0]?.port;
    const payment = s.kind === 'payment';
    // The payment system's database is the treasury itself: it runs as an installed application only.
    if (!port || (payment && !s.install)) continue;
    servers.set(s.id, {
      subsystem: s,
      pidFile: program.pidFile,
      logFile: program.logFile ?? join(options.dataDir, 'logs', `${s.id}.log`),
      port,
      dbFile: payment
        ? options.treasuryPath
        : s.database?.store?.adapter === 'sqlite'
          ? s.database.store.path
          : join(dir, `${s.id}.db`),
      versionFile: s.install ? join(s.install.dir, 'VERSION') : join(dir, `${s.id}.version`),
      faultFile: join(dir, `${s.id}.faults.json`),
      ...(s.install && {
        installed: { [appEnv.installDir]: s.install.dir, ...(payment && { [appEnv.schemaOf]: s.id }) },
      }),
    });
    // Each side a migration may move it to: started by its own start command once the copy is there.
    for (const t of s.migrationTargets) {
      const p = t.programs.find((x) => 'pidFile' in x);
      const tport = t.ports[0]?.port;
      if (!p || !('pidFile' in p) || !tport || t.database.adapter !== 'sqlite') continue;
      servers.set(`${s.id}@${t.host}`, {
        subsystem: s,
        side: t.host,
        pidFile: p.pidFile,
        logFile: p.logFile ?? join(options.dataDir, 'logs', `${s.id}@${t.host}.log`),
        port: tport,
        dbFile: t.database.path,
        versionFile: join(t.dir, 'VERSION'),
        faultFile: join(dir, `${s.id}@${t.host}.faults.json`),
        installed: { [appEnv.installDir]: t.dir },
      });
    }
  }
  const children = new Map<string, ChildProcess>();
  /** The servers of the site's own description (a migration target's side is started on demand). */
  const primary = () => [...servers.entries()].filter(([, a]) => !a.side).map(([id]) => id);

  const server = (id: string): AppServer => {
    const found = servers.get(id);
    if (!found)
      throw new RangeError(`no application server ${id}; the site has ${[...servers.keys()].join(', ')}`);
    return found;
  };
  /** A fresh installation: the declared version, the declared schema version, no faults. */
  function install(app: AppServer): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(app.versionFile, `${app.subsystem.version ?? '1.0.0'}\n`);
    rmSync(app.faultFile, { force: true });
    if (existsSync(`${app.dbFile}.offline`)) renameSync(`${app.dbFile}.offline`, app.dbFile);
    const db = new Database(app.dbFile);
    db.exec('create table if not exists schema_info (version text not null)');
    db.prepare('delete from schema_info').run();
    db.prepare('insert into schema_info (version) values (?)').run(
      app.subsystem.database?.schemaVersion ?? '1',
    );
    db.close();
  }

  async function start(id: string): Promise<number> {
    const app = server(id);
    const current = children.get(id);
    if (isAlive(current)) return current.pid as number;
    if (!app.installed && !existsSync(app.versionFile)) install(app);
    const child = await spawnProgram({
      file: programFile,
      args: ['--subsystem', app.subsystem.id],
      build: options.build,
      env: {
        [appEnv.pidFile]: app.pidFile,
        [appEnv.port]: String(app.port),
        [appEnv.dbFile]: app.dbFile,
        [appEnv.versionFile]: app.versionFile,
        [appEnv.faultFile]: app.faultFile,
        ...app.installed,
      },
      logFile: app.logFile,
      pidFile: app.pidFile,
      what: `application server ${id}`,
    });
    children.set(id, child);
    options.log?.info({ subsystem: id, pid: child.pid }, 'application server started');
    return child.pid as number;
  }

  async function stop(id: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | undefined> {
    server(id);
    return stopChild(children.get(id), signal);
  }

  const writeFaults = (app: AppServer, faults: { unhealthy?: string; pid?: number }) =>
    writeFileSync(app.faultFile, JSON.stringify(faults));

  return {
    ids: primary,
    /** The servers with a database file of their own (the payment system's is the treasury: not to be taken offline). */
    ownDatabases: () =>
      [...servers.values()]
        .filter((a) => a.subsystem.kind !== 'payment' && !a.side)
        .map((a) => a.subsystem.id),
    has: (id: string) => servers.has(id),
    /**
     * Installs what is missing and starts every application server; every start has settled
     * before a failed one is thrown, so stopAll then finds each server that did start.
     */
    async startAll(): Promise<void> {
      const started = await Promise.allSettled(primary().map((id) => start(id)));
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
    },
    start,
    stop,
    stopAll: () => Promise.all([...servers.keys()].map((id) => stop(id))),
    info(id: string) {
      const app = server(id);
      const child = children.get(id);
      return {
        subsystem: id,
        running: isAlive(child),
        ...(child?.pid !== undefined && { pid: child.pid }),
        port: app.port,
        version: existsSync(app.versionFile) ? readFileSync(app.versionFile, 'utf8').trim() : undefined,
        databaseOnline: existsSync(app.dbFile),
      };
    },
    /** Fault effects, each undone by `heal`. */
    effects: {
      down: (id: string) => stop(id, 'SIGKILL'),
      /** The running process goes bad (a task stuck inside it): a restart is another process, which is well. */
      unhealthy: (id: string, reason: string) => {
        const pid = children.get(id)?.pid;
        writeFaults(server(id), { unhealthy: reason, ...(pid !== undefined && { pid }) });
      },
      version: (id: string, version: string) => writeFileSync(server(id).versionFile, `${version}\n`),
      databaseOffline: (id: string) => {
        const app = server(id);
        if (existsSync(app.dbFile)) renameSync(app.dbFile, `${app.dbFile}.offline`);
      },
    },
    heal: {
      down: async (id: string) => void (await start(id)),
      unhealthy: (id: string) => rmSync(server(id).faultFile, { force: true }),
      version: (id: string) =>
        writeFileSync(server(id).versionFile, `${server(id).subsystem.version ?? '1.0.0'}\n`),
      databaseOffline: (id: string) => {
        const app = server(id);
        if (existsSync(`${app.dbFile}.offline`)) renameSync(`${app.dbFile}.offline`, app.dbFile);
      },
    },
  };
}
