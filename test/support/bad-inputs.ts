/**
 * Generated malformed runbook inputs (fast-check). Each case starts from a runbook's valid
 * example and breaks it in one way that its input schema (read as JSON Schema) or the estate
 * must refuse: a wrong type, a missing or extra field, a huge list or string, a repeated item, an
 * impossible or far date, an unknown code, an injection string or odd Unicode where a format is
 * expected, or no object at all. Every runbook of the catalog is covered without a list here.
 */
import fc from 'fast-check';
import { z } from 'zod';
import type { JsonSchema } from '../../inbox/input-form.ts';

export interface BadInput {
  runbook: string;
  /** What was broken, e.g. `wrong-type`, `far-date`. */
  kind: string;
  /** The field broken, `input.path` (or `input` for the whole). */
  field: string;
  input: unknown;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Path = (string | number)[];

export const injections = [
  "ICBC'); STOP CHANNEL(CZ.TO.ICBC) MODE(FORCE); ('",
  'ICBC\nDELETE QLOCAL(QM.ICBC) PURGE',
  'CZ.TO.ICBC) SEQNUM(1',
  "' OR 1=1; DROP TABLE vouchers; --",
  "x'; UPDATE vouchers SET status = 'paid' WHERE '1'='1",
  '$(touch /tmp/pwned)',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
];

export const oddUnicode = [
  'ＩＣＢＣ',
  'IC\u200bBC',
  '\u202eCBCI',
  'ICBC\u0000',
  '\ud800ICBC',
  '工商银行',
  '🏦🏦',
  'İCBC',
  'zhang\u0301.san',
  ' ',
  '',
];

const impossibleDates = [
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '20261127',
  '2026-11-27T00:00:00Z',
  '27/11/2026',
];
const farDates = ['0001-01-01', '1999-12-31', '2000-12-31', '2099-12-31', '9999-12-31'];
const unknownBanks = ['XYZ', 'ZZB9', 'ICBC1', 'HSBC'];
const oddKeys = [
  'colour',
  'Bank',
  'bank ',
  '$where',
  'constructor',
  'toString',
  '__proto__',
  '银行',
  'k'.repeat(300),
];

/** Values of every JSON type but the schema's own (integers count as numbers). */
function otherTypes(s: JsonSchema): Json[] {
  const all: Record<string, Json[]> = {
    string: ['60', 'true', ''],
    number: [1.5, -1, 1e21],
    boolean: [true, false],
    null: [null],
    array: [[], ['x']],
    object: [{}, { value: 1 }],
  };
  const own = s.type === 'integer' ? 'number' : (s.type ?? 'object');
  return Object.entries(all).flatMap(([t, vs]) => (t === own ? [] : vs));
}

function refused(s: JsonSchema, v: string): boolean {
  if (s.enum) return !s.enum.includes(v);
  if (s.pattern) return !new RegExp(s.pattern, 'u').test(v.trim());
  if (s.maxLength !== undefined) return v.length > s.maxLength;
  return false;
}

/** A valid value of the schema's kind, taken from the example when it has one. */
function validItem(s: JsonSchema, example: unknown): Json | undefined {
  if (Array.isArray(example) && example.length > 0) return example[0] as Json;
  return (s.enum?.[0] as Json | undefined) ?? undefined;
}

interface FieldCase {
  kind: string;
  path: Path;
  value: fc.Arbitrary<Json | Uint8Array>;
}

function fieldCases(s: JsonSchema, path: Path, example: unknown, bankField: boolean): FieldCase[] {
  const cases: FieldCase[] = [{ kind: 'wrong-type', path, value: fc.constantFrom(...otherTypes(s)) }];
  const strings = (kind: string, values: string[]) => {
    const bad = values.filter((v) => refused(s, v));
    if (bad.length > 0) cases.push({ kind, path, value: fc.constantFrom(...bad) });
  };
  if (s.type === 'string' && s.format === 'date') {
    cases.push({ kind: 'impossible-date', path, value: fc.constantFrom(...impossibleDates) });
    cases.push({ kind: 'far-date', path, value: fc.constantFrom(...farDates) });
  } else if (s.type === 'string') {
    strings('injection', injections);
    strings('odd-unicode', oddUnicode);
    strings('unknown-code', ['UNKNOWN', 'daily-report', 'Channel']);
    cases.push({
      kind: 'huge-string',
      path,
      value: fc.integer({ min: (s.maxLength ?? 300) + 1, max: 100_000 }).map((n) => 'Ａ'.repeat(n)),
    });
    if (bankField) cases.push({ kind: 'unknown-bank', path, value: fc.constantFrom(...unknownBanks) });
  } else if (s.type === 'integer') {
    const bad = [
      ...(s.minimum !== undefined ? [s.minimum - 1, -1e12] : []),
      ...(s.maximum !== undefined ? [s.maximum + 1, 1e15] : []),
      (s.minimum ?? 0) + 0.5,
    ];
    cases.push({ kind: 'out-of-range', path, value: fc.constantFrom(...bad) });
  } else if (s.type === 'array' && s.items) {
    const item = validItem(s.items, example);
    const max = s.maxItems ?? 1000;
    if (item !== undefined) {
      cases.push({
        kind: 'huge-list',
        path,
        value: fc.integer({ min: max + 1, max: 10_000 }).map((n) => Array<Json>(n).fill(item)),
      });
      if (s.uniqueItems) cases.push({ kind: 'duplicates', path, value: fc.constant([item, item]) });
    }
    if ((s.minItems ?? 0) > 0) cases.push({ kind: 'empty-list', path, value: fc.constant([]) });
    const itemCases = fieldCases(s.items, [...path, 0], undefined, bankField);
    for (const c of itemCases) {
      cases.push({ kind: `item-${c.kind}`, path, value: c.value.map((v) => [v as Json]) });
    }
  } else if (s.type === 'object' && s.properties) {
    cases.push(...objectCases(s, path, (example ?? {}) as Record<string, Json>));
  }
  return cases;
}

function objectCases(s: JsonSchema, path: Path, example: Record<string, Json>): FieldCase[] {
  const cases: FieldCase[] = [];
  for (const name of s.required ?? []) {
    const rest = Object.fromEntries(Object.entries(example).filter(([key]) => key !== name));
    cases.push({ kind: 'missing-field', path: [...path, name], value: fc.constant(rest) });
  }
  cases.push({
    kind: 'extra-field',
    path,
    value: fc
      .constantFrom(...oddKeys)
      .filter((k) => !(k in (s.properties ?? {})))
      .map((k) => ({ ...example, [k]: 1 })),
  });
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    for (const c of fieldCases(prop, [...path, name], example[name], /^banks?$/.test(name))) {
      cases.push({ ...c, value: c.value.map((v) => ({ ...example, [name]: v }) as Json) });
    }
  }
  return cases;
}

