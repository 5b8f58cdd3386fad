/**
 * The inbox process (`npm run inbox`): loads the site, connects to Temporal with the workers'
 * payload codec, reads the signing key and the user store, mounts the codec endpoint for the
 * Temporal Web UI it serves behind itself, serves its metrics on their own port (`metrics.inboxPort`),
 * and serves until SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { loadSigningKey } from '../connectors/approvals/signing-keys.ts';
import { createCodecEndpoint } from '../connectors/codec/codec-endpoint.ts';
import { AesGcmPayloadCodec } from '../connectors/codec/payload-codec.ts';
import { createLogger } from '../connectors/logging/logger.ts';
import { serveMetrics, type MetricsEndpoint } from '../connectors/metrics/prometheus-endpoint.ts';
import { createLocalUserStore } from '../connectors/users/local-store.ts';
import { argumentsOk, commandLine } from '../scripts/lib/check-args.ts';
import { clientPayloadKeys, connectClient } from '../scripts/lib/client.ts';
import { useEmbeddedSecrets } from '../scripts/lib/embedded-secrets.ts';
import { loadSite } from '../temporal.config.ts';
import { openDecisionHistory } from './history.ts';
import { createInboxMetrics } from './metrics.ts';
import { startInbox } from './server.ts';

const { args, checkOnly } = commandLine();
parseArgs({ args, options: {} });
if (checkOnly) {
  console.log(argumentsOk('serve the approval inbox'));
  process.exit(0);
}
const log = createLogger('inbox');
try {
  const site = loadSite();
  useEmbeddedSecrets(site);
  const signingKey = loadSigningKey(site.approvals);
  const users = createLocalUserStore(site.approvals.users.file);
  const keys = clientPayloadKeys(site);
  const client = await connectClient(site);
  const history = openDecisionHistory(site.audit);
  const metrics = createInboxMetrics(site.inbox.temporalUi.path);
  const inbox = await startInbox({
    metrics,
    site,
    client,
    users,
    signingKey,
    log,
    history,
    codecHandler: (authorize, ownOrigins) =>
      createCodecEndpoint({
        codec: new AesGcmPayloadCodec(keys),
        // The Web UI is served by the inbox itself, so its codec calls come from the inbox's origin.
        uiOrigins: ownOrigins,
        authorize,
        log: log.child({ component: 'codec' }),
      }),
  });
  let endpoint: MetricsEndpoint | undefined;
  if (site.metrics.enabled) {
    const at = { host: site.metrics.host, port: site.metrics.inboxPort };
    endpoint = await serveMetrics(metrics.registry, at).catch(async (err: unknown) => {
      await inbox.stop();
      throw new Error(
        `metrics.inboxPort: cannot serve metrics at ${at.host}:${at.port}: ${(err as Error).message}`,
      );
    });
  }
  log.info(
    {
      url: inbox.url,
      publicUrl: site.inbox.publicUrl,
      keyId: signingKey.keyId,
      metrics: endpoint?.url ?? 'off',
    },
    'inbox ready',
  );

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'inbox stopping');
    await inbox.stop();
    await endpoint?.stop();
    await history.close();
    await client.connection.close();
    log.info('inbox stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      shutdown(signal).catch((err: unknown) => {
        log.error({ err }, 'inbox did not stop cleanly');
        process.exitCode = 1;
      });
    });
  }
} catch (err) {
  log.error({ err }, 'inbox failed to start');
  process.exitCode = 1;
}
