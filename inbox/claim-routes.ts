/**
 * The claim form's route, `POST /approvals/<workflow id>/claim`: same origin and the session's
 * CSRF token like every form of the inbox, then the claim service decides (engineers only, the
 * run as the person saw it) and signs; the answer is a page saying what happened, in the
 * person's language, with the reason when refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { claimRefusalStatus } from './api.ts';
import { claimResultPage } from './claim-pages.ts';
import type { ClaimService } from './claims.ts';
import { HttpError, readForm, sendHtml } from './http.ts';
import { approvalPath, type PageContext } from './pages.ts';
import type { Session } from './sessions.ts';

export interface ClaimRouteDeps {
  claims: ClaimService;
  pageContext(req: IncomingMessage, here: string, session: Session): PageContext;
  /** Whether a posted form came from this inbox with the session's token; answers 403 itself when not. */
  formTrusted(req: IncomingMessage, res: ServerResponse, form: URLSearchParams, session: Session): boolean;
}

export async function claimRoute(
  deps: ClaimRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  workflowId: string,
  session: Session,
): Promise<void> {
  const form = await readForm(req);
  if (!deps.formTrusted(req, res, form, session)) return;
  const reason = (form.get('reason') ?? '').trim();
  const runId = form.get('runId') ?? '';
  if (reason.length > 1000)
    throw new HttpError(400, 'bad_request', 'reason: at most 1000 characters', 'reason');
  if (runId.length > 64) throw new HttpError(400, 'bad_request', 'runId: at most 64 characters', 'runId');
  const outcome = await deps.claims.claim(
    session.user,
    workflowId,
    { ...(reason && { reason }), ...(runId && { runId }) },
    'inbox',
  );
  const ctx = deps.pageContext(req, approvalPath(workflowId), session);
  sendHtml(
    res,
    outcome.ok ? 200 : claimRefusalStatus(outcome.reason),
    claimResultPage(ctx, workflowId, outcome),
  );
}
