/**
 * The inbox's server-rendered pages: sign-in, the pending list, one approval with its plan in
 * words an approver reads (bank, channel, findings, each command verbatim, vouchers in yuan),
 * the outcome of a decision, and the person's own decisions. No script at all: the reject
 * form's reason is `required` in the browser and checked again on the server.
 */
import type { DirectoryUser } from '../connectors/users/directory.ts';
import {
  planVoucherTotals,
  type ApprovalVote,
  type DecisionReceipt,
  type GateOutcome,
  type PendingApprovalView,
  type PlanRow,
} from '../domain/approvals/gate-types.ts';
import { formatFen, formatInstant, maskAccount, maskName, rowText, shortDigest } from '../domain/display.ts';
import { runbookEntry } from '../workflows/catalog.ts';
import type { ApprovalDetail, ApprovalSummary, Blocker } from './approvals.ts';
import type { DecisionEntry } from './history.ts';
import { html, type SafeHtml } from './html.ts';
import { refusalMessage, type DecisionRefusal, type Lang, type Messages } from './i18n.ts';

export interface PageContext {
  lang: Lang;
  m: Messages;
  siteName: string;
  timeZone: string;
  /** The path and query of this page, for the language link. */
  here: string;
  user?: DirectoryUser;
  csrfToken?: string;
  /** An engineer's own links: starting runs, the Temporal Web UI behind the inbox. */
  engineer?: { temporalUi?: string };
}

const at = (ctx: PageContext, iso: string) => formatInstant(iso, ctx.timeZone);

export function approvalPath(workflowId: string): string {
  return `/approvals/${encodeURIComponent(workflowId)}`;
}

export function runbookName(ctx: PageContext, runbook: string): string {
  const title = runbookEntry(runbook)?.title;
  return title ? `${title[ctx.lang]}（${runbook}）` : runbook;
}

export function layout(ctx: PageContext, title: string, body: SafeHtml, mainClass = ''): string {
  const { m, user } = ctx;
  const other = ctx.lang === 'zh' ? 'en' : 'zh';
  const langLink = `/lang?to=${other}&next=${encodeURIComponent(ctx.here)}`;
  return html`<!doctype html>
    <html lang="${m.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="same-origin" />
        <title>${title} · ${m.appName}</title>
        <link rel="stylesheet" href="/assets/inbox.css" />
      </head>
      <body>
        <header>
          <span class="app">${m.appName} · ${ctx.siteName}</span>
          <nav>
            ${user ? html`<a href="/">${m.nav.pending}</a><a href="/history">${m.nav.history}</a>` : ''}
            ${ctx.engineer ? html`<a href="/start">${m.nav.start}</a>` : ''}
            ${ctx.engineer?.temporalUi ? html`<a href="${ctx.engineer.temporalUi}" id="temporal-ui">${m.nav.temporalUi}</a>` : ''}
          </nav>
          ${user ? html`<span class="me">${m.signedInAs(user.displayName, user.id)}</span>` : ''}
          <a href="${langLink}" hreflang="${other}">${m.switchLanguage}</a>
          ${
            user && ctx.csrfToken
              ? html`<form method="post" action="/logout">
                  <input type="hidden" name="csrf" value="${ctx.csrfToken}" /><button type="submit">
                    ${m.nav.signOut}
                  </button>
                </form>`
              : ''
          }
        </header>
        <main class="${mainClass}">${body}</main>
      </body>
    </html> `.value;
}

export function loginPage(
  ctx: PageContext,
  options: { next: string; loginToken: string; error?: string; notice?: string; user?: string },
): string {
  const { m } = ctx;
  return layout(
    ctx,
    m.login.title,
    html`<h1>${m.login.title}</h1>
      ${options.notice ? html`<p class="notice">${options.notice}</p>` : ''}
      ${options.error ? html`<p class="notice error" role="alert">${options.error}</p>` : ''}
      <form method="post" action="/login">
        <input type="hidden" name="csrf" value="${options.loginToken}" />
        <input type="hidden" name="next" value="${options.next}" />
        <label for="user">${m.login.user}</label>
        <input
          type="text"
          id="user"
          name="user"
          autocomplete="username"
          required
          maxlength="64"
          value="${options.user ?? ''}"
          autofocus
        />
        <label for="password">${m.login.password}</label>
        <input
          type="password"
          id="password"
          name="password"
          autocomplete="current-password"
          required
          maxlength="200"
        />
        <button class="primary" type="submit">${m.login.submit}</button>
      </form>`,
    'login',
  );
}

