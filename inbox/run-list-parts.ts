/**
 * The parts the inbox's lists of runs beside the pending approvals (待认领, 待处置) and their
 * outcome pages share: a list section that says when there is none (and when some runs could not
 * be read), and the page after a claim or a decision — what happened, or why it was refused.
 */
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './pages.ts';

export interface RunListMessages {
  listTitle: string;
  listIntro: string;
  empty: string;
}

/**
 * A section `id` listing runs: `headers` head the table, one row per run; `unavailable` says that
 * some runs could not be read.
 */
export function runListSection(
  id: string,
  m: RunListMessages,
  table: { headers: string[]; rows: SafeHtml[] },
  unavailable?: string,
): SafeHtml {
  return html`<section id="${id}">
    <h2>${m.listTitle}</h2>
    <p class="note">${m.listIntro}</p>
    ${unavailable ? html`<p class="notice warn">${unavailable}</p>` : ''}
    ${
      table.rows.length === 0
        ? html`<p class="note">${m.empty}</p>`
        : html`<table>
            <thead>
              <tr>
                ${table.headers.map((h) => html`<th>${h}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${table.rows}
            </tbody>
          </table>`
    }
  </section>`;
}

/** The notice of a refused claim or decision, its reason kept for scripts and tests. */
export function refusalNotice(reason: string, message: string): SafeHtml {
  return html`<p class="notice error" role="alert" id="refusal" data-reason="${reason}">${message}</p>`;
}

/** The page after a claim or a decision: its notice, a link back to the run's page and to the list. */
export function outcomePage(
  ctx: PageContext,
  title: string,
  notice: SafeHtml,
  back: { path: string; label: string },
): string {
  return layout(
    ctx,
    title,
    html`<h1>${title}</h1>
      ${notice}
      <p><a href="${back.path}">${back.label}</a> · <a href="/">${ctx.m.result.toList}</a></p>`,
  );
}
