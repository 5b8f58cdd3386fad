/**
 * A runbook's start form, generated from its input schema — read as JSON Schema (zod's own
 * `toJSONSchema`) — and the Chinese labels of its catalog entry: one field per input field (text,
 * whole number, date, yes/no, one choice, several choices, a list of items, a group of fields).
 * Each field is named by the path the schema's problems carry (`input.frontEnd.host`,
 * `input.banks[1]`), so every problem lands beside its field. Reading a posted form gives the JSON
 * input back: an empty field is left out, so the schema's default applies.
 */
import { z } from 'zod';

/** The parts of a JSON Schema (as zod writes one) that forms and input checks read. */
export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  uniqueItems?: boolean;
  default?: unknown;
}

/** How a catalog entry labels one input field: its Chinese label, and labels of its choices. */
export type FieldLabel = string | { label: string; options?: Record<string, string> };

interface FieldBase {
  /** The field's place in the input without list positions (`frontEnd.host`, `programs.name`). */
  key: string;
  label: string;
  options?: Record<string, string>;
  required: boolean;
  default?: unknown;
}

export type FormField = FieldBase &
  (
    | { kind: 'text'; format?: 'date'; maxLength?: number }
    | { kind: 'integer'; minimum?: number; maximum?: number }
    | { kind: 'boolean' }
    | { kind: 'choice'; choices: string[] }
    | { kind: 'choices'; choices: string[] }
    | { kind: 'list'; item: FormField; maxItems?: number }
    | { kind: 'group'; fields: NamedField[] }
  );
export type NamedField = FormField & { name: string };

export interface InputForm {
  fields: NamedField[];
}

/** Fields the front door fills itself, so the form leaves them out. */
const filledByTheInbox = new Set(['requestedBy']);

/** The form for `schema`, labelled from `labels` (by field key); fields without a label show their key. */
export function inputForm(schema: z.ZodType, labels: Record<string, FieldLabel | undefined>): InputForm {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const root = field(json, '', labels, true);
  if (root.kind !== 'group') throw new Error('a runbook input schema must describe an object');
  return { fields: root.fields.filter((f) => !filledByTheInbox.has(f.name)) };
}

function field(
  json: JsonSchema,
  key: string,
  labels: Record<string, FieldLabel | undefined>,
  required: boolean,
): FormField {
  const given = labels[key];
  const base: FieldBase = {
    key,
    label: typeof given === 'string' ? given : (given?.label ?? key),
    ...(typeof given === 'object' && given.options && { options: given.options }),
    required,
    ...(json.default !== undefined && { default: json.default }),
  };
  const variants = json.anyOf?.filter((v) => v.type === 'object');
  if (json.type === 'object' || (variants && variants.length > 0)) {
    return { ...base, kind: 'group', fields: groupFields(variants ?? [json], key, labels) };
  }
  if (json.type === 'array' && json.items) {
    const item = json.items;
    if (item.enum) return { ...base, kind: 'choices', choices: item.enum.map(String) };
    return {
      ...base,
      kind: 'list',
      item: field(item, key, labels, true),
      ...(json.maxItems !== undefined && { maxItems: json.maxItems }),
    };
  }
  if (json.enum) return { ...base, kind: 'choice', choices: json.enum.map(String) };
  if (json.type === 'boolean') return { ...base, kind: 'boolean' };
  if (json.type === 'integer' || json.type === 'number') {
    return {
      ...base,
      kind: 'integer',
      ...(json.minimum !== undefined && { minimum: json.minimum }),
      ...(json.maximum !== undefined && { maximum: json.maximum }),
    };
  }
  return {
    ...base,
    kind: 'text',
    ...(json.format === 'date' && { format: 'date' as const }),
    ...(json.maxLength !== undefined && { maxLength: json.maxLength }),
  };
}

/** The fields of an object, or of each object a value may be (required where every one requires it). */
function groupFields(
  variants: JsonSchema[],
  key: string,
  labels: Record<string, FieldLabel | undefined>,
): NamedField[] {
  const fields = new Map<string, NamedField>();
  for (const variant of variants) {
    for (const [name, json] of Object.entries(variant.properties ?? {})) {
      if (fields.has(name)) continue;
      const required = variants.every((v) => v.required?.includes(name) ?? false);
      fields.set(name, { ...field(json, key ? `${key}.${name}` : name, labels, required), name });
    }
  }
  return [...fields.values()];
}

/** The hidden field that says how many rows a list had on the page. */
export const rowsName = (path: string) => `${path}#rows`;
/** Rows a posted list may claim, whatever its schema allows: the page never shows more. */
const maxRows = 1000;

/** The JSON input a posted form stands for (fields left empty are left out). */
export function readInputForm(form: InputForm, posted: URLSearchParams): Record<string, unknown> {
  return readGroup(form.fields, 'input', posted) ?? {};
}

function readGroup(
  fields: NamedField[],
  path: string,
  posted: URLSearchParams,
): Record<string, unknown> | undefined {
  const entries = fields
    .map((f) => [f.name, readField(f, `${path}.${f.name}`, posted)] as const)
    .filter(([, v]) => v !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function readField(f: FormField, path: string, posted: URLSearchParams): unknown {
  const text = posted.get(path) ?? '';
  switch (f.kind) {
    case 'text':
    case 'choice':
      return text.trim() === '' ? undefined : text;
    case 'integer':
      // Anything but a whole number goes on as typed, for the schema to name.
      return text.trim() === '' ? undefined : /^-?\d{1,15}$/.test(text.trim()) ? Number(text) : text;
    case 'boolean':
      // An unchecked box is "no"; left out when no is the default anyway.
      return posted.get(path) === 'true' ? true : f.default === true ? false : undefined;
    case 'choices':
      return posted.getAll(path);
    case 'list': {
      const rows = Math.min(Number(posted.get(rowsName(path))) || 0, maxRows);
      const items = Array.from({ length: rows }, (_, i) => readField(f.item, `${path}[${i}]`, posted));
      const given = items.filter((v) => v !== undefined);
      return given.length > 0 ? given : undefined;
    }
    case 'group':
      return readGroup(f.fields, path, posted);
  }
}