function blockerText(m: Messages, blocker: Blocker): string {
  const text: Record<Blocker, string> = {
    own: m.list.own,
    concerned: m.list.concerned,
    voted: m.list.voted,
    role: m.detail.cannotRole,
  };
  return text[blocker];
}

/** The pending list; `claims` is the list of runs waiting to be claimed, for engineers. */
export function listPage(
  ctx: PageContext,
  items: ApprovalSummary[],
  unavailable: number,
  claims?: SafeHtml,
): string {
  const { m } = ctx;
  const rows = items.map(
    (a) =>
      html`<tr class="${a.blocker ? 'own' : ''}">
        <td>${runbookName(ctx, a.runbook)}</td>
        <td>${a.bank ? `${a.bank.name}（${a.bank.code}）` : '—'}</td>
        <td>
          <a href="${approvalPath(a.workflowId)}">${a.title[ctx.lang]}</a
          >${a.escalated ? html`<span class="badge">${m.list.escalated}</span>` : ''}
          ${a.blocker ? html`<div class="note">${blockerText(m, a.blocker)}</div>` : ''}
        </td>
        <td>${a.requestedBy}</td>
        <td class="num">${a.approvals} / ${a.quorum}</td>
        <td>${at(ctx, a.expireAt)}</td>
      </tr>`,
  );
  return layout(
    ctx,
    m.list.title,
    html`<h1>${m.list.title}</h1>
      ${unavailable > 0 ? html`<p class="notice warn">${m.list.unavailable(unavailable)}</p>` : ''}
      ${
        items.length === 0
          ? html`<p class="note">${m.list.empty}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>${m.list.runbook}</th>
                  <th>${m.list.bank}</th>
                  <th>${m.list.subject}</th>
                  <th>${m.list.requestedBy}</th>
                  <th class="num">${m.list.votes}</th>
                  <th>${m.list.deadline}</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`
      }
      ${claims ?? ''}`,
  );
}

