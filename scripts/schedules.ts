/** `npm run schedules`: upsert the site's schedules on its Temporal server. Takes no arguments. */
import { parseArgs } from 'node:util';
import { loadSite } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { connectClient } from './lib/client.ts';
import { upsertSchedules } from './lib/schedules.ts';

const { args, checkOnly } = commandLine();
parseArgs({ args, options: {} });
if (checkOnly) {
  console.log(argumentsOk("upsert the site's schedules"));
  process.exit(0);
}
const site = loadSite();
const client = await connectClient(site);
try {
  for (const line of await upsertSchedules(client, site)) console.log(line);
} finally {
  await client.connection.close();
}
