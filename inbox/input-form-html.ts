/**
 * The start form's fields as HTML, without script: text boxes, date pickers, selects for choices,
 * checkboxes, lists as rows (one blank row to add an item; "add a row" posts the form back), and
 * each problem the schema or the site check found shown beside the field it names (`aria-invalid`,
 * described by the message). Problems that name no field on the page are returned for the summary.
 */
import { html, type SafeHtml } from './html.ts';
import type { Messages } from './i18n.ts';
import { rowsName, type FormField, type InputForm, type NamedField } from './input-form.ts';

export interface FormState {
  /** The input the fields show (defaults where it has nothing). */
  value: Record<string, unknown>;
  /** `path: message` lines, as the schema and the site checks give them. */
  problems: string[];
  /** A list to show with one more blank row (its "add a row" button was pressed). */
  grow?: string;
}

type FormMessages = Messages['start']['form'];

interface Ctx {
  m: FormMessages;
  grow?: string;
  errors: Map<string, string[]>;
}

const fieldId = (path: string) => `f-${path}`;
const problemPath = (problem: string) => {
  const colon = problem.indexOf(': ');
  return colon > 0 ? problem.slice(0, colon) : '';
};
const within = (path: string, field: string) =>
  path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);

/** The form's fields, and the problems no field on the page carries. */
export function inputFormHtml(
  form: InputForm,
  state: FormState,
  m: FormMessages,
): { fields: SafeHtml; unplaced: string[] } {
  const paths = form.fields.flatMap((f) => fieldPaths(f, `input.${f.name}`, state.value[f.name], state.grow));
  const errors = new Map<string, string[]>();
  const unplaced: string[] = [];
  for (const problem of state.problems) {
    const path = problemPath(problem);
    // The deepest field on the page that the problem is about.
    const owner = paths.filter((p) => within(path, p)).sort((a, b) => b.length - a.length)[0];
    if (owner) errors.set(owner, [...(errors.get(owner) ?? []), problem.slice(path.length + 2)]);
    else unplaced.push(problem);
  }
  const ctx: Ctx = { m, errors, ...(state.grow && { grow: state.grow }) };
  return {
    fields: html`${form.fields.map((f) => fieldHtml(ctx, f, `input.${f.name}`, state.value[f.name]))}`,
    unplaced,
  };
}

/** The rows a list shows: its items, then blank ones to fill (none past its maximum). */
function rowCount(f: FormField & { kind: 'list' }, path: string, items: unknown[], grow?: string): number {
  const blanks = grow === path ? 2 : 1;
  return Math.min(items.length + blanks, Math.max(f.maxItems ?? Infinity, items.length));
}

const listItems = (f: FormField, value: unknown): unknown[] =>
  Array.isArray(value) ? value : Array.isArray(f.default) ? f.default : [];

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

function fieldPaths(f: FormField, path: string, value: unknown, grow?: string): string[] {
  if (f.kind === 'group') {
    const given = asRecord(value ?? f.default);
    return [path, ...f.fields.flatMap((s) => fieldPaths(s, `${path}.${s.name}`, given[s.name], grow))];
  }
  if (f.kind === 'list') {
    const items = listItems(f, value);
    return [
      path,
      ...Array.from({ length: rowCount(f, path, items, grow) }, (_, i) =>
        fieldPaths(f.item, `${path}[${i}]`, items[i], grow),
      ).flat(),
    ];
  }
  return [path];
}

function errorsOf(ctx: Ctx, path: string): { attrs: SafeHtml | string; list: SafeHtml | string } {
  const messages = ctx.errors.get(path);
  if (!messages) return { attrs: '', list: '' };
  const id = `${fieldId(path)}-error`;
  return {
    attrs: html`aria-invalid="true" aria-describedby="${id}"`,
    list: html`<p class="field-error" id="${id}" data-field="${path}">${messages.join('；')}</p>`,
  };
}

