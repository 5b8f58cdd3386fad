/**
 * The start pages' routes: `/start` lists the runbooks, `/start/<runbook>` shows the form and
 * takes it (same origin and the session's CSRF token, like every form of the inbox). Only
 * engineers get past the first line; the run service checks the input and signs the start.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SiteConfig } from '../temporal.config.ts';
import { HttpError, readForm, sendHtml } from './http.ts';
import { messagePage, type PageContext } from './pages.ts';
import type { RunService } from './runs.ts';
import type { Session } from './sessions.ts';
import { startedPage, startFormPage, startListPage } from './start-pages.ts';

export interface StartRouteDeps {
  runs: RunService;
  site: SiteConfig;
  pageContext(req: IncomingMessage, here: string, session: Session): PageContext;
  /** Whether a posted form came from this inbox with the session's token; answers 403 itself when not. */
  formTrusted(req: IncomingMessage, res: ServerResponse, form: URLSearchParams, session: Session): boolean;
}

/** The JSON text of the form's input; the one place a generated form will plug in. */
function inputFromForm(form: URLSearchParams): { ok: true; input: unknown } | { ok: false; why: string } {
  const text = (form.get('input') ?? '').trim();
  if (!text) return { ok: true, input: {} };
  try {
    return { ok: true, input: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

export async function startRoute(
  deps: StartRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  runbookSegment: string | undefined,
  session: Session,
): Promise<void> {
  const { runs, site } = deps;
  const here = runbookSegment === undefined ? '/start' : `/start/${runbookSegment}`;
  const ctx = deps.pageContext(req, here, session);
  if (!runs.mayStart(session.user)) {
    sendHtml(res, 403, messagePage(ctx, ctx.m.errors.forbiddenTitle, ctx.m.start.engineersOnly));
    return;
  }
  const method = req.method ?? 'GET';
  if (runbookSegment === undefined) {
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'expected GET');
    sendHtml(res, 200, startListPage(ctx, runs.runbooks()));
    return;
  }
  let name: string;
  try {
    name = decodeURIComponent(runbookSegment);
  } catch {
    throw new HttpError(400, 'bad_request', 'runbook: not valid percent-encoding', 'runbook');
  }
  const runbook = runs.runbooks().find((r) => r.runbook === name);
  if (!runbook) {
    sendHtml(res, 404, messagePage(ctx, ctx.m.errors.notFoundTitle, ctx.m.errors.notFound));
    return;
  }
  if (method === 'GET' || method === 'HEAD') {
    sendHtml(res, 200, startFormPage(ctx, { runbook, inputText: '{}' }));
    return;
  }
  if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'expected GET or POST');

  const form = await readForm(req);
  if (!deps.formTrusted(req, res, form, session)) return;
  const inputText = form.get('input') ?? '';
  const workflowId = (form.get('workflowId') ?? '').trim();
  const again = (status: number, problems: string[]) =>
    sendHtml(
      res,
      status,
      startFormPage(ctx, { runbook, inputText, ...(workflowId && { workflowId }), problems }),
    );
  const parsed = inputFromForm(form);
  if (!parsed.ok) return again(400, [`input: ${ctx.m.start.badJson(parsed.why)}`]);
  const outcome = await runs.start(
    session.user,
    { runbook: name, input: parsed.input, ...(workflowId && { workflowId }) },
    'inbox',
  );
  if (outcome.ok) {
    const ui = site.inbox.temporalUi;
    const uiRun = ui.enabled
      ? `${ui.path}/namespaces/${encodeURIComponent(site.temporal.namespace)}/workflows/${encodeURIComponent(outcome.workflowId)}/${outcome.runId}/history`
      : undefined;
    sendHtml(res, 201, startedPage(ctx, outcome, uiRun));
  } else if (outcome.reason === 'invalid-input') {
    again(400, outcome.problems);
  } else if (outcome.reason === 'already-running') {
    again(409, [`workflowId: ${ctx.m.start.alreadyRunning(outcome.workflowId)}`]);
  } else {
    sendHtml(res, 403, messagePage(ctx, ctx.m.errors.forbiddenTitle, ctx.m.start.engineersOnly));
  }
}
