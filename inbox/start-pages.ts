/**
 * The engineers' start pages: the runbooks they may start, one runbook's start form, and the
 * started run. The form takes the input as JSON for now; its `input-fields` fieldset is where a
 * form generated from the runbook's schema will go, posting the same `input`. Problems come back
 * beside the form, each with the field path it concerns. No script, like every inbox page.
 */
import { approvalPath, layout, type PageContext } from './pages.ts';
import { html } from './html.ts';
import type { RunbookChoice } from './runs.ts';

export function startPath(runbook: string): string {
  return `/start/${encodeURIComponent(runbook)}`;
}

export function startListPage(ctx: PageContext, runbooks: RunbookChoice[]): string {
  const { m } = ctx;
  return layout(
    ctx,
    m.start.title,
    html`<h1>${m.start.title}</h1>
      <p class="note">${m.start.intro}</p>
      <table id="runbooks">
        <thead>
          <tr>
            <th>${m.start.runbook}</th>
            <th>${m.start.workflowType}</th>
          </tr>
        </thead>
        <tbody>
          ${runbooks.map(
            (r) =>
              html`<tr>
                <td><a href="${startPath(r.runbook)}">${r.title[ctx.lang]}</a> <code>${r.runbook}</code></td>
                <td><code>${r.workflowType}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  );
}

export interface StartForm {
  runbook: RunbookChoice;
  /** The JSON text shown in the input box. */
  inputText: string;
  workflowId?: string;
  /** `path: message` lines, as the schema and the site checks give them. */
  problems?: string[];
}

function problemList(ctx: PageContext, problems: string[]) {
  return html`<div class="notice error" role="alert" id="problems">
    <p>${ctx.m.start.problems}</p>
    <ul>
      ${problems.map((p) => {
        const colon = p.indexOf(': ');
        return colon > 0
          ? html`<li data-field="${p.slice(0, colon)}">
              <code>${p.slice(0, colon)}</code>：${p.slice(colon + 2)}
            </li>`
          : html`<li>${p}</li>`;
      })}
    </ul>
  </div>`;
}

export function startFormPage(ctx: PageContext, form: StartForm): string {
  const { m } = ctx;
  const name = form.runbook.title[ctx.lang];
  const invalid = (form.problems?.length ?? 0) > 0;
  const described = invalid ? html`aria-invalid="true" aria-describedby="problems"` : '';
  const textarea = html`<textarea
    id="input"
    name="input"
    class="json"
    rows="12"
    spellcheck="false"
    ${described}
  >
${form.inputText}</textarea>`;
  return layout(
    ctx,
    m.start.formTitle(name),
    html`<h1>${m.start.formTitle(name)} <code>${form.runbook.runbook}</code></h1>
      ${invalid ? problemList(ctx, form.problems ?? []) : ''}
      <form method="post" action="${startPath(form.runbook.runbook)}" id="start-form">
        <input type="hidden" name="csrf" value="${ctx.csrfToken ?? ''}" />
        <fieldset id="input-fields" data-runbook="${form.runbook.runbook}">
          <label for="input">${m.start.input}</label>
          ${textarea}
          <p class="note">${m.start.inputHint}</p>
        </fieldset>
        <label for="workflowId">${m.start.workflowId}</label>
        <input
          type="text"
          id="workflowId"
          name="workflowId"
          maxlength="255"
          value="${form.workflowId ?? ''}"
        />
        <p class="note">${m.start.workflowIdHint}</p>
        <button class="primary" type="submit">${m.start.submit}</button>
      </form>`,
  );
}

export function startedPage(
  ctx: PageContext,
  started: { runbook: string; workflowId: string; runId: string },
  temporalUiRun?: string,
): string {
  const { m } = ctx;
  return layout(
    ctx,
    m.start.startedTitle,
    html`<h1>${m.start.startedTitle}</h1>
      <p class="notice ok" id="started" data-workflow-id="${started.workflowId}">
        ${m.start.started(started.workflowId)}
      </p>
      <dl class="facts">
        <dt>${m.start.runbook}</dt>
        <dd><code>${started.runbook}</code></dd>
        <dt>${m.start.runId}</dt>
        <dd><code>${started.runId}</code></dd>
      </dl>
      <p>
        <a href="${approvalPath(started.workflowId)}">${m.start.openRun}</a>
        ${temporalUiRun ? html` · <a href="${temporalUiRun}" id="open-ui">${m.start.openUi}</a>` : ''} ·
        <a href="/start">${m.start.title}</a>
      </p>`,
  );
}
