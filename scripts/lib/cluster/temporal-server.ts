/**
 * The Temporal server of the local cluster: schemas set up with the server's own SQL tool (the
 * module's schema/postgresql/v12 files, embedded in the tool), the deployment's configuration
 * (deploy/temporal/config/production.yaml) rendered by the server from the environment given
 * here, mutual TLS on the frontend, and — once it serves — the namespace and the project's
 * search attributes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { parse as parseYaml, stringify } from 'yaml';
import { temporalConnectionOptions } from '../../../connectors/temporal/connection-options.ts';
import type { TemporalTlsConfig } from '../../../temporal.config.ts';
import { ensureSearchAttributes, projectSearchAttributes } from '../dev-server.ts';
import type { ClusterTls } from './cluster-tls.ts';
import { clusterPaths, type ClusterPorts } from './layout.ts';

/** Creates the version tables of a new database, then brings either database to the newest schema. */
export function setupSchemas(options: { port: number; password: string; newDatabases: string[] }): void {
  const schemas = { temporal: 'postgresql/v12/temporal', temporal_visibility: 'postgresql/v12/visibility' };
  for (const [db, schemaName] of Object.entries(schemas)) {
    const env = {
      ...process.env,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(options.port),
      SQL_USER: 'temporal',
      SQL_PASSWORD: options.password,
      SQL_DATABASE: db,
    };
    if (options.newDatabases.includes(db)) sqlTool(['setup-schema', '-v', '0.0'], env);
    sqlTool(['update-schema', '--schema-name', schemaName], env);
  }
}

function sqlTool(args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(clusterPaths.sqlToolBinary, args, { env, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `temporal-sql-tool ${args.join(' ')} failed:\n${(result.stderr || result.stdout).trim()}`,
    );
  }
}

/** The deployment's dynamic config, plus what the test runs need to see attributes at once. */
function writeDynamicConfig(): void {
  const config = parseYaml(readFileSync(clusterPaths.deployDynamicConfig, 'utf8')) as Record<string, unknown>;
  config['system.forceSearchAttributesCacheRefreshOnRead'] = [{ value: true }];
  writeFileSync(clusterPaths.dynamicConfig, stringify(config));
}

/** The environment deploy/temporal/config/production.yaml is rendered from. */
function serverEnvironment(ports: ClusterPorts, password: string, tls: ClusterTls): NodeJS.ProcessEnv {
  return {
    ...process.env,
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PORT: String(ports.postgres),
    POSTGRES_USER: 'temporal',
    POSTGRES_PWD: password,
    TEMPORAL_BIND_IP: '127.0.0.1',
    TEMPORAL_FRONTEND_GRPC_PORT: String(ports.frontendGrpc),
    TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    TEMPORAL_HISTORY_GRPC_PORT: String(ports.historyGrpc),
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    TEMPORAL_MATCHING_GRPC_PORT: String(ports.matchingGrpc),
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    TEMPORAL_WORKER_GRPC_PORT: String(ports.workerGrpc),
    TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    TEMPORAL_METRICS_ADDRESS: `127.0.0.1:${ports.metrics}`,
    TEMPORAL_TLS_CA: tls.ca.certFile,
    TEMPORAL_TLS_FRONTEND_CERT: tls.frontend.certFile,
    TEMPORAL_TLS_FRONTEND_KEY: tls.frontend.keyFile,
    TEMPORAL_TLS_SYSTEM_WORKER_CERT: tls.systemWorker.certFile,
    TEMPORAL_TLS_SYSTEM_WORKER_KEY: tls.systemWorker.keyFile,
    TEMPORAL_TLS_SERVER_NAME: tls.serverName,
    TEMPORAL_DYNAMIC_CONFIG: clusterPaths.dynamicConfig,
  };
}

export function serverPid(): number | undefined {
  if (!existsSync(clusterPaths.serverPidFile)) return undefined;
  const pid = Number(readFileSync(clusterPaths.serverPidFile, 'utf8').trim());
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Starts the server in the background (it outlives this command; `stop` ends it by its pid file). */
export function startTemporalServer(ports: ClusterPorts, password: string, tls: ClusterTls): number {
  writeDynamicConfig();
  mkdirSync(dirname(clusterPaths.serverLog), { recursive: true });
  const log = openSync(clusterPaths.serverLog, 'a');
  try {
    const child = spawn(
      clusterPaths.serverBinary,
      [
        '--root',
        '/',
        '--config',
        clusterPaths.serverConfigDir,
        '--env',
        'production',
        '--allow-no-auth',
        'start',
      ],
      { env: serverEnvironment(ports, password, tls), stdio: ['ignore', log, log], detached: true },
    );
    child.unref();
    if (child.pid === undefined) throw new Error(`Cannot start ${clusterPaths.serverBinary}`);
    writeFileSync(clusterPaths.serverPidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export async function stopTemporalServer(): Promise<void> {
  const pid = serverPid();
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 300 && serverPid() !== undefined; i++) await sleep(100);
    if (serverPid() !== undefined) process.kill(pid, 'SIGKILL');
  }
  rmSync(clusterPaths.serverPidFile, { force: true });
}

/**
 * Waits until the frontend answers over mutual TLS, registers the namespace when missing, waits
 * until the history service can start a run in it, and registers the project's search attributes.
 */
export async function prepareNamespace(options: {
  address: string;
  tls: TemporalTlsConfig;
  namespace: string;
  say: (line: string) => void;
  timeoutMs?: number;
}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const connection = await untilReady(deadline, 'the frontend to serve', async () => {
    const c = await Connection.connect({ ...temporalConnectionOptions(options), connectTimeout: '5s' });
    try {
      await c.workflowService.getSystemInfo({});
      return c;
    } catch (err) {
      await c.close();
      throw err;
    }
  });
  try {
    const service = connection.workflowService;
    const known = await service.describeNamespace({ namespace: options.namespace }).then(
      () => true,
      () => false,
    );
    if (!known) {
      await service.registerNamespace({
        namespace: options.namespace,
        workflowExecutionRetentionPeriod: msToTs('3 days'),
        description: 'jincai-runbooks',
      });
      options.say(`Registered namespace ${options.namespace}`);
    }
    // A new namespace reaches the history and matching services' caches within seconds.
    await untilReady(deadline, `namespace ${options.namespace} to take runs`, async () => {
      const workflowId = `cluster-readiness-${Date.now()}`;
      await service.startWorkflowExecution({
        namespace: options.namespace,
        workflowId,
        workflowType: { name: 'clusterReadiness' },
        taskQueue: { name: 'cluster-readiness' },
        requestId: workflowId,
      });
      await service.terminateWorkflowExecution({
        namespace: options.namespace,
        workflowExecution: { workflowId },
        reason: 'readiness probe',
      });
    });
    const added = await ensureSearchAttributes(connection, options.namespace, projectSearchAttributes);
    if (added.length > 0) options.say(`Registered search attributes: ${added.join(', ')}`);
  } finally {
    await connection.close();
  }
}

async function untilReady<T>(deadline: number, what: string, attempt: () => Promise<T>): Promise<T> {
  let last = 'no attempt made';
  while (Date.now() < deadline) {
    if (serverPid() === undefined) {
      const tail = readFileSync(clusterPaths.serverLog, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
      throw new Error(
        `The Temporal server exited while waiting for ${what}; last lines of ${clusterPaths.serverLog}:\n${tail}`,
      );
    }
    try {
      return await attempt();
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(1000);
  }
  throw new Error(
    `Timed out waiting for ${what} (last error: ${last}; server log: ${clusterPaths.serverLog})`,
  );
}
