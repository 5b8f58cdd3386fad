/**
 * A stand-in mqweb server for the mq-client tests: checks basic auth and the CSRF header the way
 * mqweb does, records each request, and answers with whatever the test's route returns.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeMqweb {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const user = 'mqadmin';
export const password = 'passw0rd';

export async function startFakeMqweb(
  route: (req: RecordedRequest) => Reply | Promise<Reply> | 'hang',
  tls?: { key: Buffer; cert: Buffer },
): Promise<FakeMqweb> {
  const requests: RecordedRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const expected = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
      if (req.headers.authorization !== expected) return send(res, { status: 401, body: { error: [] } });
      if (req.method !== 'GET' && !req.headers['ibm-mq-rest-csrf-token']) {
        return send(res, {
          status: 403,
          body: { error: [{ msgId: 'CSRF', message: 'missing CSRF token' }] },
        });
      }
      const reply = await route(recorded);
      if (reply === 'hang') return;
      send(res, reply);
    });
  };
  const server: Server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, reply: Reply): void {
  const body =
    reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    ...reply.headers,
  });
  res.end(body);
}

/** A port that refuses connections: listen, note the port, close. */
export async function closedPort(): Promise<number> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
