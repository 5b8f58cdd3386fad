/**
 * The inbox's JSON API under /api/, used by the CLI: a bearer token from POST /api/session (the
 * same session store as the browser, but a token is never a cookie and a cookie is never
 * accepted here, so no CSRF token is needed), the pending list, one approval, a decision sent
 * `via: 'cli'`, the runs waiting to be claimed and a claim, the paused steps, one of them and an
 * operator's decision on it (retry, skip, abort). Bad input is a 400 naming the field; an
 * unknown run is a 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { handActions } from '../domain/approvals/hand-decision.ts';
import type { UserDirectory } from '../connectors/users/directory.ts';
import type { ApprovalService } from './approvals.ts';
import type { ClaimRefusal, ClaimService } from './claims.ts';
import type { HandRefusal, HandService } from './hand.ts';
import { HttpError, clientIp, parseCookies, readJson, sendJson } from './http.ts';
import { refusalText, type DecisionRefusal } from './i18n.ts';
import { claimRefusalText } from './i18n-claims.ts';
import { handRefusalText } from './i18n-hand.ts';
import { throttledSignIn, type LoginThrottle } from './login-throttle.ts';
import type { RunService } from './runs.ts';
import { RunNotFoundError } from './run-state.ts';
import type { Session, SessionStore } from './sessions.ts';

export interface ApiDeps {
  sessions: SessionStore;
  throttle: LoginThrottle;
  users: UserDirectory;
  service: ApprovalService;
  claims: ClaimService;
  hand: HandService;
  runs: RunService;
  log: Logger;
  sessionCookie: string;
  idleMinutes: number;
}

const sessionBody = z
  .object({
    user: z.string().min(1, 'expected a user id').max(64, 'expected at most 64 characters'),
    password: z.string().min(1, 'expected a password').max(200, 'expected at most 200 characters'),
  })
  .strict();

export const decisionBody = z
  .object({
    verdict: z.enum(['approve', 'reject']),
    reason: z.string().max(1000, 'expected at most 1000 characters').optional(),
    gateId: z
      .string()
      .min(1, 'expected the gate id shown with the approval')
      .max(100, 'expected at most 100 characters'),
    planDigest: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected the plan digest shown with the approval (64 lower-case hex digits)'),
  })
  .strict();

const claimBody = z
  .object({
    reason: z.string().max(1000, 'expected at most 1000 characters').optional(),
    /** The run the caller looked at; omitted, the current run. */
    runId: z.string().min(1).max(64, 'expected at most 64 characters').optional(),
  })
  .strict();

const handBody = z
  .object({
    action: z.enum(handActions),
    reason: z.string().max(1000, 'expected at most 1000 characters').optional(),
    /** The pause the caller looked at; omitted, the one waiting now. */
    pauseId: z.string().min(1).max(100, 'expected at most 100 characters').optional(),
    runId: z.string().min(1).max(64, 'expected at most 64 characters').optional(),
  })
  .strict();

const startBody = z
  .object({
    runbook: z.string().min(1, 'expected a runbook name').max(100, 'expected at most 100 characters'),
    /** Checked by the runbook's own schema once the runbook is known. */
    input: z.unknown().optional(),
    workflowId: z.string().min(1).max(255, 'expected at most 255 characters').optional(),
  })
  .strict();

function parseBody<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new HttpError(400, 'bad_request', 'body: expected a JSON object', 'body');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = issue && 'keys' in issue ? (issue.keys as string[]) : [];
    const field = [...(issue?.path ?? []).map(String), ...keys.slice(0, 1)].join('.') || 'body';
    let message = issue?.message;
    if (issue?.code === 'unrecognized_keys') message = 'unknown field';
    else if (issue?.code === 'invalid_type')
      message = /received undefined/.test(issue.message)
        ? `required (${issue.expected})`
        : `expected ${issue.expected}`;
    throw new HttpError(400, 'bad_request', `${field}: ${message ?? 'invalid'}`, field);
  }
  return parsed.data;
}

export function refusalStatus(reason: DecisionRefusal): number {
  if (reason === 'reason-required') return 400;
  if (reason === 'not-found') return 404;
  if (reason === 'not-allowed') return 403;
  return 409;
}

export function claimRefusalStatus(reason: ClaimRefusal): number {
  if (reason === 'not-found') return 404;
  if (reason === 'not-allowed' || reason === 'not-a-starter' || reason === 'unknown-user') return 403;
  return 409;
}

export function handRefusalStatus(reason: HandRefusal): number {
  if (reason === 'reason-required' || reason === 'malformed') return 400;
  if (reason === 'not-found') return 404;
  if (reason === 'not-allowed' || reason === 'self-skip' || reason === 'unknown-user') return 403;
  return 409;
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+([A-Za-z0-9_-]{20,100})$/.exec(header.trim());
  return match?.[1];
}

