/** Connects a Temporal client for the site in force, with the payload codec of its workers. */
import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../../connectors/codec/data-converter.ts';
import { temporalConnectionOptions } from '../../connectors/temporal/connection-options.ts';
import { payloadKeysFromEnv, type PayloadKeys } from '../../connectors/codec/payload-keys.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { withEmbeddedSecrets } from './embedded-secrets.ts';

/** The site's payload keys; commands against the embedded stack fall back to the key it generated. */
export function clientPayloadKeys(site: SiteConfig, env: NodeJS.ProcessEnv = process.env): PayloadKeys {
  return payloadKeysFromEnv(site.codec.keysEnv, withEmbeddedSecrets(site, env));
}

export async function connectClient(site: SiteConfig, env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const dataConverter = createDataConverter(clientPayloadKeys(site, env));
  const connection = await Connection.connect(temporalConnectionOptions(site.temporal));
  return new Client({ connection, namespace: site.temporal.namespace, dataConverter });
}
