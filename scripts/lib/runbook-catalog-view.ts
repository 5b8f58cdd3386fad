/**
 * `runbook runbooks [<runbook>]`: the catalog as the operator reads it — every runbook one line
 * (id, title, workflow type, ⚑ when it waits for approval before changing anything), or one
 * runbook in full: what it changes, its approval steps, the findings it fixes, its input fields
 * with their Chinese labels, and a valid example input to paste into `--input` or the Temporal UI.
 */
import { runbookEntries, type CatalogEntry } from '../../workflows/catalog.ts';
import type { FieldLabel } from '../../workflows/shared/runbook-definition.ts';

const flag = (e: CatalogEntry) => (e.approval ? ' ⚑' : '');

export function catalogLines(): string[] {
  return runbookEntries().map(
    (e) => `${e.id.padEnd(28)}  ${e.workflowType.padEnd(26)}  ${e.title.zh}${flag(e)} — ${e.title.en}`,
  );
}

const labelOf = (label: FieldLabel) => (typeof label === 'string' ? label : label.label);

export function runbookLines(entry: CatalogEntry): string[] {
  const steps = Object.keys(entry.approval?.steps ?? {});
  return [
    `${entry.id} — ${entry.title.zh}${flag(entry)} (${entry.title.en})`,
    `  workflow type: ${entry.workflowType} (task queue runbooks; activities in ${entry.zones.join(', ')})`,
    `  changes: ${entry.changes ? 'yes' : 'no, reads and reports'}${steps.length > 0 ? `; approval steps: ${steps.join(', ')}` : ''}`,
    ...(entry.fixes ? [`  fixes the inspection's findings: ${entry.fixes.findings.join(', ')}`] : []),
    '  input fields:',
    ...Object.entries(entry.fields).map(([path, label]) => `    ${path.padEnd(24)}  ${labelOf(label)}`),
    '  example input:',
    `    ${JSON.stringify(entry.example)}`,
  ];
}
