/** `npm run schedules`: upsert the site's schedules on its Temporal server. */
import { loadSite } from '../temporal.config.ts';
import { connectClient } from './lib/client.ts';
import { upsertSchedules } from './lib/schedules.ts';

const site = loadSite();
const client = await connectClient(site);
try {
  for (const line of await upsertSchedules(client, site)) console.log(line);
} finally {
  await client.connection.close();
}