/** Handles /api/…; every answer is JSON. */
export async function handleApi(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const allow = (methods: string[]) => {
    if (!methods.includes(method)) {
      res.setHeader('Allow', methods.join(', '));
      throw new HttpError(405, 'method_not_allowed', `${method} ${path}: expected ${methods.join(' or ')}`);
    }
  };

  if (path === '/api/session') {
    allow(['POST', 'DELETE']);
    if (method === 'DELETE') {
      deps.sessions.end(bearer(req));
      res.writeHead(204).end();
      return;
    }
    const body = parseBody(sessionBody, await readJson(req));
    const ip = clientIp(req);
    const attempt = await throttledSignIn(deps.throttle, deps.users, {
      userId: body.user,
      password: body.password,
      ip,
    });
    if (!attempt.ok && attempt.status === 429) {
      const wait = attempt.retryAfterSeconds;
      deps.log.warn({ user: body.user, ip, via: 'api', retryAfter: wait }, 'sign-in throttled');
      res.setHeader('Retry-After', String(wait));
      throw new HttpError(429, 'too_many_attempts', `too many sign-in attempts; try again in ${wait} s`);
    }
    if (!attempt.ok) {
      deps.log.warn({ user: body.user, ip, via: 'api' }, 'sign-in failed');
      throw new HttpError(401, 'unauthorized', 'wrong user id or password');
    }
    const user = attempt.user;
    const session = deps.sessions.create(user, 'bearer');
    deps.log.info({ user: user.id, ip, via: 'api' }, 'signed in');
    sendJson(res, 200, { token: session.id, user, idleMinutes: deps.idleMinutes });
    return;
  }

  const session = authenticate(deps, req);
  const user = session.user;
  if (path === '/api/runbooks' || path === '/api/runs') {
    await handleRuns(deps, req, res, path, user, allow);
    return;
  }
  if (path === '/api/approvals') {
    allow(['GET']);
    const { items, unavailable } = await deps.service.listFor(user);
    sendJson(res, 200, { approvals: items, unavailable });
    return;
  }
  if (path === '/api/claims') {
    allow(['GET']);
    if (!deps.claims.mayClaim(user))
      throw new HttpError(403, 'forbidden', 'claiming runs is for engineers (approvals.startRoles)');
    sendJson(res, 200, { claims: await deps.claims.listFor(user) });
    return;
  }
  if (path === '/api/paused' || path.startsWith('/api/paused/')) {
    await handlePaused(deps, req, res, path, user, allow);
    return;
  }
  const match = /^\/api\/approvals\/([^/]+)(\/decision|\/claim)?$/.exec(path);
  if (!match) throw new HttpError(404, 'not_found', `${path}: no such API`);
  const workflowId = decodeSegment(match[1] ?? '');
  if (!match[2]) {
    allow(['GET']);
    try {
      const detail = await deps.service.detailFor(user, workflowId);
      sendJson(res, 200, {
        workflowId,
        runbook: detail.state.runbook,
        requestedBy: detail.state.requestedBy,
        requester: detail.state.requester,
        awaitingClaim: detail.state.awaitingClaim,
        canClaim: detail.state.awaitingClaim && deps.claims.mayClaim(user),
        pending: detail.pending,
        closed: detail.state.closed,
        canDecide: !!detail.pending && !detail.blocker,
        ...(detail.blocker && { blocker: detail.blocker }),
      });
    } catch (err) {
      if (err instanceof RunNotFoundError)
        throw new HttpError(404, 'not_found', `no approval-gated run ${workflowId}`);
      throw err;
    }
    return;
  }
  allow(['POST']);
  if (match[2] === '/claim') {
    await claim(deps, req, res, user, workflowId);
    return;
  }
  const body = parseBody(decisionBody, await readJson(req));
  const outcome = await deps.service.decide(user, workflowId, body, 'cli');
  if (outcome.ok) {
    sendJson(res, 200, { receipt: outcome.receipt });
    return;
  }
  sendJson(res, refusalStatus(outcome.reason), {
    error: 'refused',
    reason: outcome.reason,
    message: refusalText(outcome.reason),
    detail: outcome.detail,
  });
}

/** A claim: 200 with the run's requester now, or 403, 404, 409 with the reason in Chinese and English. */
async function claim(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  user: Session['user'],
  workflowId: string,
): Promise<void> {
  const body = parseBody(claimBody, await readJson(req));
  const reason = body.reason?.trim();
  const outcome = await deps.claims.claim(
    user,
    workflowId,
    { ...(reason && { reason }), ...(body.runId && { runId: body.runId }) },
    'cli',
  );
  if (outcome.ok) {
    sendJson(res, 200, { workflowId, requester: outcome.requester });
    return;
  }
  sendJson(res, claimRefusalStatus(outcome.reason), {
    error: 'refused',
    reason: outcome.reason,
    message: claimRefusalText(outcome.reason),
    detail: outcome.detail,
  });
}

