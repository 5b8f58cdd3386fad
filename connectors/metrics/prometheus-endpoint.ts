/**
 * Prometheus metrics of a process without a Temporal runtime (the inbox, the sandbox), with
 * prom-client: a registry holding the process's own metrics — CPU, memory, event loop lag, garbage
 * collection — beside the process's, served as Prometheus' text format at `GET /metrics`, either on
 * a port of its own or as one route of a server the process already runs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';

export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Answers `GET /metrics` from `registry`; resolves false for any other request. */
export function metricsRoute(registry: Registry) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://metrics.invalid').pathname !== '/metrics')
      return false;
    const text = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType });
    res.end(text);
    return true;
  };
}

export interface MetricsEndpoint {
  url: string;
  stop(): Promise<void>;
}

/** Serves `registry` at `http://<host>:<port>/metrics` (port 0: a free one) until stopped. */
export async function serveMetrics(
  registry: Registry,
  at: { host: string; port: number },
): Promise<MetricsEndpoint> {
  const route = metricsRoute(registry);
  const server = createServer((req, res) => {
    route(req, res).then(
      (served) => {
        if (served) return;
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('metrics are at /metrics');
      },
      (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`metrics unavailable: ${(err as Error).message}`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  return {
    url: `http://${host}:${port}/metrics`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
