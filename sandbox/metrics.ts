/**
 * The sandbox's Prometheus metrics, served at `/metrics` on its own port: the requests it answered
 * by area (mqweb, its own API, the estate, the province's platform, the procurement cloud), and,
 * read when scraped, what a bureau's own monitoring would show of the estate — each channel's
 * status, each queue's depth, each bank's items by status, the faults in force.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, type Registry } from 'prom-client';
import { processRegistry } from '../connectors/metrics/prometheus-endpoint.ts';
import type { MqEstateSnapshot } from './mq/types.ts';

export interface SandboxReadings {
  snapshot(): MqEstateSnapshot;
  /** Each bank's items by status, from its own books. */
  bankItems(): { bank: string; byStatus: Record<string, number> }[];
  faults(): { fault: string }[];
}

export interface SandboxMetrics {
  registry: Registry;
  /** Counts the request once its answer has gone out. */
  observe(req: IncomingMessage, res: ServerResponse): void;
}

export function createSandboxMetrics(read: SandboxReadings): SandboxMetrics {
  const registry = processRegistry();
  const requests = new Counter({
    name: 'jincai_sandbox_requests_total',
    help: 'Requests the sandbox answered, by area, method and status',
    labelNames: ['area', 'method', 'status'],
    registers: [registry],
  });
  new Gauge({
    name: 'jincai_sandbox_channel_status',
    help: "Each channel's status as DISPLAY CHSTATUS shows it: 1 for the status it is in",
    labelNames: ['qmgr', 'channel', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const q of read.snapshot().qmgrs)
        for (const c of q.channels) this.set({ qmgr: q.name, channel: c.name, status: c.status }, 1);
    },
  });
  new Gauge({
    name: 'jincai_sandbox_queue_depth',
    help: "Each queue's current depth",
    labelNames: ['qmgr', 'queue'],
    registers: [registry],
    collect() {
      this.reset();
      for (const q of read.snapshot().qmgrs)
        for (const queue of q.queues) this.set({ qmgr: q.name, queue: queue.name }, queue.depth);
    },
  });
  new Gauge({
    name: 'jincai_sandbox_bank_items',
    help: "Items in each bank's books, by status",
    labelNames: ['bank', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { bank, byStatus } of read.bankItems())
        for (const [status, n] of Object.entries(byStatus)) this.set({ bank, status }, n);
    },
  });
  new Gauge({
    name: 'jincai_sandbox_faults_active',
    help: 'Faults injected and in force, by fault',
    labelNames: ['fault'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { fault } of read.faults()) this.inc({ fault });
    },
  });
  return {
    registry,
    observe(req, res) {
      res.once('finish', () =>
        requests.inc({
          area: areaOf(new URL(req.url ?? '/', 'http://sandbox.invalid').pathname),
          method:
            req.method === 'GET' || req.method === 'POST' || req.method === 'DELETE' ? req.method : 'OTHER',
          status: String(res.statusCode),
        }),
      );
    },
  };
}

const areas: [prefix: string, area: string][] = [
  ['/ibmmq/', 'mqweb'],
  ['/sandbox/estate/', 'estate'],
  ['/sandbox/', 'sandbox'],
  ['/province/', 'province'],
  ['/zcy/', 'procurement'],
  ['/metrics', 'metrics'],
];

function areaOf(path: string): string {
  return areas.find(([prefix]) => path.startsWith(prefix))?.[1] ?? 'other';
}