const describePath = (path: Path) =>
  path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${p}`), 'input');

/** Every way to break one runbook's example, each an arbitrary of whole inputs. */
export function badInputs(runbook: string, schema: z.ZodType, example: object): fc.Arbitrary<BadInput> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const top = objectCases(json, [], example as Record<string, Json>);
  const arbitraries = [
    fc.record({
      runbook: fc.constant(runbook),
      kind: fc.constant('not-an-object'),
      field: fc.constant('input'),
      input: fc.constantFrom<unknown>([], [example], 'text', 42, true, new Uint8Array([123, 125])),
    }),
    ...top.map((c) =>
      c.value.map((input) => ({
        runbook,
        kind: c.kind,
        field: describePath(c.path),
        input: input as unknown,
      })),
    ),
  ];
  return fc.oneof(...arbitraries);
}

/** `n` cases for one runbook from `seed`: the same cases for the same seed. */
export function sampleBadInputs(
  runbook: string,
  schema: z.ZodType,
  example: object,
  n: number,
  seed: number,
): BadInput[] {
  return fc.sample(badInputs(runbook, schema, example), { numRuns: n, seed });
}

/** Dates a business-date field must accept: a leap day, the first day of the records, a recent day. */
export const validDates = ['2024-02-29', '2001-01-01', '2026-11-01'];

/**
 * The example with its business-date fields set to each of `validDates`, all of them at once: a
 * schema whose dates bound a range (`date` … `to`) takes the one-day range.
 */
export function validDateVariants(schema: z.ZodType, example: object): object[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fields = Object.entries(json.properties ?? {})
    .filter(([, prop]) => prop.format === 'date')
    .map(([name]) => name);
  if (fields.length === 0) return [];
  return validDates.map((date) => ({ ...example, ...Object.fromEntries(fields.map((f) => [f, date])) }));
}
