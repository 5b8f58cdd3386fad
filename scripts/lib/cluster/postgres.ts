/**
 * The cluster's own PostgreSQL: Debian's binaries run on a data folder inside the project
 * (initdb, pg_ctl), listening on 127.0.0.1 at a port of its own and on a private socket; nothing
 * system-wide is touched. PostgreSQL refuses to run as root, so as root it runs as Debian's
 * `postgres` account, which owns the folder. The `temporal` role logs in over TCP with a
 * password (SCRAM); the admin steps use the private socket.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { clusterPaths } from './layout.ts';

export interface PostgresOptions {
  binDir: string;
  port: number;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program as the account that owns the data folder. */
function pg(
  binDir: string,
  program: string,
  args: string[],
  input?: string,
): { status: number; stdout: string; stderr: string } {
  const command = join(binDir, program);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  const result = spawnSync(file, argv, {
    input,
    encoding: 'utf8',
    cwd: clusterPaths.postgresDir,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (result.error) throw new Error(`Cannot run ${program}: ${result.error.message}`);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function must(result: { status: number; stdout: string; stderr: string }, what: string): string {
  if (result.status !== 0)
    throw new Error(`${what} failed:\n${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

export function postgresRunning(binDir: string): boolean {
  return (
    existsSync(clusterPaths.pgData) &&
    pg(binDir, 'pg_ctl', ['-D', clusterPaths.pgData, 'status']).status === 0
  );
}

/** initdb on first use, then starts the server and waits until it accepts connections. */
export function startPostgres(options: PostgresOptions, say: (line: string) => void): void {
  mkdirSync(clusterPaths.postgresDir, { recursive: true, mode: 0o700 });
  mkdirSync(clusterPaths.pgSocketDir, { recursive: true, mode: 0o700 });
  if (asRoot) {
    const postgresUid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const postgresGid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    if (!Number.isInteger(postgresUid))
      throw new Error('No `postgres` account: is Debian’s postgresql installed?');
    chownSync(clusterPaths.postgresDir, postgresUid, postgresGid);
    chownSync(clusterPaths.pgSocketDir, postgresUid, postgresGid);
  }
  if (!existsSync(join(clusterPaths.pgData, 'PG_VERSION'))) {
    say(`initdb ${clusterPaths.pgData}`);
    must(
      pg(options.binDir, 'initdb', [
        '-D',
        clusterPaths.pgData,
        '-U',
        'postgres',
        '-E',
        'UTF8',
        '--locale=C.UTF-8',
        // The socket lives in a mode-700 folder only its owner (and root) can enter.
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
      ]),
      'initdb',
    );
  }
  if (postgresRunning(options.binDir)) return;
  const settings = [
    `-p ${options.port}`,
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${clusterPaths.pgSocketDir}`,
    '-c max_connections=200',
  ].join(' ');
  must(
    pg(options.binDir, 'pg_ctl', [
      '-D',
      clusterPaths.pgData,
      '-l',
      clusterPaths.pgLog,
      '-o',
      settings,
      '-w',
      '-t',
      '120',
      'start',
    ]),
    `pg_ctl start (log: ${clusterPaths.pgLog})`,
  );
}

export function stopPostgres(binDir: string): void {
  if (!postgresRunning(binDir)) return;
  must(pg(binDir, 'pg_ctl', ['-D', clusterPaths.pgData, '-m', 'fast', '-w', 'stop']), 'pg_ctl stop');
}

/** The `temporal` role with this password and its two databases; returns the databases it created. */
export function ensureTemporalDatabases(options: PostgresOptions, password: string): string[] {
  const sql = (statement: string) =>
    must(
      pg(
        options.binDir,
        'psql',
        [
          '-h',
          clusterPaths.pgSocketDir,
          '-p',
          String(options.port),
          '-U',
          'postgres',
          '-v',
          'ON_ERROR_STOP=1',
          '-tA',
          '-f',
          '-',
        ],
        statement,
      ),
      'psql',
    ).trim();
  const quoted = `'${password.replaceAll("'", "''")}'`;
  const roleExists = sql(`SELECT 1 FROM pg_roles WHERE rolname = 'temporal';`) === '1';
  // The password goes in on standard input, never on a command line.
  sql(`${roleExists ? 'ALTER' : 'CREATE'} ROLE temporal LOGIN PASSWORD ${quoted};`);
  const created: string[] = [];
  for (const db of ['temporal', 'temporal_visibility']) {
    if (sql(`SELECT 1 FROM pg_database WHERE datname = '${db}';`) === '1') continue;
    sql(`CREATE DATABASE ${db} OWNER temporal;`);
    created.push(db);
  }
  return created;
}