function votesTable(ctx: PageContext, votes: ApprovalVote[]): SafeHtml {
  const { m } = ctx;
  if (votes.length === 0) return html`<p class="note">${m.detail.noVotes}</p>`;
  return html`<table>
    <tbody>
      ${votes.map(
        (v) =>
          html`<tr>
            <td>${v.displayName}（${v.user}）</td>
            <td>${m.verdict[v.verdict]}</td>
            <td>${v.reason ?? ''}</td>
            <td>${at(ctx, v.at)}</td>
            <td>${m.via[v.via]}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function planSection(ctx: PageContext, p: PendingApprovalView): SafeHtml {
  const { m, lang } = ctx;
  const plan = p.plan;
  const vouchers = plan.vouchers ?? [];
  const totals = planVoucherTotals(plan);
  const facts: [string, unknown][] = [
    [m.detail.run, html`<code>${p.workflowId}</code>`],
    [m.detail.runbook, runbookName(ctx, p.runbook)],
    [m.detail.step, p.step],
    [m.detail.bank, plan.bank ? `${plan.bank.name}（${plan.bank.code}）` : '—'],
    [m.detail.channel, plan.channel ?? '—'],
    [m.detail.requestedBy, p.requestedBy],
    [
      m.detail.digest,
      html`<code title="${p.planDigest}">${shortDigest(p.planDigest)}</code>
        <span class="note">${m.detail.digestHint}</span>`,
    ],
    [m.detail.roles, p.roles.join('、')],
    [m.detail.votes, m.detail.votesValue(p.votes.filter((v) => v.verdict === 'approve').length, p.quorum)],
    [m.detail.openedAt, at(ctx, p.openedAt)],
    [m.detail.remindAt, at(ctx, p.remindAt)],
    [m.detail.escalateAt, at(ctx, p.escalateAt)],
    [m.detail.expireAt, at(ctx, p.expireAt)],
    [m.detail.escalation, p.escalated ? m.detail.escalatedTo(p.roles.join('、')) : m.detail.notEscalated],
  ];
  return html`<h1>${plan.title[lang]}</h1>
    <h2>${m.detail.summary}</h2>
    <dl class="facts">
      ${facts.map(
        ([k, v]) =>
          html`<dt>${k}</dt>
            <dd>${v}</dd>`,
      )}
    </dl>
    <h2>${m.detail.findings}</h2>
    ${
      plan.findings.length === 0
        ? html`<p class="note">${m.detail.noFindings}</p>`
        : html`<ul class="findings">
            ${plan.findings.map((f) => html`<li>${f[lang]}</li>`)}
          </ul>`
    }
    <h2>${m.detail.actions}</h2>
    <ol class="actions">
      ${plan.actions.map(
        (a) =>
          html`<li>
            <div>${a.description[lang]}</div>
            <div class="note">${m.actionKind[a.kind]} · ${m.detail.target}：<code>${a.target}</code></div>
            <pre class="command"><code>${a.command}</code></pre>
          </li>`,
      )}
    </ol>
    ${plan.rows?.length ? rowsTable(ctx, plan.rows) : ''}
    ${
      vouchers.length === 0
        ? ''
        : html`<h2>${m.detail.vouchers}</h2>
            ${
              totals.listed < totals.count
                ? html`<p class="note">
                    ${m.detail.listedOf(totals.listed, totals.count, shortDigest(totals.listDigest ?? ''))}
                  </p>`
                : ''
            }
            <table class="vouchers">
              <thead>
                <tr>
                  <th>${m.detail.voucherNo}</th>
                  <th class="num">${m.detail.amount}</th>
                  <th>${m.detail.payeeName}</th>
                  <th>${m.detail.payeeAccount}</th>
                </tr>
              </thead>
              <tbody>
                ${vouchers.map(
                  (v) =>
                    html`<tr>
                      <td><code>${v.voucherNo}</code></td>
                      <td class="num">${formatFen(v.amountFen)}</td>
                      <td>${maskName(v.payeeName)}</td>
                      <td><code>${maskAccount(v.payeeAccount)}</code></td>
                    </tr>`,
                )}
                <tr>
                  <th>${m.detail.total(totals.count)}</th>
                  <td class="num"><strong>${formatFen(totals.amountFen)}</strong></td>
                  <td></td>
                  <td></td>
                </tr>
              </tbody>
            </table>`
    }
    <h2>${m.detail.votesSoFar}</h2>
    ${votesTable(ctx, p.votes)}`;
}

/** Every row a data change touches: as it is (payee data masked again), and the columns it sets. */
function rowsTable(ctx: PageContext, rows: readonly PlanRow[]): SafeHtml {
  const head = ctx.m.detail.rowHead;
  return html`<h2>${ctx.m.detail.rows}</h2>
    <table class="rows">
      <thead>
        <tr>
          <th>${head.table}</th>
          <th>${head.key}</th>
          <th>${head.before}</th>
          <th>${head.after}</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              <td><code>${r.table}</code></td>
              <td><code>${r.key}</code></td>
              <td>${rowText(r.before)}</td>
              <td>${rowText(r.after)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

function decideForms(ctx: PageContext, p: PendingApprovalView): SafeHtml {
  const { m } = ctx;
  const action = `${approvalPath(p.workflowId)}/decision`;
  const hidden = html`<input type="hidden" name="csrf" value="${ctx.csrfToken ?? ''}" />
    <input type="hidden" name="gateId" value="${p.gateId}" />
    <input type="hidden" name="planDigest" value="${p.planDigest}" />`;
  return html`<div class="decide">
    <form method="post" action="${action}" id="approve-form">
      ${hidden}
      <input type="hidden" name="verdict" value="approve" />
      <h3>${m.detail.approveTitle}</h3>
      <label for="comment">${m.detail.comment}</label>
      <textarea id="comment" name="reason" maxlength="1000"></textarea>
      <button class="primary" type="submit">${m.detail.approve}</button>
    </form>
    <form method="post" action="${action}" id="reject-form">
      ${hidden}
      <input type="hidden" name="verdict" value="reject" />
      <h3>${m.detail.rejectTitle}</h3>
      <label for="reason">${m.detail.reason}</label>
      <textarea id="reason" name="reason" required minlength="2" maxlength="1000"></textarea>
      <button class="danger" type="submit">${m.detail.reject}</button>
    </form>
  </div>`;
}

function closedTable(ctx: PageContext, closed: GateOutcome[]): SafeHtml {
  const { m } = ctx;
  if (closed.length === 0) return html``;
  return html`<h2>${m.detail.closed}</h2>
    <table>
      <tbody>
        ${closed.map(
          (c) =>
            html`<tr>
              <td>${c.step}</td>
              <td>${m.outcome[c.outcome]}</td>
              <td><code>${shortDigest(c.planDigest)}</code></td>
              <td>
                ${c.votes.map((v) => `${v.displayName}：${m.verdict[v.verdict]}${v.reason ? `（${v.reason}）` : ''}`).join('；')}
              </td>
              <td>${at(ctx, c.decidedAt)}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** One run: its plan and the decision forms when an approval waits; `requester` says who asked for it. */
export function detailPage(
  ctx: PageContext,
  workflowId: string,
  detail: ApprovalDetail,
  requester?: SafeHtml,
): string {
  const { m } = ctx;
  const p = detail.pending;
  const { state } = detail;
  if (!p) {
    return layout(
      ctx,
      workflowId,
      html`<h1><code>${workflowId}</code></h1>
        ${requester ?? ''} ${state.awaitingClaim ? '' : html`<p class="notice">${m.detail.notPending}</p>`}
        ${closedTable(ctx, state.closed)}
        <p><a href="/">${m.result.toList}</a></p>`,
    );
  }
  const blocker = detail.blocker;
  const own = state.requester.via === 'claim' ? m.claim.cannotApproveClaimed : m.detail.cannotOwn;
  const cannot =
    blocker === 'own'
      ? own
      : blocker === 'concerned'
        ? refusalMessage(ctx.lang, 'concerned-party')
        : blocker === 'voted'
          ? m.detail.cannotVoted
          : m.detail.cannotRole;
  return layout(
    ctx,
    p.plan.title[ctx.lang],
    html`${planSection(ctx, p)} ${requester ?? ''}
    ${blocker ? html`<p class="notice warn" id="cannot-decide">${cannot}</p>` : decideForms(ctx, p)}
    ${closedTable(ctx, state.closed)}`,
  );
}

export function decisionResultPage(
  ctx: PageContext,
  workflowId: string,
  outcome: { ok: true; receipt: DecisionReceipt } | { ok: false; reason: DecisionRefusal },
): string {
  const { m } = ctx;
  const back = html`<p>
    <a href="${approvalPath(workflowId)}">${m.result.back}</a> · <a href="/">${m.result.toList}</a>
  </p>`;
  if (!outcome.ok) {
    return layout(
      ctx,
      m.result.refusedTitle,
      html`<h1>${m.result.refusedTitle}</h1>
        <p class="notice error" role="alert" id="refusal" data-reason="${outcome.reason}">
          ${refusalMessage(ctx.lang, outcome.reason)}
        </p>
        ${back}`,
    );
  }
  const r = outcome.receipt;
  const state =
    r.gate === 'approved'
      ? m.result.approved
      : r.gate === 'rejected'
        ? m.result.rejected
        : m.result.pending(r.votes, r.quorum);
  return layout(
    ctx,
    m.result.title,
    html`<h1>${m.result.title}</h1>
      <p class="notice ok" id="outcome" data-gate="${r.gate}">${m.result.accepted(m.verdict[r.verdict])}</p>
      <p>${state}</p>
      ${back}`,
  );
}

export function historyPage(ctx: PageContext, entries: DecisionEntry[] | undefined): string {
  const { m } = ctx;
  const body =
    entries === undefined
      ? html`<p class="note">${m.history.unavailable}</p>`
      : entries.length === 0
        ? html`<p class="note">${m.history.empty}</p>`
        : html`<table>
            <thead>
              <tr>
                <th>${m.history.at}</th>
                <th>${m.history.run}</th>
                <th>${m.history.step}</th>
                <th>${m.history.verdict}</th>
                <th>${m.history.reason}</th>
                <th>${m.history.digest}</th>
                <th>${m.history.via}</th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (e) =>
                  html`<tr>
                    <td>${at(ctx, e.at)}</td>
                    <td>
                      <a href="${approvalPath(e.workflowId)}"><code>${e.workflowId}</code></a>
                      <div class="note">${runbookName(ctx, e.runbook)}</div>
                    </td>
                    <td>${e.step ?? e.gateId}</td>
                    <td>${m.verdict[e.verdict]}</td>
                    <td>${e.reason ?? ''}</td>
                    <td><code>${shortDigest(e.planDigest)}</code></td>
                    <td>${e.via ? m.via[e.via] : ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`;
  return layout(
    ctx,
    m.history.title,
    html`<h1>${m.history.title}</h1>
      ${body}`,
  );
}

export function messagePage(
  ctx: PageContext,
  title: string,
  message: string,
  kind: 'error' | 'warn' = 'error',
): string {
  return layout(
    ctx,
    title,
    html`<h1>${title}</h1>
      <p class="notice ${kind}" role="alert">${message}</p>
      <p><a href="/">${ctx.m.result.toList}</a></p>`,
  );
}
