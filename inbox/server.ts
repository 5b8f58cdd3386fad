/**
 * The approver inbox: a small node:http server where finance approvers sign in, see what waits
 * for their roles, read a plan and approve or reject it, and engineers start runs and claim those
 * nobody signed for; its JSON API serves the CLI, and the codec endpoint for the Temporal Web UI
 * can be mounted under /codec/.
 *
 * Browser requests ride on an HttpOnly, SameSite=Strict session cookie; every POST must come
 * from this inbox's own origin (Origin, else Referer) and carry the session's synchronizer
 * token — the sign-in form, which has no session yet, a double-submitted token instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { SigningKey } from '../connectors/approvals/signing-keys.ts';
import type { UserDirectory } from '../connectors/users/directory.ts';
import type { CodecOperation } from '../connectors/codec/codec-endpoint.ts';
import { temporalUiUpstream, type SiteConfig } from '../temporal.config.ts';
import { handleApi, refusalStatus } from './api.ts';
import { withRunbookApprovals } from '../workflows/catalog.ts';
import { createApprovalService } from './approvals.ts';
import { stylesheet } from './assets.ts';
import { claimListSection, requesterSection } from './claim-pages.ts';
import { claimRoute, type ClaimRouteDeps } from './claim-routes.ts';
import { createClaimService } from './claims.ts';
import { createHandService } from './hand.ts';
import { pausedListSection, pausedPage } from './hand-pages.ts';
import { handRoute, type HandRouteDeps } from './hand-routes.ts';
import type { DecisionHistory } from './history.ts';
import { html } from './html.ts';
import { pausedStepPath } from '../domain/approvals/hand-decision.ts';
import {
  appendCookie,
  clientIp,
  HttpError,
  parseCookies,
  readForm,
  redirect,
  safeLocalPath,
  sendHtml,
  sendJson,
  serializeCookie,
} from './http.ts';
import { isLang, messages, type Lang } from './i18n.ts';
import {
  approvalPath,
  decisionResultPage,
  detailPage,
  historyPage,
  listPage,
  loginPage,
  messagePage,
  type PageContext,
} from './pages.ts';
import { createLoginThrottle, throttledSignIn, type ThrottleLimits } from './login-throttle.ts';
import type { InboxMetrics } from './metrics.ts';
import { createRunService } from './runs.ts';
import { createRunStateReader, RunNotFoundError, TemporalUnavailableError } from './run-state.ts';
import { startRoute, type StartRouteDeps } from './start-routes.ts';
import { createTemporalUiProxy } from './temporal-ui-proxy.ts';
import { createSessionStore, randomToken, tokensMatch, type Session } from './sessions.ts';

/**
 * Who may use the codec endpoint: decoding, a signed-in user holding one of `codec.decodeRoles`;
 * encoding, a signed-in engineer (`approvals.startRoles`).
 */
export type CodecAuthorize = (
  req: IncomingMessage,
  operation: CodecOperation,
) => Promise<{ user: string } | undefined>;
/**
 * Builds the codec handler once the inbox can say who is calling and what its own origins are
 * (the Web UI it serves calls from them); it resolves false when a path is not its own.
 */