/** Paused steps: the list, one run's pause, and a decision on it (200, or 400, 403, 404, 409 with the reason in Chinese and English). */
async function handlePaused(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  user: Session['user'],
  allow: (methods: string[]) => void,
): Promise<void> {
  if (path === '/api/paused') {
    allow(['GET']);
    const { items, unavailable } = await deps.hand.listFor(user);
    sendJson(res, 200, { paused: items, unavailable });
    return;
  }
  const match = /^\/api\/paused\/([^/]+)(\/decision)?$/.exec(path);
  if (!match) throw new HttpError(404, 'not_found', `${path}: no such API`);
  const workflowId = decodeSegment(match[1] ?? '');
  if (!match[2]) {
    allow(['GET']);
    try {
      const detail = await deps.hand.detailFor(user, workflowId);
      sendJson(res, 200, { workflowId, ...detail.state, mayTake: detail.mayTake });
    } catch (err) {
      if (err instanceof RunNotFoundError)
        throw new HttpError(404, 'not_found', `no runbook run ${workflowId}`);
      throw err;
    }
    return;
  }
  allow(['POST']);
  const body = parseBody(handBody, await readJson(req));
  const reason = body.reason?.trim();
  const outcome = await deps.hand.decide(
    user,
    workflowId,
    {
      action: body.action,
      ...(reason && { reason }),
      ...(body.pauseId && { pauseId: body.pauseId }),
      ...(body.runId && { runId: body.runId }),
    },
    'cli',
  );
  if (outcome.ok) {
    sendJson(res, 200, { workflowId, receipt: outcome.receipt });
    return;
  }
  sendJson(res, handRefusalStatus(outcome.reason), {
    error: 'refused',
    reason: outcome.reason,
    message: handRefusalText(outcome.reason),
    detail: outcome.detail,
  });
}

/** The runbooks an engineer may start, and a start: 201, or 400 naming the fields, 403, 409. */
async function handleRuns(
  deps: ApiDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  user: Session['user'],
  allow: (methods: string[]) => void,
): Promise<void> {
  if (!deps.runs.mayStart(user)) {
    throw new HttpError(403, 'forbidden', 'starting runbooks is for engineers (approvals.startRoles)');
  }
  if (path === '/api/runbooks') {
    allow(['GET']);
    sendJson(res, 200, { runbooks: deps.runs.runbooks() });
    return;
  }
  allow(['POST']);
  const body = parseBody(startBody, await readJson(req));
  const outcome = await deps.runs.start(
    user,
    {
      runbook: body.runbook,
      input: body.input ?? {},
      ...(body.workflowId && { workflowId: body.workflowId }),
    },
    'cli',
  );
  if (outcome.ok) {
    sendJson(res, 201, { runbook: outcome.runbook, workflowId: outcome.workflowId, runId: outcome.runId });
  } else if (outcome.reason === 'invalid-input') {
    const first = outcome.problems[0] ?? 'input: invalid';
    sendJson(res, 400, {
      error: 'invalid_input',
      message: `Invalid input:\n${outcome.problems.map((p) => `  - ${p}`).join('\n')}`,
      field: first.slice(0, first.indexOf(':')),
      problems: outcome.problems,
    });
  } else if (outcome.reason === 'already-running') {
    sendJson(res, 409, {
      error: 'already_running',
      message: `${outcome.workflowId} is already running`,
      workflowId: outcome.workflowId,
    });
  } else {
    throw new HttpError(403, 'forbidden', 'starting runbooks is for engineers (approvals.startRoles)');
  }
}

function authenticate(deps: ApiDeps, req: IncomingMessage): Session {
  const token = bearer(req);
  if (!token) {
    if (parseCookies(req.headers.cookie).has(deps.sessionCookie)) {
      throw new HttpError(
        401,
        'cookie_not_accepted',
        'the API takes a bearer token from POST /api/session, not a browser session cookie',
      );
    }
    throw new HttpError(
      401,
      'unauthorized',
      'authorization: expected "Bearer <token>" from POST /api/session',
    );
  }
  const session = deps.sessions.touch(token, 'bearer');
  if (!session)
    throw new HttpError(401, 'unauthorized', 'the token is unknown or has expired; sign in again');
  return session;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad_request', 'workflowId: not valid percent-encoding', 'workflowId');
  }
}
