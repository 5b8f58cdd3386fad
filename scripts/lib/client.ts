/** Connects a Temporal client for the site in force. */
import { Client, Connection } from '@temporalio/client';
import type { SiteConfig } from '../../temporal.config.ts';

export async function connectClient(site: SiteConfig): Promise<Client> {
  const connection = await Connection.connect({ address: site.temporal.address });
  return new Client({ connection, namespace: site.temporal.namespace });
}
