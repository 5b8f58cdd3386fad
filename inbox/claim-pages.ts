/**
 * The inbox's claim pages: the 待认领 list beside the pending approvals (engineers only), a
 * run's requester and, while it waits to be claimed, the claim form (or, for those who may not
 * claim, why there is none), and the outcome of a claim. No script, like every inbox page.
 */
import { formatInstant } from '../domain/display.ts';
import type { ApprovalState } from '../domain/approvals/gate-types.ts';
import type { ClaimOutcome, ClaimSummary } from './claims.ts';
import { html, type SafeHtml } from './html.ts';
import { claimRefusalMessage } from './i18n-claims.ts';
import { approvalPath, runbookName, type PageContext } from './pages.ts';
import { outcomePage, refusalNotice, runListSection } from './run-list-parts.ts';

export function claimPath(workflowId: string): string {
  return `${approvalPath(workflowId)}/claim`;
}

export function claimListSection(ctx: PageContext, items: ClaimSummary[]): SafeHtml {
  const c = ctx.m.claim;
  return runListSection('claims', c, {
    headers: [c.run, c.runbook, c.bank, c.namedRequester, c.startedAt],
    rows: items.map(
      (i) =>
        html`<tr>
          <td>
            <a href="${approvalPath(i.workflowId)}"><code>${i.workflowId}</code></a>
          </td>
          <td>${runbookName(ctx, i.runbook)}</td>
          <td>${i.bankCodes.join('、') || '—'}</td>
          <td>${i.namedRequester}</td>
          <td>${formatInstant(i.startedAt, ctx.timeZone)}</td>
        </tr>`,
    ),
  });
}

/** Who asked for the run and how the engine knows; while it waits to be claimed, the claim form. */
export function requesterSection(
  ctx: PageContext,
  workflowId: string,
  state: ApprovalState,
  mayClaim: boolean,
): SafeHtml {
  const c = ctx.m.claim;
  const { requester } = state;
  const form = html`<form method="post" action="${claimPath(workflowId)}" id="claim-form">
    <input type="hidden" name="csrf" value="${ctx.csrfToken ?? ''}" />
    <input type="hidden" name="runId" value="${state.runId}" />
    <h3>${c.claimTitle}</h3>
    <p class="note">${c.claimHint}</p>
    <label for="claim-reason">${c.reason}</label>
    <textarea id="claim-reason" name="reason" maxlength="1000"></textarea>
    <button class="primary" type="submit">${c.submit}</button>
  </form>`;
  return html`<section
    id="requester"
    data-via="${requester.via}"
    data-awaiting-claim="${String(state.awaitingClaim)}"
  >
    <dl class="facts">
      <dt>${c.requester}</dt>
      <dd>${requester.user}（${c.via[requester.via]}）</dd>
    </dl>
    ${
      state.awaitingClaim
        ? html`<p class="notice warn" id="awaiting-claim">${c.awaiting}</p>
            ${mayClaim ? form : html`<p class="note" id="cannot-claim">${c.engineersOnly}</p>`}`
        : ''
    }
  </section>`;
}

export function claimResultPage(ctx: PageContext, workflowId: string, outcome: ClaimOutcome): string {
  const c = ctx.m.claim;
  const back = { path: approvalPath(workflowId), label: c.back };
  if (!outcome.ok) {
    const refusal = refusalNotice(outcome.reason, claimRefusalMessage(ctx.lang, outcome.reason));
    return outcomePage(ctx, c.refusedTitle, refusal, back);
  }
  const claimed = html`<p class="notice ok" id="claimed" data-requester="${outcome.requester.user}">
    ${c.claimed(workflowId)}
  </p>`;
  return outcomePage(ctx, c.claimedTitle, claimed, back);
}
