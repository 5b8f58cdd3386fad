/**
 * Where the local cluster keeps everything (`npm run cluster`): binaries under
 * `.temporal/cluster/bin/`, state under `data/cluster/` — PostgreSQL's data folder and socket,
 * the private CA and certificates, the generated database password, the ports chosen on first
 * start — and logs under `data/logs/`. Nothing outside the project.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../../temporal.config.ts';
import { isPortFree } from '../free-port.ts';

export const temporalServerVersion = 'v1.29.1';
export const temporalServerModule = 'go.temporal.io/server';

const dataDir = join(projectRoot, 'data', 'cluster');

export const clusterPaths = {
  binDir: join(projectRoot, '.temporal', 'cluster', 'bin'),
  serverBinary: join(projectRoot, '.temporal', 'cluster', 'bin', 'temporal-server'),
  sqlToolBinary: join(projectRoot, '.temporal', 'cluster', 'bin', 'temporal-sql-tool'),
  dataDir,
  /** Owned by the `postgres` account when we run as root: its data folder, socket and log. */
  postgresDir: join(dataDir, 'postgres'),
  pgData: join(dataDir, 'postgres', 'data'),
  pgSocketDir: join(dataDir, 'postgres', 'socket'),
  pgLog: join(dataDir, 'postgres', 'postgres.log'),
  tlsDir: join(dataDir, 'tls'),
  secretsDir: join(dataDir, 'secrets'),
  passwordFile: join(dataDir, 'secrets', 'postgres-password'),
  portsFile: join(dataDir, 'ports.json'),
  dynamicConfig: join(dataDir, 'dynamicconfig.yaml'),
  serverPidFile: join(dataDir, 'temporal-server.pid'),
  serverLog: join(projectRoot, 'data', 'logs', 'cluster-temporal-server.log'),
  /** The deployment's own server configuration, used as it is. */
  serverConfigDir: join(projectRoot, 'deploy', 'temporal', 'config'),
  deployDynamicConfig: join(projectRoot, 'deploy', 'temporal', 'dynamicconfig.yaml'),
} as const;

export interface ClusterPorts {
  postgres: number;
  frontendGrpc: number;
  frontendHttp: number;
  frontendMembership: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
  metrics: number;
}

const portNames: (keyof ClusterPorts)[] = [
  'postgres',
  'frontendGrpc',
  'frontendHttp',
  'frontendMembership',
  'historyGrpc',
  'historyMembership',
  'matchingGrpc',
  'matchingMembership',
  'workerGrpc',
  'workerMembership',
  'metrics',
];

/** The ports of the running cluster, as its last start chose them. */
export function storedPorts(): ClusterPorts | undefined {
  if (!existsSync(clusterPaths.portsFile)) return undefined;
  return JSON.parse(readFileSync(clusterPaths.portsFile, 'utf8')) as ClusterPorts;
}

/**
 * Free ports for a start, below 32768: the server records membership ports in a PostgreSQL
 * smallint, so the OS's ephemeral ports (32768 and up) do not fit. A random run of the range
 * 20000–32767, so two engineers' clusters rarely meet.
 */
export async function choosePorts(): Promise<ClusterPorts> {
  const free: number[] = [];
  const first = 20_000 + Math.floor(Math.random() * 12_000);
  for (let port = first; free.length < portNames.length; port = port >= 32_767 ? 20_000 : port + 1) {
    if (await isPortFree(port)) free.push(port);
  }
  const ports = Object.fromEntries(portNames.map((name, i) => [name, free[i]])) as unknown as ClusterPorts;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(clusterPaths.portsFile, `${JSON.stringify(ports, null, 2)}\n`);
  return ports;
}

/** The temporal role's password: generated once, kept mode 600. */
export function postgresPassword(): string {
  if (existsSync(clusterPaths.passwordFile)) return readFileSync(clusterPaths.passwordFile, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  mkdirSync(clusterPaths.secretsDir, { recursive: true, mode: 0o700 });
  writeFileSync(clusterPaths.passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}
