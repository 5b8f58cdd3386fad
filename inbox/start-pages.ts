/**
 * The engineers' start pages: the runbooks they may start, one runbook's start form, and the
 * started run. The form is generated from the runbook's input schema and labelled from its
 * catalog entry (input-form.ts); each problem comes back beside the field it names, the rest
 * above the form. Power users switch to the input as JSON. No script, like every inbox page.
 */
import { html } from './html.ts';
import { inputFormHtml, type FormState } from './input-form-html.ts';
import type { InputForm } from './input-form.ts';
import { approvalPath, layout, type PageContext } from './pages.ts';
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
  /** The form generated from the runbook's input schema, or (null) its input as JSON text. */
  form: InputForm | null;
  state: FormState;
  /** The JSON text shown in the JSON box. */
  inputText: string;
  workflowId?: string;
}

function problemList(ctx: PageContext, problems: string[], onFields: number) {
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
      ${onFields > 0 ? html`<li>${ctx.m.start.form.besideFields(onFields)}</li>` : ''}
    </ul>
  </div>`;
}

function jsonBox(ctx: PageContext, form: StartForm) {
  const described =
    form.state.problems.length > 0 ? html`aria-invalid="true" aria-describedby="problems"` : '';
  return html`<label for="input">${ctx.m.start.input}</label>
    <textarea id="input" name="input" class="json" rows="12" spellcheck="false" ${described}>
${form.inputText}</textarea>
    <p class="note">${ctx.m.start.inputHint}</p>`;
}

export function startFormPage(ctx: PageContext, form: StartForm): string {
  const { m } = ctx;
  const name = form.runbook.title[ctx.lang];
  const path = startPath(form.runbook.runbook);
  const generated = form.form && inputFormHtml(form.form, form.state, m.start.form);
  const shown = generated ? generated.unplaced : form.state.problems;
  const onFields = form.state.problems.length - shown.length;
  const other = form.form
    ? html`<a href="${path}?as=json" id="as-json">${m.start.form.asJson}</a>`
    : html`<a href="${path}" id="as-form">${m.start.form.asForm}</a>`;
  return layout(
    ctx,
    m.start.formTitle(name),
    html`<h1>${m.start.formTitle(name)} <code>${form.runbook.runbook}</code></h1>
      <p class="note">${m.start.form.requester} · ${other}</p>
      ${form.state.problems.length > 0 ? problemList(ctx, shown, onFields) : ''}
      <form method="post" action="${path}" id="start-form" novalidate>
        <input type="hidden" name="csrf" value="${ctx.csrfToken ?? ''}" />
        <input type="hidden" name="mode" value="${form.form ? 'form' : 'json'}" />
        <fieldset id="input-fields" data-runbook="${form.runbook.runbook}">
          ${generated ? generated.fields : jsonBox(ctx, form)}
        </fieldset>
        <div class="field">
          <label for="workflowId">${m.start.workflowId}</label>
          <input
            type="text"
            id="workflowId"
            name="workflowId"
            maxlength="255"
            value="${form.workflowId ?? ''}"
          />
          <p class="note">${m.start.workflowIdHint}</p>
        </div>
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
