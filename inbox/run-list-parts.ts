/**
 * The parts the inbox's lists of runs beside the pending approvals (待认领, 待处置) and their
 * outcome pages share: a list section that says when some runs could not be read and when there
 * is none, and the page after a claim or a decision — what happened, or why it was refused.
 */
import { html, type SafeHtml } from './html.ts';
import { layout, type PageContext } from './pages.ts';

export interface RunListMessages {
  listTitle: string;
  listIntro: string;
  empty: string;
  unavailable: (n: number) => string;
}

/** A section `id` listing runs: `headers` head the table, one row per run. */
export function runListSection(
  id: string,
  m: RunListMessages,
  unavailable: number,
  table: { headers: string[]; rows: SafeHtml[] },
): SafeHtml {
  return html`<section id="${id}">
    <h2>${m.listTitle}</h2>
    <p class="note">${m.listIntro}</p>
    ${unavailable > 0 ? html`<p class="notice warn">${m.unavailable(unavailable)}</p>` : ''}
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
