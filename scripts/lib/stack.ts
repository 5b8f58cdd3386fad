/**
 * The embedded stack: Temporal dev server (SQLite persistence under data/temporal), the
 * sandbox estate and a worker serving every task queue, plus the schedules. Used by
 * `npm start` (keeps it up) and `npm run demo` (runs the inspection once and stops).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { metricsUrl, projectRoot, temporalUiUrl, type SiteConfig } from '../../temporal.config.ts';
import { temporalConnectionOptions } from '../../connectors/temporal/connection-options.ts';
import { connectClient } from './client.ts';
import {
  ensureSearchAttributes,
  startDevServer,
  projectSearchAttributes,
  type DevServerHandle,
} from './dev-server.ts';
import {
  demoCredentialsFile,
  ensureSigningKeys,
  ensureDemoUsers,
  type DemoCredentials,
} from './demo-identities.ts';
import { ensureEmbeddedSecrets } from './embedded-secrets.ts';
import { isPortFree } from './free-port.ts';
import { startProjectProcess, whenOutputContains, type ProjectProcess } from './child-process.ts';
import { upsertSchedules } from './schedules.ts';
import { ensureTemporalCli } from './temporal-cli.ts';

export interface Stack {
  temporalAddress: string;
  /** The Temporal Web UI, behind the inbox: engineers sign in there. */
  uiUrl: string;
  sandboxUrl: string;
  inboxUrl: string;
  /** The Prometheus endpoints of the worker, the inbox and the sandbox (none when the site turned metrics off). */
  metrics: { worker: string; inbox: string; sandbox: string } | undefined;
  /** The sandbox's demo accounts (never at a real site). */
  demoUsers: DemoCredentials;
  demoCredentialsFile: string;
  env: NodeJS.ProcessEnv;
  logDir: string;
  stop(): Promise<void>;
}

const dataDir = join(projectRoot, 'data');

async function temporalAlreadyServing(site: SiteConfig): Promise<boolean> {
  try {
    const connection = await Connection.connect({
      ...temporalConnectionOptions(site.temporal),
      connectTimeout: 2000,
    });
    await connection.workflowService.getSystemInfo({});
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

export async function startStack(options: {
  site: SiteConfig;
  reseed?: boolean;
  say?: (line: string) => void;
}): Promise<Stack> {
  const { site } = options;
  const say = options.say ?? ((line: string) => console.log(line));
  if (!site.sandbox)
    throw new Error('The site file has no sandbox section; the embedded stack runs only the sandbox estate');
  const logDir = join(dataDir, 'logs');
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => undefined);
  };
  try {
    const [host, portText] = site.temporal.address.split(':');
    let server: DevServerHandle | undefined;
    if (await temporalAlreadyServing(site)) {
      say(`Using the Temporal server already serving at ${site.temporal.address}`);
    } else {
      const cliPath = await ensureTemporalCli({ log: say });
      say(`Starting the Temporal dev server (${cliPath})…`);
      await mkdir(join(dataDir, 'temporal'), { recursive: true });
      server = await startDevServer({
        cliPath,
        ip: host ?? '127.0.0.1',
        port: Number(portText),
        uiPort: site.temporal.uiPort,
        dbFile: join(dataDir, 'temporal', 'dev.sqlite'),
        namespace: site.temporal.namespace,
        searchAttributes: projectSearchAttributes,
        logFile: join(logDir, 'temporal.log'),
        // Engineers reach the UI through the inbox (same origin), so its codec calls carry their
        // session: the UI decodes through the inbox's /codec, and encodes there for Start Workflow.
        uiCodecEndpoint: new URL('/codec', site.inbox.publicUrl).href,
        ...(site.inbox.temporalUi.enabled && { uiPublicPath: site.inbox.temporalUi.path }),
      });
      started.push(server);
    }

    const admin = await Connection.connect(temporalConnectionOptions(site.temporal));
    try {
      const added = await ensureSearchAttributes(admin, site.temporal.namespace, projectSearchAttributes);
      if (added.length > 0) say(`Registered search attributes: ${added.join(', ')}`);
    } finally {
      await admin.close();
    }

    const ports: [number, string][] = [
      [site.sandbox.port, 'sandbox'],
      [site.inbox.port, 'approval inbox'],
      ...(site.metrics.enabled
        ? ([
            [site.metrics.workerPort, 'worker metrics'],
            [site.metrics.inboxPort, 'inbox metrics'],
          ] as [number, string][])
        : []),
    ];
    for (const [port, what] of ports) {
      if (!(await isPortFree(port)))
        throw new Error(`Port ${port} (${what}) is in use: is another stack running? Stop it first.`);
    }
    const env = { ...process.env, ...ensureEmbeddedSecrets(site) };
    ensureSigningKeys(site);
    const demoUsers = await ensureDemoUsers(site);
    say('Starting the sandbox estate…');
    const sandbox: ProjectProcess = await startProjectProcess({
      name: 'sandbox',
      script: 'sandbox/main.ts',
      args: options.reseed ? ['--reseed'] : [],
      env,
      logFile: join(logDir, 'sandbox.log'),
      ready: whenOutputContains('sandbox ready'),
    });
    started.push(sandbox);
    say('Starting the worker…');
    const worker = await startProjectProcess({
      name: 'worker',
      script: 'workers/main.ts',
      env,
      logFile: join(logDir, 'worker.log'),
      ready: whenOutputContains('worker running'),
    });
    started.push(worker);
    say('Starting the approval inbox…');
    const inbox = await startProjectProcess({
      name: 'inbox',
      script: 'inbox/main.ts',
      env,
      logFile: join(logDir, 'inbox.log'),
      ready: whenOutputContains('inbox ready'),
    });
    started.push(inbox);

    const client = await connectClient(site, env);
    try {
      for (const line of await upsertSchedules(client, site)) say(line);
    } finally {
      await client.connection.close();
    }
    return {
      temporalAddress: site.temporal.address,
      uiUrl: temporalUiUrl(site),
      sandboxUrl: `http://127.0.0.1:${site.sandbox.port}`,
      inboxUrl: site.inbox.publicUrl,
      metrics: site.metrics.enabled
        ? {
            worker: metricsUrl(site, 'worker'),
            inbox: metricsUrl(site, 'inbox'),
            sandbox: metricsUrl(site, 'sandbox'),
          }
        : undefined,
      demoUsers,
      demoCredentialsFile: demoCredentialsFile(site),
      env,
      logDir,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The stack's Prometheus endpoints, one line each, for the lines `npm start` and the demo print. */
export function metricsLines(metrics: Stack['metrics']): string {
  if (!metrics) return '  Metrics           off (metrics.enabled in the site file)\n';
  return [
    `  Metrics (worker)  ${metrics.worker}   (the Temporal SDK's and the runbooks')`,
    `  Metrics (inbox)   ${metrics.inbox}`,
    `  Metrics (sandbox) ${metrics.sandbox}   (Grafana board: deploy/grafana/jincai-runbooks.json)`,
  ]
    .map((line) => `${line}\n`)
    .join('');
}
