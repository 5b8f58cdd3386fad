/** Connects a Temporal client for the site in force, with the payload codec of its workers. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createDataConverter } from '../../connectors/codec/data-converter.ts';
import { temporalConnectionOptions } from '../../connectors/temporal/connection-options.ts';
import {
  parsePayloadKeys,
  payloadKeysFromEnv,
  type PayloadKeys,
} from '../../connectors/codec/payload-keys.ts';
import { projectRoot, type SiteConfig } from '../../temporal.config.ts';

/** Where the embedded stack keeps the payload key it generated when none was given (mode 600). */
export const embeddedPayloadKeysFile = join(projectRoot, 'data', 'secrets', 'payload-keys');

/** The site's payload keys; commands against the embedded stack fall back to the key it generated. */
export function clientPayloadKeys(site: SiteConfig, env: NodeJS.ProcessEnv = process.env): PayloadKeys {
  const name = site.codec.keysEnv;
  if (!env[name] && site.sandbox && existsSync(embeddedPayloadKeysFile)) {
    return parsePayloadKeys(readFileSync(embeddedPayloadKeysFile, 'utf8').trim(), embeddedPayloadKeysFile);
  }
  return payloadKeysFromEnv(name, env);
}

export async function connectClient(site: SiteConfig, env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const dataConverter = createDataConverter(clientPayloadKeys(site, env));
  const connection = await Connection.connect(temporalConnectionOptions(site.temporal));
  return new Client({ connection, namespace: site.temporal.namespace, dataConverter });
}
