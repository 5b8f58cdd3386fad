/**
 * Worker process. `npm run worker` serves every task queue (the embedded default);
 * `npm run worker -- --zones comm` serves one network zone at a real site.
 * SIGINT/SIGTERM shut down gracefully: running activities finish or time out, nothing is lost.
 */
import { parseArgs } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { createLogger, temporalLogger } from '../connectors/logging/logger.ts';
import { temporalConnectionOptions } from '../connectors/temporal/connection-options.ts';
import { argumentsOk, commandLine } from '../scripts/lib/check-args.ts';
import { useEmbeddedSecrets } from '../scripts/lib/embedded-secrets.ts';
import { loadSite, metricsUrl } from '../temporal.config.ts';
import { createWorkers, zones, type Zone } from './create-workers.ts';
import { prebuiltWorkflowBundle } from './prebuilt-bundle.ts';
import { installRuntime } from './telemetry.ts';

const { args, checkOnly } = commandLine();
const { values } = parseArgs({
  args,
  options: {
    zones: { type: 'string', default: zones.join(',') },
    'workflow-bundle': { type: 'string' },
    'metrics-port': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(`Usage: npm run worker -- [--zones runbooks,comm,db]

Starts a Temporal worker for the site in JINCAI_SITE (default sites/sandbox.yaml).
  --zones            which task queues this process serves (default: all): ${zones.join(', ')}
  --workflow-bundle  prebuilt workflow code (default: compiled, the bundle \`npm run build\` wrote
                     beside this file; from source, the workflows compiled at start)
  --metrics-port     where this worker serves its metrics (default the site's metrics.workerPort):
                     for a second worker on the same host`);
  process.exit(0);
}
const requested = values.zones.split(',').map((z) => z.trim());
const unknown = requested.filter((z) => !(zones as readonly string[]).includes(z));
if (unknown.length > 0) {
  console.error(`--zones: unknown zone(s) ${unknown.join(', ')}; expected some of ${zones.join(', ')}`);
  process.exit(2);
}
const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
if (
  metricsPort !== undefined &&
  !(Number.isInteger(metricsPort) && metricsPort >= 1 && metricsPort <= 65535)
) {
  console.error(`--metrics-port: expected a port number from 1 to 65535, got "${values['metrics-port']}"`);
  process.exit(2);
}
if (checkOnly) {
  console.log(
    argumentsOk(
      `run a worker for the zone(s) ${requested.join(', ')}${metricsPort ? `, metrics on port ${metricsPort}` : ''}`,
    ),
  );
  process.exit(0);
}

const log = createLogger('worker');
try {
  const loaded = loadSite();
  const site = metricsPort ? { ...loaded, metrics: { ...loaded.metrics, workerPort: metricsPort } } : loaded;
  useEmbeddedSecrets(site);
  installRuntime(site, temporalLogger(log.child({ component: 'temporal-sdk' })));
  const workflowBundle = requested.includes('runbooks')
    ? prebuiltWorkflowBundle(import.meta.url, values['workflow-bundle'])
    : undefined;
  const connection = await NativeConnection.connect(temporalConnectionOptions(site.temporal));
  const { workers, close } = await createWorkers({
    site,
    connection,
    zones: requested as Zone[],
    log,
    ...(workflowBundle && { workflowBundle }),
  });
  log.info(
    {
      address: site.temporal.address,
      tls: !!site.temporal.tls,
      workflows: requested.includes('runbooks') ? (workflowBundle?.codePath ?? 'compiled at start') : 'none',
      namespace: site.temporal.namespace,
      metrics: site.metrics.enabled ? metricsUrl(site, 'worker') : 'off',
      pid: process.pid,
    },
    'worker running',
  );
  await Promise.all(workers.map((w) => w.run()));
  await close();
  await connection.close();
  log.info('worker stopped');
} catch (err) {
  log.error({ err }, 'worker failed');
  process.exitCode = 1;
}
