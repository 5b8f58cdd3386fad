/**
 * The inbox's pages of the operator's hand: the 待处置 list beside the pending approvals, a page
 * per paused step — the runbook and step, why it paused (the error or the state it found), what it
 * was working on, the choices this person may take as buttons with a reason box, and the decisions
 * so far — and the outcome of a decision. No script, like every inbox page.
 */
import { formatInstant } from '../domain/display.ts';
import { pausedStepPath, type HandAction, type HandRecord } from '../domain/approvals/hand-decision.ts';
import type { HandDetail, HandOutcome, PausedSummary } from './hand.ts';
import { html, type SafeHtml } from './html.ts';
import { handRefusalMessage } from './i18n-hand.ts';
import { layout, runbookName, type PageContext } from './pages.ts';
import { outcomePage, refusalNotice, runListSection } from './run-list-parts.ts';

export function pausedListSection(ctx: PageContext, items: PausedSummary[], unavailable: number): SafeHtml {
  const h = ctx.m.hand;
  return runListSection(
    'paused',
    h,
    {
      headers: [h.run, h.runbook, h.step, h.trouble, h.pausedAt, h.yours],
      rows: items.map(
        (i) =>
          html`<tr>
            <td>
              <a href="${pausedStepPath(i.workflowId)}"><code>${i.workflowId}</code></a>
            </td>
            <td>${runbookName(ctx, i.runbook)}</td>
            <td><code>${i.pause.step}</code></td>
            <td>${h.cause[i.pause.trouble.cause]}：${i.pause.trouble.message}</td>
            <td>${formatInstant(i.pause.pausedAt, ctx.timeZone)}</td>
            <td>${i.mayTake.length ? i.mayTake.map((a) => h.actionShort[a]).join(' / ') : h.none}</td>
          </tr>`,
      ),
    },
    unavailable > 0 ? h.unavailable(unavailable) : undefined,
  );
}

/** One run's paused step with the choices this person may take, and the decisions so far. */
export function pausedPage(ctx: PageContext, workflowId: string, detail: HandDetail): string {
  const h = ctx.m.hand;
  const { state, mayTake } = detail;
  const p = state.paused;
  const body = p
    ? html`<dl class="facts">
          <dt>${h.runbook}</dt>
          <dd>${runbookName(ctx, state.runbook)}</dd>
          <dt>${h.run}</dt>
          <dd><code>${workflowId}</code></dd>
          <dt>${h.requester}</dt>
          <dd>${state.requestedBy}</dd>
          <dt>${h.step}</dt>
          <dd><code id="paused-step">${p.step}</code>（${h.attempts(p.attempts)}）</dd>
          <dt>${h.pausedAt}</dt>
          <dd>${formatInstant(p.pausedAt, ctx.timeZone)}</dd>
          <dt>${h.trouble}</dt>
          <dd id="trouble" data-cause="${p.trouble.cause}">
            ${h.cause[p.trouble.cause]}：${p.trouble.message}
          </dd>
          <dt>${h.errorType}</dt>
          <dd><code>${p.trouble.type}</code></dd>
          ${
            p.trouble.source
              ? html`<dt>${h.source}</dt>
                  <dd><code>${p.trouble.source}</code></dd>`
              : ''
          }
          ${
            p.skipMeans
              ? html`<dt>${h.skipMeans}</dt>
                  <dd>${p.skipMeans[ctx.lang]}</dd>`
              : ''
          }
          <dt>${h.roles}</dt>
          <dd>${p.choices.map((a) => `${h.actionShort[a]}：${p.roles[a].join('、')}`).join('；')}</dd>
        </dl>
        ${
          p.evidence === undefined
            ? ''
            : html`<h2>${h.evidence}</h2>
                <pre id="evidence" class="command">${JSON.stringify(p.evidence, null, 2)}</pre>`
        }
        ${mayTake.length ? decisionForm(ctx, workflowId, state.runId, p.pauseId, mayTake) : html`<p class="note" id="cannot-act">${h.cannotAct}</p>`}`
    : html`<p class="note" id="not-paused">${h.notPaused}</p>`;
  return layout(
    ctx,
    h.title,
    html`<h1>${h.title}</h1>
      ${body} ${state.decided.length ? decisionsTable(ctx, state.decided) : ''}`,
  );
}

function decisionForm(
  ctx: PageContext,
  workflowId: string,
  runId: string,
  pauseId: string,
  actions: HandAction[],
): SafeHtml {
  const h = ctx.m.hand;
  return html`<form method="post" action="${pausedStepPath(workflowId)}/decision" id="hand-form">
    <input type="hidden" name="csrf" value="${ctx.csrfToken ?? ''}" />
    <input type="hidden" name="runId" value="${runId}" />
    <input type="hidden" name="pauseId" value="${pauseId}" />
    <label for="hand-reason">${h.reason}</label>
    <textarea id="hand-reason" name="reason" maxlength="1000"></textarea>
    <div class="actions">
      ${actions.map(
        (a) =>
          html`<button
            class="${a === 'retry' ? 'primary' : a === 'abort' ? 'danger' : ''}"
            type="submit"
            name="action"
            value="${a}"
          >
            ${h.action[a]}
          </button>`,
      )}
    </div>
  </form>`;
}

function decisionsTable(ctx: PageContext, records: HandRecord[]): SafeHtml {
  const h = ctx.m.hand;
  return html`<h2>${h.history}</h2>
    <table id="hand-history">
      <thead>
        <tr>
          <th>${h.step}</th>
          <th>${h.trouble}</th>
          <th>${h.choose}</th>
          <th>${h.decidedBy}</th>
          <th>${h.reason}</th>
          <th>${h.pausedAt}</th>
        </tr>
      </thead>
      <tbody>
        ${records.map(
          ({ pause, decision }) =>
            html`<tr>
              <td><code>${pause.step}</code></td>
              <td>${h.cause[pause.trouble.cause]}：${pause.trouble.message}</td>
              <td>${h.actionShort[decision.action]}</td>
              <td>${decision.user}</td>
              <td>${decision.reason ?? ''}</td>
              <td>${formatInstant(pause.pausedAt, ctx.timeZone)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

export function handResultPage(ctx: PageContext, workflowId: string, outcome: HandOutcome): string {
  const h = ctx.m.hand;
  const back = { path: pausedStepPath(workflowId), label: h.back };
  if (!outcome.ok) {
    const refusal = refusalNotice(outcome.reason, handRefusalMessage(ctx.lang, outcome.reason));
    return outcomePage(ctx, h.refusedTitle, refusal, back);
  }
  const { action } = outcome.receipt;
  const decided = html`<p class="notice ok" id="decided" data-action="${action}">
    ${h.decided(workflowId, h.actionShort[action])}
  </p>`;
  return outcomePage(ctx, h.decidedTitle, decided, back);
}
