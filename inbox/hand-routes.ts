/**
 * The paused step's form route, `POST /paused/<workflow id>/decision`: same origin and the
 * session's CSRF token like every form of the inbox, then the hand service decides (the pause as
 * the person saw it, the roles the site gives the action) and signs; the answer is a page saying
 * what happened, in the person's language, with the reason when refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pausedStepPath } from '../domain/approvals/hand-decision.ts';
import { handRefusalStatus } from './api.ts';
import type { HandService } from './hand.ts';
import { handResultPage } from './hand-pages.ts';
import { HttpError, readForm, sendHtml } from './http.ts';
import type { PageContext } from './pages.ts';
import type { Session } from './sessions.ts';

export interface HandRouteDeps {
  hand: HandService;
  pageContext(req: IncomingMessage, here: string, session: Session): PageContext;
  /** Whether a posted form came from this inbox with the session's token; answers 403 itself when not. */
  formTrusted(req: IncomingMessage, res: ServerResponse, form: URLSearchParams, session: Session): boolean;
}

export async function handRoute(
  deps: HandRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  workflowId: string,
  session: Session,
): Promise<void> {
  const form = await readForm(req);
  if (!deps.formTrusted(req, res, form, session)) return;
  const action = form.get('action');
  const reason = (form.get('reason') ?? '').trim();
  const runId = form.get('runId') ?? '';
  const pauseId = form.get('pauseId') ?? '';
  if (action !== 'retry' && action !== 'skip' && action !== 'abort')
    throw new HttpError(400, 'bad_request', 'action: expected retry, skip or abort', 'action');
  if (reason.length > 1000)
    throw new HttpError(400, 'bad_request', 'reason: at most 1000 characters', 'reason');
  if (runId.length > 64) throw new HttpError(400, 'bad_request', 'runId: at most 64 characters', 'runId');
  if (pauseId.length > 100)
    throw new HttpError(400, 'bad_request', 'pauseId: at most 100 characters', 'pauseId');
  const outcome = await deps.hand.decide(
    session.user,
    workflowId,
    { action, ...(reason && { reason }), ...(runId && { runId }), ...(pauseId && { pauseId }) },
    'inbox',
  );
  const ctx = deps.pageContext(req, pausedStepPath(workflowId), session);
  sendHtml(
    res,
    outcome.ok ? 200 : handRefusalStatus(outcome.reason),
    handResultPage(ctx, workflowId, outcome),
  );
}