export type CodecMount = (
  authorize: CodecAuthorize,
  ownOrigins: readonly string[],
) => (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface InboxOptions {
  site: SiteConfig;
  client: Client;
  users: UserDirectory;
  signingKey: SigningKey;
  log: Logger;
  /** Default `site.inbox.port`; 0 picks a free port. */
  port?: number;
  /** Address to bind; default all interfaces. */
  host?: string;
  codecHandler?: CodecMount;
  /** 我的审批记录; without it the page says the history is unavailable. */
  history?: DecisionHistory;
  /** Sign-in throttle per account and source address; default 5 failures → account locked 1 minute. */
  throttle?: ThrottleLimits;
  /** Counts requests, decisions and refused sign-ins (served by main.ts); none counted without. */
  metrics?: InboxMetrics;
}

export interface InboxHandle {
  /** http://localhost:<port>, the address the server really listens on. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const sessionCookie = 'jincai_session';
const loginCookie = 'jincai_login';
const langCookie = 'jincai_lang';

export async function startInbox(options: InboxOptions): Promise<InboxHandle> {
  const { site, users, log } = options;
  const secure = site.inbox.secureCookies;
  const idleMs = site.inbox.sessionMinutes * 60_000;
  const sessions = createSessionStore({ idleMs });
  const { metrics } = options;
  const plainThrottle = createLoginThrottle(options.throttle ?? { maxFailures: 5, lockMs: 60_000 });
  const throttle = metrics?.throttle(plainThrottle) ?? plainThrottle;
  const runState = createRunStateReader({ client: options.client, log, timeoutMs: 10_000 });
  const front = {
    site: withRunbookApprovals(site),
    client: options.client,
    runState,
    signingKey: options.signingKey,
    log,
  };
  const approvals = createApprovalService(front);
  const service = metrics?.approvals(approvals) ?? approvals;
  const claims = createClaimService(front);
  const hand = createHandService(front);
  const runs = createRunService({ site, client: options.client, signingKey: options.signingKey, log });
  const decodeRoles = site.codec.decodeRoles;
  const port = options.port ?? site.inbox.port;
  const allowedOrigins = new Set<string>([new URL(site.inbox.publicUrl).origin]);
  // The same server under its loopback names is the same origin for our purposes: nobody else
  // can listen on this port.
  const addLoopbackOrigins = (p: number) => {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) allowedOrigins.add(`http://${host}:${p}`);
  };
  if (port !== 0) addLoopbackOrigins(port);
  const isEngineer = (session: Session) => runs.mayStart(session.user);
  const ui = site.inbox.temporalUi;
  const uiProxy = ui.enabled
    ? createTemporalUiProxy({
        upstream: temporalUiUpstream(site),
        ownCookies: [sessionCookie, loginCookie, langCookie],
        log: log.child({ component: 'temporal-ui' }),
      })
    : undefined;

  const cookie = (name: string, value: string, maxAgeSeconds?: number) =>
    serializeCookie(name, value, {
      secure,
      sameSite: 'Strict',
      ...(maxAgeSeconds !== undefined && { maxAgeSeconds }),
    });

  const browserSession = (req: IncomingMessage): Session | undefined =>
    sessions.touch(parseCookies(req.headers.cookie).get(sessionCookie), 'browser');

  const authorizeCodec: CodecAuthorize = async (req, operation) => {
    const match = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '');
    const session = match ? sessions.touch(match[1], 'bearer') : browserSession(req);
    if (!session) return undefined;
    const allowed =
      operation === 'encode' ? isEngineer(session) : session.user.roles.some((r) => decodeRoles.includes(r));
    return allowed ? { user: session.user.id } : undefined;
  };
  const codec = options.codecHandler?.(authorizeCodec, [...allowedOrigins]);

  const langOf = (req: IncomingMessage): Lang => {
    const chosen = parseCookies(req.headers.cookie).get(langCookie);
    return isLang(chosen) ? chosen : site.inbox.language;
  };

  const pageContext = (req: IncomingMessage, here: string, session?: Session): PageContext => {
    const lang = langOf(req);
    return {
      lang,
      m: messages(lang),
      siteName: site.site.name,
      timeZone: site.site.timezone,
      here,
      ...(session && { user: session.user, csrfToken: session.csrfToken }),
      ...(session &&
        isEngineer(session) && { engineer: { ...(ui.enabled && { temporalUi: `${ui.path}/` }) } }),
    };
  };

  /** The request came from a page of this inbox (browsers send Origin on every POST). */
  const sameOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin) return allowedOrigins.has(origin);
    const referer = req.headers.referer;
    if (!referer) return false;
    try {
      return allowedOrigins.has(new URL(referer).origin);
    } catch {
      return false;
    }
  };

  const forbidden = (
    req: IncomingMessage,
    res: ServerResponse,
    here: string,
    session: Session | undefined,
    why: string,
  ) => {
    log.warn(
      { path: here, ip: clientIp(req), user: session?.user.id, origin: req.headers.origin, why },
      'request refused (CSRF)',
    );
    const ctx = pageContext(req, here, session);
    sendHtml(res, 403, messagePage(ctx, ctx.m.errors.forbiddenTitle, ctx.m.errors.csrf));
  };

  /** A posted form came from a page of this inbox with the session's token; else a 403 page. */
  const formTrusted =
    (what: string) =>
    (req: IncomingMessage, res: ServerResponse, form: URLSearchParams, session: Session) => {
      if (sameOrigin(req) && tokensMatch(session.csrfToken, form.get('csrf'))) return true;
      forbidden(req, res, req.url ?? '/', session, `${what} form token or origin`);
      return false;
    };
  const startDeps: StartRouteDeps = { runs, site, pageContext, formTrusted: formTrusted('start') };
  const claimDeps: ClaimRouteDeps = { claims, pageContext, formTrusted: formTrusted('claim') };
  const handDeps: HandRouteDeps = { hand, pageContext, formTrusted: formTrusted('hand decision') };

  const toLogin = (res: ServerResponse, next: string) =>
    redirect(res, `/login?next=${encodeURIComponent(next)}`);

  async function signIn(req: IncomingMessage, res: ServerResponse, here: string): Promise<void> {
    const form = await readForm(req);
    const given = form.get('csrf');
    const expected = parseCookies(req.headers.cookie).get(loginCookie);
    if (!sameOrigin(req) || !expected || !tokensMatch(expected, given)) {
      forbidden(req, res, here, undefined, 'sign-in form token or origin');
      return;
    }
    const next = safeLocalPath(form.get('next'));
    const userId = (form.get('user') ?? '').trim().slice(0, 64);
    const password = form.get('password') ?? '';
    const ip = clientIp(req);
    const ctx = pageContext(req, here);
    const again = (status: number, error: string) =>
      sendHtml(res, status, loginPage(ctx, { next, loginToken: expected, error, user: userId }));

    const attempt = await throttledSignIn(throttle, users, { userId, password, ip });
    if (!attempt.ok && attempt.status === 429) {
      log.warn(
        { user: userId, ip, via: 'inbox', retryAfter: attempt.retryAfterSeconds },
        'sign-in throttled',
      );
      res.setHeader('Retry-After', String(attempt.retryAfterSeconds));
      again(429, ctx.m.login.throttled(attempt.retryAfterSeconds));
      return;
    }
    if (!attempt.ok) {
      log.warn({ user: userId, ip, via: 'inbox' }, 'sign-in failed');
      again(401, ctx.m.login.failed);
      return;
    }
    const user = attempt.user;
    // A new session id at every sign-in: an id planted before sign-in is worth nothing after.
    sessions.end(parseCookies(req.headers.cookie).get(sessionCookie));
    const session = sessions.create(user, 'browser');
    log.info({ user: user.id, ip, via: 'inbox' }, 'signed in');
    appendCookie(res, cookie(sessionCookie, session.id));
    appendCookie(res, cookie(loginCookie, '', 0));
    redirect(res, next);
  }

  function showLogin(req: IncomingMessage, res: ServerResponse, url: URL, here: string): void {
    const next = safeLocalPath(url.searchParams.get('next'));
    if (browserSession(req)) {
      redirect(res, next);
      return;
    }
    const ctx = pageContext(req, here);
    const loginToken = parseCookies(req.headers.cookie).get(loginCookie) || randomToken();
    appendCookie(res, cookie(loginCookie, loginToken, 1800));
    const notice = url.searchParams.has('signedOut')
      ? ctx.m.login.signedOut
      : url.searchParams.has('next')
        ? ctx.m.login.expired
        : undefined;
    sendHtml(res, 200, loginPage(ctx, { next, loginToken, ...(notice && { notice }) }));
  }

  async function decide(
    req: IncomingMessage,
    res: ServerResponse,
    here: string,
    session: Session,
    workflowId: string,
  ): Promise<void> {
    const form = await readForm(req);
    if (!sameOrigin(req) || !tokensMatch(session.csrfToken, form.get('csrf'))) {
      forbidden(req, res, here, session, 'decision form token or origin');
      return;
    }
    const ctx = pageContext(req, approvalPath(workflowId), session);
    const verdict = form.get('verdict');
    const reason = form.get('reason') ?? '';
    const gateId = form.get('gateId') ?? '';
    const planDigest = form.get('planDigest') ?? '';
    if (verdict !== 'approve' && verdict !== 'reject')
      throw new HttpError(400, 'bad_request', 'verdict: expected approve or reject', 'verdict');
    if (!gateId || gateId.length > 100)
      throw new HttpError(400, 'bad_request', 'gateId: expected the gate shown on the page', 'gateId');
    if (!/^[0-9a-f]{64}$/.test(planDigest))
      throw new HttpError(400, 'bad_request', 'planDigest: expected 64 hex digits', 'planDigest');
    if (reason.length > 1000) {
      sendHtml(res, 400, messagePage(ctx, ctx.m.errors.badRequestTitle, ctx.m.errors.reasonTooLong));
      return;
    }
    const outcome = await service.decide(
      session.user,
      workflowId,
      { verdict, reason, gateId, planDigest },
      'inbox',
    );
    sendHtml(
      res,
      outcome.ok ? 200 : refusalStatus(outcome.reason),
      decisionResultPage(ctx, workflowId, outcome),
    );
  }

  async function showPaused(
    req: IncomingMessage,
    res: ServerResponse,
    here: string,
    session: Session,
    workflowId: string,
  ): Promise<void> {
    const ctx = pageContext(req, here, session);
    try {
      sendHtml(res, 200, pausedPage(ctx, workflowId, await hand.detailFor(session.user, workflowId)));
    } catch (err) {
      if (!(err instanceof RunNotFoundError)) throw err;
      sendHtml(res, 404, messagePage(ctx, ctx.m.errors.notFoundTitle, ctx.m.errors.notFound));
    }
  }

  /**
   * The Web UI, for signed-in engineers only: strangers are sent to sign in (the UI's own calls
   * get a 401), others get a refusal; a write from the UI must come from this origin.
   */
  function temporalUi(
    req: IncomingMessage,
    res: ServerResponse,
    here: string,
    proxy: (req: IncomingMessage, res: ServerResponse) => void,
  ): void {
    const session = browserSession(req);
    const method = req.method ?? 'GET';
    const page = method === 'GET' && !here.startsWith(`${ui.path}/api/`);
    const refuse = (status: 401 | 403, why: string) => {
      log.warn(
        { path: here, method, ip: clientIp(req), user: session?.user.id, why },
        'Temporal Web UI refused',
      );
      if (page && status === 401) return toLogin(res, here);
      if (page) {
        const ctx = pageContext(req, here, session);
        return sendHtml(
          res,
          403,
          messagePage(ctx, ctx.m.errors.forbiddenTitle, ctx.m.errors.uiEngineersOnly),
        );
      }
      sendJson(res, status, { error: status === 401 ? 'unauthorized' : 'forbidden', message: why });
    };
    if (!session) return refuse(401, 'not signed in');
    if (!isEngineer(session)) return refuse(403, 'the Temporal Web UI is for engineers');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) {
      if (!sameOrigin(req)) return refuse(403, 'a write to the Web UI from another origin');
      log.info({ user: session.user.id, method, path: here }, 'Temporal Web UI action');
    }
    proxy(req, res);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://inbox.invalid');
    const path = url.pathname;
    const here = `${path}${url.search}`;
    const method = req.method ?? 'GET';

    if (codec && (path === '/codec' || path.startsWith('/codec/'))) {
      if ((await codec(req, res)) !== false) return;
    }
    if (uiProxy && (path === ui.path || path.startsWith(`${ui.path}/`))) {
      temporalUi(req, res, here, uiProxy);
      return;
    }
    if (path.startsWith('/api/')) {
      await handleApi(
        {
          sessions,
          throttle,
          users,
          service,
          claims,
          hand,
          runs,
          log,
          sessionCookie,
          idleMinutes: site.inbox.sessionMinutes,
        },
        req,
        res,
        path,
      );
      return;
    }
    if (path === '/assets/inbox.css' && method === 'GET') {
      res.writeHead(200, {
        'Content-Type': 'text/css; charset=utf-8',
        'Cache-Control': 'max-age=3600',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(stylesheet);
      return;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { ok: true });
      return;
    }
    if (path === '/login') {
      if (method === 'POST') return signIn(req, res, here);
      return showLogin(req, res, url, here);
    }
    if (path === '/lang' && method === 'GET') {
      const to = url.searchParams.get('to');
      if (isLang(to)) {
        appendCookie(
          res,
          serializeCookie(langCookie, to, { secure, sameSite: 'Lax', maxAgeSeconds: 365 * 86_400 }),
        );
      }
      redirect(res, safeLocalPath(url.searchParams.get('next')));
      return;
    }

    const session = browserSession(req);
    if (path === '/logout' && method === 'POST') {
      if (!session) return redirect(res, '/login');
      const form = await readForm(req);
      if (!sameOrigin(req) || !tokensMatch(session.csrfToken, form.get('csrf'))) {
        forbidden(req, res, here, session, 'sign-out form token or origin');
        return;
      }
      sessions.end(session.id);
      log.info({ user: session.user.id }, 'signed out');
      appendCookie(res, cookie(sessionCookie, '', 0));
      redirect(res, '/login?signedOut=1');
      return;
    }

    const start = /^\/start(?:\/([^/]+))?$/.exec(path);
    if (start) {
      if (!session) return toLogin(res, method === 'POST' ? path : here);
      return startRoute(startDeps, req, res, start[1], session);
    }
    const paused = /^\/paused\/(.+?)(\/decision)?$/.exec(path);
    if (paused) {
      const workflowId = decodeSegments(paused[1] ?? '');
      if (!session) return toLogin(res, method === 'POST' ? pausedStepPath(workflowId) : here);
      if (method === 'POST' && paused[2]) return handRoute(handDeps, req, res, workflowId, session);
      if (method !== 'GET' || paused[2])
        throw new HttpError(405, 'method_not_allowed', `${method} ${path}: not allowed`);
      return showPaused(req, res, here, session, workflowId);
    }
    const approval = /^\/approvals\/(.+?)(\/decision|\/claim)?$/.exec(path);
    if (method === 'POST' && approval?.[2]) {
      const workflowId = decodeSegments(approval[1] ?? '');
      if (!session) return toLogin(res, approvalPath(workflowId));
      if (approval[2] === '/claim') return claimRoute(claimDeps, req, res, workflowId, session);
      return decide(req, res, here, session, workflowId);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET');
      throw new HttpError(405, 'method_not_allowed', `${method} ${path}: not allowed`);
    }
    const known = path === '/' || path === '/history' || (approval && !approval[2]);
    if (!known) throw new HttpError(404, 'not_found', `${path}: no such page`);
    if (!session) return toLogin(res, here);
    const ctx = pageContext(req, here, session);

    if (path === '/') {
      const { items, unavailable } = await service.listFor(session.user);
      const waiting = claims.mayClaim(session.user) ? await claims.listFor(session.user) : undefined;
      const claimList = waiting && claimListSection(ctx, waiting);
      const stopped = await hand.listFor(session.user);
      const pausedList =
        stopped.items.length || stopped.unavailable || isEngineer(session)
          ? pausedListSection(ctx, stopped.items, stopped.unavailable)
          : '';
      sendHtml(res, 200, listPage(ctx, items, unavailable, html`${pausedList}${claimList ?? ''}`));
    } else if (path === '/history') {
      let entries;
      try {
        entries = await options.history?.decisionsBy(session.user.id, 200);
      } catch (err) {
        log.error({ err }, 'decision history unavailable');
      }
      sendHtml(res, 200, historyPage(ctx, entries));
    } else {
      const workflowId = decodeSegments(approval?.[1] ?? '');
      try {
        const detail = await service.detailFor(session.user, workflowId);
        const requester = requesterSection(ctx, workflowId, detail.state, claims.mayClaim(session.user));
        sendHtml(res, 200, detailPage(ctx, workflowId, detail, requester));
      } catch (err) {
        if (!(err instanceof RunNotFoundError)) throw err;
        sendHtml(res, 404, messagePage(ctx, ctx.m.errors.notFoundTitle, ctx.m.errors.notFound));
      }
    }
  }

  const server = createServer((req, res) => {
    metrics?.observe(req, res);
    route(req, res).catch((err: unknown) => failed(req, res, err));
  });

  function failed(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (res.headersSent) {
      log.error({ err, path: req.url }, 'request failed after the answer began');
      res.destroy();
      return;
    }
    const api = (req.url ?? '').startsWith('/api/');
    const ctx = pageContext(req, '/', browserSession(req));
    if (err instanceof HttpError) {
      if (api) {
        sendJson(res, err.status, {
          error: err.code,
          message: err.message,
          ...(err.field && { field: err.field }),
        });
        return;
      }
      const title = err.status === 404 ? ctx.m.errors.notFoundTitle : ctx.m.errors.badRequestTitle;
      const text = err.status === 404 ? ctx.m.errors.notFound : err.message;
      sendHtml(res, err.status, messagePage(ctx, title, text));
      return;
    }
    if (err instanceof TemporalUnavailableError) {
      log.warn({ err, path: req.url }, 'Temporal unavailable');
      if (api) sendJson(res, 503, { error: 'temporal_unavailable', message: err.message });
      else sendHtml(res, 503, messagePage(ctx, ctx.m.errors.serverTitle, ctx.m.errors.temporal));
      return;
    }
    log.error({ err, path: req.url }, 'request failed');
    if (api) sendJson(res, 500, { error: 'internal', message: 'the inbox could not handle the request' });
    else sendHtml(res, 500, messagePage(ctx, ctx.m.errors.serverTitle, ctx.m.errors.server));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (options.host) server.listen(port, options.host, done);
    else server.listen(port, done);
  });
  const actual = (server.address() as AddressInfo).port;
  addLoopbackOrigins(actual);
  const sweeper = setInterval(() => sessions.sweep(), 60_000);
  sweeper.unref();

  return {
    url: `http://localhost:${actual}`,
    port: actual,
    async stop() {
      clearInterval(sweeper);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Workflow ids carry `/`; links encode it, but a pasted id may not. */
function decodeSegments(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad_request', 'workflowId: not valid percent-encoding', 'workflowId');
  }
}
