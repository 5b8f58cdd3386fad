/**
 * Shared set-up for the sandbox MQ tests: a small estate, an mqweb server (with
 * the programs' MQI stand-in beside it, as the sandbox serves them).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMqEstate, type MqEstate } from '../../sandbox/mq/estate.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { createMqiHandler } from '../../sandbox/mq/mqi-routes.ts';
import { createMqwebHandler } from '../../sandbox/mq/mqweb-routes.ts';
import { runMqsc } from '../../sandbox/mq/mqsc/execute.ts';

export async function makeEstate(
  codes = ['ICBC', 'ABC'],
  opts: { startChannels?: boolean } = {},
): Promise<MqEstate> {
  const banks = [];
  for (const code of codes) {
    banks.push({
      code,
      qmgr: `QM.${code}`,
      senderChannel: `CZ.TO.${code}`,
      receiverChannel: `${code}.TO.CZ`,
      xmitq: `QM.${code}`,
      frontEnd: { host: '127.0.0.1', port: await freePort() },
    });
  }
  return createMqEstate({ financeQmgr: 'QM.CZ', banks, retryTicks: 1, ...opts });
}

/** Attributes of the first object a display returns, as `{ KEY: value }`. */
export function attrsOf(estate: MqEstate, qmgr: string, command: string): Record<string, string> {
  const out = runMqsc(estate, qmgr, command);
  const first = out.items[0];
  if (!first?.attrs) throw new Error(`${command} on ${qmgr} returned no object: ${first?.text.join(' ')}`);
  return Object.fromEntries(first.attrs.map((a) => [a.key, a.value ?? '']));
}

export const credentials = { user: 'mqadmin', password: 's3cret-pw' };

export async function startMqweb(
  estate: MqEstate,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const mqweb = createMqwebHandler(estate, credentials);
  const mqi = createMqiHandler(estate, credentials);
  const handle = async (req: IncomingMessage, res: ServerResponse) =>
    (await mqweb(req, res)) || mqi(req, res);
  const server = createServer((req, res) => {
    handle(req, res).then(
      (handled) => {
        if (!handled) {
          res.writeHead(404);
          res.end();
        }
      },
      (err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const basicAuth = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
