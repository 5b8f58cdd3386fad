/**
 * `npm run cluster -- <command>`: the engine on a real Temporal cluster on this machine — the
 * Temporal server (not the dev server) on PostgreSQL, with mutual TLS on the frontend, configured
 * by the same files as deploy/ — and the integration tests against it.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { projectRoot } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { ensureClusterTls } from './lib/cluster/cluster-tls.ts';
import {
  installPostgres,
  installTemporalServer,
  postgresBinDir,
  serverInstalled,
} from './lib/cluster/install.ts';
import { choosePorts, clusterPaths, postgresPassword, storedPorts } from './lib/cluster/layout.ts';
import { ensureTemporalDatabases, startPostgres, stopPostgres } from './lib/cluster/postgres.ts';
import {
  prepareNamespace,
  serverPid,
  setupSchemas,
  startTemporalServer,
  stopTemporalServer,
} from './lib/cluster/temporal-server.ts';

const usage = `Usage: npm run cluster -- <command>

  install            build the Temporal server and its SQL tool (go install go.temporal.io/server@v1.29.1)
                     into .temporal/cluster/bin/, and PostgreSQL from Debian (apt, as root) if missing
  start              PostgreSQL in data/cluster/postgres, schemas, certificates, the server (mutual TLS),
                     the namespace and the search attributes; prints the site's temporal section
  test [paths…]      the tests (default test/integration) against the cluster, starting it if needed
                     and stopping what it started
  stop               stop the server and PostgreSQL (data stays in data/cluster/)
  status             what runs, and where`;

const namespace = 'default';
const say = (line: string) => console.log(line);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

async function install(): Promise<void> {
  const started = Date.now();
  installPostgres(say);
  if (serverInstalled()) say(`Temporal server already in ${clusterPaths.binDir}`);
  else installTemporalServer(say);
  say(`Installed in ${seconds(started)}: ${clusterPaths.serverBinary}, ${clusterPaths.sqlToolBinary}`);
}

/** Starts whatever is not running; returns whether it started the server. */
async function start(): Promise<{ address: string; startedHere: boolean }> {
  const started = Date.now();
  const binDir = postgresBinDir();
  if (!binDir || !serverInstalled()) throw new Error('Not installed: run `npm run cluster -- install` first');
  const running = serverPid();
  const ports = running !== undefined ? storedPorts() : await choosePorts();
  if (!ports) throw new Error(`The server runs (pid ${running}) but ${clusterPaths.portsFile} is gone`);
  const tls = ensureClusterTls(say);
  const password = postgresPassword();
  const postgres = { binDir, port: ports.postgres };
  startPostgres(postgres, say);
  const newDatabases = ensureTemporalDatabases(postgres, password);
  setupSchemas({ port: ports.postgres, password, newDatabases });
  if (running === undefined)
    say(`Temporal server pid ${startTemporalServer(ports, password, tls)} (log ${clusterPaths.serverLog})`);
  const address = `127.0.0.1:${ports.frontendGrpc}`;
  await prepareNamespace({ address, tls: tls.site, namespace, say });
  say(
    `Cluster ready in ${seconds(started)}: frontend ${address} (mutual TLS), PostgreSQL 127.0.0.1:${ports.postgres}`,
  );
  say(`Site file, temporal section:\n  address: ${address}\n  namespace: ${namespace}\n  tls:`);
  for (const [key, value] of Object.entries(tls.site)) say(`    ${key}: ${value}`);
  return { address, startedHere: running === undefined };
}

async function stop(): Promise<void> {
  await stopTemporalServer();
  const binDir = postgresBinDir();
  if (binDir) stopPostgres(binDir);
  say('Cluster stopped');
}

async function test(paths: string[]): Promise<number> {
  const { address, startedHere } = await start();
  const tls = ensureClusterTls(say);
  const started = Date.now();
  const code = await new Promise<number>((done) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/test.ts', ...(paths.length ? paths : ['test/integration'])],
      {
        cwd: projectRoot,
        stdio: 'inherit',
        env: {
          ...process.env,
          JINCAI_TEST_TEMPORAL_ADDRESS: address,
          JINCAI_TEST_TEMPORAL_TLS: JSON.stringify(tls.site),
        },
      },
    );
    child.once('exit', (c, signal) => done(c ?? (signal ? 1 : 0)));
  });
  say(`Tests against the cluster: exit ${code} in ${seconds(started)}`);
  if (startedHere) await stop();
  return code;
}

function status(): void {
  const pid = serverPid();
  const ports = storedPorts();
  say(
    pid === undefined
      ? 'Temporal server: not running'
      : `Temporal server: pid ${pid}, frontend 127.0.0.1:${ports?.frontendGrpc}`,
  );
  say(
    `Binaries: ${serverInstalled() ? clusterPaths.binDir : 'not installed'}; data: ${clusterPaths.dataDir}`,
  );
}

const commands = ['install', 'start', 'stop', 'test', 'status'];

async function main(): Promise<number> {
  const { args, checkOnly } = commandLine();
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  if (!commands.includes(command) || (command !== 'test' && rest.length > 0)) {
    console.error(`Unknown command "${positionals.join(' ')}"\n\n${usage}`);
    return 2;
  }
  if (checkOnly) {
    console.log(argumentsOk(`cluster ${positionals.join(' ')}`));
    return 0;
  }
  if (command === 'install') await install();
  else if (command === 'start') await start();
  else if (command === 'stop') await stop();
  else if (command === 'test') return test(rest);
  else status();
  return 0;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