function labelText(ctx: Ctx, f: FormField, name: string | number) {
  const optional = f.required ? '' : html` <span class="note">${ctx.m.optional}</span>`;
  const label = typeof name === 'number' ? ctx.m.item(name + 1) : f.label;
  return html`${label}${typeof name === 'string' && f.label !== f.key ? html` <code>${name}</code>` : ''}${optional}`;
}

const text = (value: unknown) =>
  value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);

function fieldHtml(ctx: Ctx, f: FormField, path: string, value: unknown, name?: number): SafeHtml {
  const own = value === undefined ? f.default : value;
  const id = fieldId(path);
  const e = errorsOf(ctx, path);
  const label = labelText(ctx, f, name ?? path.slice(path.lastIndexOf('.') + 1));
  switch (f.kind) {
    case 'text':
    case 'integer': {
      const type = f.kind === 'text' && f.format === 'date' ? 'date' : 'text';
      const numeric = f.kind === 'integer' ? html`inputmode="numeric"` : '';
      const range =
        f.kind === 'integer' && f.minimum !== undefined && f.maximum !== undefined
          ? html`<span class="note">${ctx.m.range(f.minimum, f.maximum)}</span>`
          : '';
      return html`<div class="field">
        <label for="${id}">${label}</label>
        <input type="${type}" id="${id}" name="${path}" value="${text(own)}" ${numeric} ${e.attrs} />
        ${range}${e.list}
      </div>`;
    }
    case 'boolean':
      return html`<div class="field check">
        <input
          type="checkbox"
          id="${id}"
          name="${path}"
          value="true"
          ${own === true ? 'checked' : ''}
          ${e.attrs}
        />
        <label for="${id}">${label}</label>${e.list}
      </div>`;
    case 'choice': {
      const none = f.required ? '' : html`<option value="">${ctx.m.none}</option>`;
      return html`<div class="field">
        <label for="${id}">${label}</label>
        <select id="${id}" name="${path}" ${e.attrs}>
          ${none}${f.choices.map(
            (c) => html`<option value="${c}" ${own === c ? 'selected' : ''}>${choiceLabel(f, c)}</option>`,
          )}
        </select>
        ${e.list}
      </div>`;
    }
    case 'choices': {
      const chosen = Array.isArray(own) ? own : [];
      return html`<fieldset class="field" id="${id}" ${e.attrs}>
        <legend>${label}</legend>
        ${f.choices.map(
          (c, i) =>
            html`<span class="check"
              ><input
                type="checkbox"
                id="${id}-${i}"
                name="${path}"
                value="${c}"
                ${chosen.includes(c) ? 'checked' : ''}
              />
              <label for="${id}-${i}">${choiceLabel(f, c)}</label></span
            >`,
        )}
        ${e.list}
      </fieldset>`;
    }
    case 'list': {
      const items = listItems(f, value);
      const rows = rowCount(f, path, items, ctx.grow);
      const more =
        rows < (f.maxItems ?? Infinity)
          ? html`<button type="submit" name="add" value="${path}" class="secondary">${ctx.m.addRow}</button>`
          : '';
      return html`<fieldset class="field list" id="${id}" ${e.attrs}>
        <legend>${label}</legend>
        <input type="hidden" name="${rowsName(path)}" value="${rows}" />
        ${Array.from({ length: rows }, (_, i) => fieldHtml(ctx, f.item, `${path}[${i}]`, items[i], i))}
        ${more}${e.list}
      </fieldset>`;
    }
    case 'group': {
      const given = asRecord(own);
      return html`<fieldset class="field group" id="${id}" ${e.attrs}>
        <legend>${label}</legend>
        ${f.fields.map((s: NamedField) => fieldHtml(ctx, s, `${path}.${s.name}`, given[s.name]))} ${e.list}
      </fieldset>`;
    }
  }
}

const choiceLabel = (f: FormField, choice: string) => {
  const zh = f.options?.[choice];
  return zh ? `${zh}（${choice}）` : choice;
};
