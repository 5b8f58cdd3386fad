/**
 * The start pages' routes: `/start` lists the runbooks, `/start/<runbook>` shows the runbook's
 * form (`?as=json`: its input as JSON) and takes it (same origin and the session's CSRF token,
 * like every form of the inbox). Only engineers get past the first line; the run service checks
 * the input with the runbook's schema and the site, and signs the start.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SiteConfig } from '../temporal.config.ts';
import { runbookEntry, type CatalogEntry } from '../workflows/catalog.ts';
import { HttpError, readForm, sendHtml } from './http.ts';
import type { Lang } from './i18n.ts';
import type { FormState } from './input-form-html.ts';
import { inputForm, readInputForm, type InputForm } from './input-form.ts';
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

/** The input as the posted JSON text says it. */
function inputFromJson(text: string): { ok: true; input: unknown } | { ok: false; why: string } {
  if (!text.trim()) return { ok: true, input: {} };
  try {
    return { ok: true, input: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

/** The runbook's form, labelled in Chinese on Chinese pages (English pages show the field names). */
const formOf = (entry: CatalogEntry, lang: Lang): InputForm =>
  inputForm(entry.input, lang === 'zh' ? entry.fields : {});

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
  const entry = runbookEntry(name);
  if (!runbook || !entry) {
    sendHtml(res, 404, messagePage(ctx, ctx.m.errors.notFoundTitle, ctx.m.errors.notFound));
    return;
  }
  if (method === 'GET' || method === 'HEAD') {
    const asJson = new URL(req.url ?? '/', 'http://inbox').searchParams.get('as') === 'json';
    const form = asJson ? null : formOf(entry, ctx.lang);
    sendHtml(
      res,
      200,
      startFormPage(ctx, { runbook, form, state: { value: {}, problems: [] }, inputText: '{}' }),
    );
    return;
  }
  if (method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'expected GET or POST');

  const posted = await readForm(req);
  if (!deps.formTrusted(req, res, posted, session)) return;
  const form = posted.get('mode') === 'json' ? null : formOf(entry, ctx.lang);
  const inputText = posted.get('input') ?? '';
  const workflowId = (posted.get('workflowId') ?? '').trim();
  const parsed = form ? { ok: true as const, input: readInputForm(form, posted) } : inputFromJson(inputText);
  const page = (state: Omit<FormState, 'value'>) =>
    startFormPage(ctx, {
      runbook,
      form,
      state: { value: parsed.ok ? asObject(parsed.input) : {}, ...state },
      inputText,
      ...(workflowId && { workflowId }),
    });
  const again = (status: number, problems: string[]) => sendHtml(res, status, page({ problems }));
  if (!parsed.ok) return again(400, [`input: ${ctx.m.start.badJson(parsed.why)}`]);
  // "Add a row": the same form back, one row longer; nothing is started.
  const grow = posted.get('add');
  if (form && grow) return sendHtml(res, 200, page({ problems: [], grow }));
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

const asObject = (input: unknown): Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : {};
