/**
 * Installs what the local cluster runs, from package registries only: the Temporal server and
 * its SQL schema tool built by `go install` from the Go module proxy (go.temporal.io/server
 * v1.29.1, which has no replace directive; Go's build and module caches make a second install
 * quick), and PostgreSQL from Debian (apt, as root) when no Debian PostgreSQL is present.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterPaths, temporalServerModule, temporalServerVersion } from './layout.ts';

const postgresRoot = '/usr/lib/postgresql';

/** The folder of Debian's newest PostgreSQL binaries (initdb, pg_ctl), if any. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(postgresRoot)) return undefined;
  const versions = readdirSync(postgresRoot)
    .filter((v) => existsSync(join(postgresRoot, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(postgresRoot, versions[0], 'bin');
}

export function serverInstalled(): boolean {
  return existsSync(clusterPaths.serverBinary) && existsSync(clusterPaths.sqlToolBinary);
}

export function installTemporalServer(say: (line: string) => void): void {
  const packages = {
    'temporal-server': `${temporalServerModule}/cmd/server@${temporalServerVersion}`,
    'temporal-sql-tool': `${temporalServerModule}/cmd/tools/sql@${temporalServerVersion}`,
  };
  say(`go install ${Object.values(packages).join(' ')} (a cold build takes 10–25 minutes on 2 cores)…`);
  // go install names binaries after their folders (server, sql); build aside, then rename.
  const staging = mkdtempSync(join(tmpdir(), 'jincai-go-install-'));
  try {
    run('go', ['install', ...Object.values(packages)], { ...process.env, GOBIN: staging });
    mkdirSync(clusterPaths.binDir, { recursive: true });
    renameSync(join(staging, 'server'), clusterPaths.serverBinary);
    renameSync(join(staging, 'sql'), clusterPaths.sqlToolBinary);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function installPostgres(say: (line: string) => void): string {
  const found = postgresBinDir();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('PostgreSQL is not installed: run `apt-get install postgresql` as root, then try again');
  }
  say('apt-get install postgresql (Debian)…');
  run('apt-get', ['update'], process.env);
  run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], {
    ...process.env,
    DEBIAN_FRONTEND: 'noninteractive',
  });
  const installed = postgresBinDir();
  if (!installed) throw new Error(`apt installed postgresql, but no initdb under ${postgresRoot}`);
  return installed;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new Error(`Cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}
