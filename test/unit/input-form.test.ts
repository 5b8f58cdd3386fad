/**
 * The start forms generated from the runbooks' input schemas: every runbook's form, showing its
 * example, posts back an input its schema reads as the example; empty fields are left out (the
 * schema's defaults apply) and a value that is not a number goes on as typed, for the schema to
 * name; each problem lands beside the field it names, and problems about no field stay for the
 * summary.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputFormHtml } from '../../inbox/input-form-html.ts';
import { inputForm, readInputForm, rowsName } from '../../inbox/input-form.ts';
import { messages } from '../../inbox/i18n.ts';
import { takesRequester } from '../../scripts/lib/run-start.ts';
import { runbookEntries, runbookEntry } from '../../workflows/catalog.ts';

const m = messages('zh').start.form;
const unescape = (text: string) =>
  text.replace(
    /&(quot|#39|#96|lt|gt|amp);/g,
    (_, e: string) => ({ quot: '"', '#39': "'", '#96': '`', lt: '<', gt: '>', amp: '&' })[e] ?? '',
  );

/** What a browser posts for the page's fields as they are shown (no one changing anything). */
function posted(page: string): URLSearchParams {
  const form = new URLSearchParams();
  const attr = (tag: string, name: string) => unescape(new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1] ?? '');
  for (const [tag] of page.matchAll(/<input[^>]*>/g)) {
    const type = attr(tag, 'type');
    if ((type === 'checkbox' && !/\schecked/.test(tag)) || type === 'submit') continue;
    form.append(attr(tag, 'name'), attr(tag, 'value'));
  }
  for (const [select] of page.matchAll(/<select[\s\S]*?<\/select>/g)) {
    const chosen = /<option value="([^"]*)"\s+selected/.exec(select)?.[1] ?? '';
    form.append(attr(select, 'name'), unescape(chosen));
  }
  return form;
}

for (const entry of runbookEntries()) {
  test(`${entry.id}: the form showing the example posts back the example`, () => {
    const form = inputForm(entry.input, entry.fields);
    const example = { ...(entry.example as object) };
    const page = inputFormHtml(form, { value: example, problems: [] }, m).fields.value;
    // The inbox puts the signed-in person in as requestedBy, where the input has one.
    const asker = takesRequester(entry.input) ? { requestedBy: 'zhang.san' } : {};
    const back = { ...readInputForm(form, posted(page)), ...asker };
    assert.deepEqual(entry.input.parse(back), entry.input.parse({ ...example, ...asker }));
  });
}

test('an empty form posts nothing but the defaults shown; a non-number goes on as typed', () => {
  const entry = runbookEntry('voucher-resend')!;
  const form = inputForm(entry.input, entry.fields);
  assert.ok(!form.fields.some((f) => f.name === 'requestedBy'), 'the inbox fills in the requester');
  const page = inputFormHtml(form, { value: {}, problems: [] }, m).fields.value;
  const shown = posted(page);
  assert.equal(shown.get('input.bank'), '');
  assert.equal(shown.get('input.askRounds'), '3', 'a default is shown');
  assert.equal(shown.get(rowsName('input.voucherNos')), '1', 'one blank row to add a voucher');
  shown.set('input.bank', 'ICBC');
  shown.set('input.askRounds', 'three');
  shown.set('input.voucherNos[0]', 'ZZ20261127ICBC0001');
  shown.set('input.dryRun', 'true');
  const input = readInputForm(form, shown);
  assert.equal(input.bank, 'ICBC');
  assert.equal(input.askRounds, 'three');
  assert.deepEqual(input.voucherNos, ['ZZ20261127ICBC0001']);
  assert.equal(input.dryRun, true);
  assert.equal(input.since, undefined, 'an empty date is left out');
  assert.equal(input.verifySeconds, 600);
});

test('each problem lands beside its field; those about no field are left for the summary', () => {
  const entry = runbookEntry('add-agent-bank')!;
  const form = inputForm(entry.input, entry.fields);
  const value = { code: 'HXB', programs: [{ name: 'p', pidFile: 'relative' }] };
  const { fields, unplaced } = inputFormHtml(
    form,
    {
      value,
      problems: [
        'input.programs[0].pidFile: an absolute path',
        'input.frontEnd: required',
        'input.window.close: the window must open before it closes',
        'input: not an object',
        'workflowId: already running',
      ],
    },
    m,
  );
  const beside = [
    ...fields.value.matchAll(/<p class="field-error" id="[^"]+" data-field="([^"]+)">([^<]*)</g),
  ];
  assert.deepEqual(
    beside.map(([, path, text]) => [path, text]),
    [
      ['input.frontEnd', 'required'],
      ['input.window.close', 'the window must open before it closes'],
      ['input.programs[0].pidFile', 'an absolute path'],
    ],
  );
  assert.match(fields.value, /id="f-input\.programs\[0\]\.pidFile"[^>]*aria-invalid="true"/);
  assert.deepEqual(unplaced, ['input: not an object', 'workflowId: already running']);
});

test('"add a row" shows one more blank row, and no list grows past its maximum', () => {
  const entry = runbookEntry('add-agent-bank')!;
  const form = inputForm(entry.input, entry.fields);
  const rows = (value: Record<string, unknown>, grow?: string) =>
    posted(inputFormHtml(form, { value, problems: [], ...(grow && { grow }) }, m).fields.value).get(
      rowsName('input.programs'),
    );
  const program = { name: 'p', systemdUnit: 'send.service' };
  assert.equal(rows({}), '1');
  assert.equal(rows({}, 'input.programs'), '2');
  assert.equal(rows({ programs: [program, program, program] }, 'input.programs'), '4');
  assert.equal(rows({ programs: [program, program, program, program] }), '4');
});
