/**
 * The inbox's Prometheus metrics (prom-client, served on `metrics.inboxPort` by main.ts): its
 * requests by route, method and status and how long they took, the decisions it forwarded and how
 * each ended, and the sign-ins it refused — a wrong user or password, or the throttle. A route is
 * named by its pattern (`/approvals/:id`), never by the run or the runbook in its path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';
import { processRegistry } from '../connectors/metrics/prometheus-endpoint.ts';
import type { ApprovalService } from './approvals.ts';
import type { LoginThrottle } from './login-throttle.ts';

export interface InboxMetrics {
  registry: Registry;
  /** Counts the request once its answer has gone out. */
  observe(req: IncomingMessage, res: ServerResponse): void;
  /** The approval service, its decisions counted. */
  approvals(service: ApprovalService): ApprovalService;
  /** The sign-in throttle, the attempts it refuses and the failed ones counted. */
  throttle(throttle: LoginThrottle): LoginThrottle;
}

export function createInboxMetrics(uiPath: string): InboxMetrics {
  const registry = processRegistry();
  const requests = new Counter({
    name: 'jincai_inbox_requests_total',
    help: 'Requests the inbox answered, by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'jincai_inbox_request_duration_seconds',
    help: 'How long the inbox took to answer, by route',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'jincai_inbox_decisions_total',
    help: 'Decisions the inbox signed and sent, by verdict, front door (inbox or cli) and result (accepted or why refused)',
    labelNames: ['verdict', 'via', 'result'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'jincai_inbox_logins_refused_total',
    help: 'Sign-ins refused: bad-credentials (unknown user or wrong password), locked or busy (the throttle)',
    labelNames: ['reason'],
    registers: [registry],
  });
  return {
    registry,
    observe(req, res) {
      const started = performance.now();
      res.once('finish', () => {
        const route = routeOf(new URL(req.url ?? '/', 'http://inbox.invalid').pathname, uiPath);
        requests.inc({ route, method: methodOf(req.method), status: String(res.statusCode) });
        duration.observe({ route }, (performance.now() - started) / 1000);
      });
    },
    approvals: (service) => ({
      ...service,
      async decide(user, workflowId, input, via) {
        const outcome = await service.decide(user, workflowId, input, via);
        decisions.inc({ verdict: input.verdict, via, result: outcome.ok ? 'accepted' : outcome.reason });
        return outcome;
      },
    }),
    throttle: (throttle) => ({
      admit(userId, ip) {
        const admission = throttle.admit(userId, ip);
        if (!admission.admitted) {
          refused.inc({ reason: admission.why });
          return admission;
        }
        let finished = false;
        return {
          admitted: true,
          ticket: {
            finish(succeeded) {
              if (!finished && !succeeded) refused.inc({ reason: 'bad-credentials' });
              finished = true;
              admission.ticket.finish(succeeded);
            },
          },
        };
      },
    }),
  };
}

const methods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
const methodOf = (method: string | undefined) => (method && methods.has(method) ? method : 'OTHER');

const fixedRoutes = new Set([
  '/',
  '/login',
  '/logout',
  '/lang',
  '/history',
  '/healthz',
  '/start',
  '/assets/inbox.css',
  '/api/session',
  '/api/runbooks',
  '/api/runs',
  '/api/approvals',
  '/api/claims',
  '/api/paused',
]);

/** The route a path takes, as a pattern: few values, whatever the path. */
export function routeOf(path: string, uiPath: string): string {
  if (fixedRoutes.has(path)) return path;
  if (path === '/codec' || path.startsWith('/codec/')) return '/codec';
  if (path.startsWith(`${uiPath}/api/`)) return `${uiPath}/api`;
  if (path === uiPath || path.startsWith(`${uiPath}/`)) return uiPath;
  if (path.startsWith('/start/')) return '/start/:runbook';
  const run = /^\/(api\/)?(approvals|paused)\/.+?(\/decision|\/claim)?$/.exec(path);
  if (run) return `/${run[1] ?? ''}${run[2]}/:id${run[3] ?? ''}`;
  return 'other';
}
