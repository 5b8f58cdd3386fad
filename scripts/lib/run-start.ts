/**
 * What a start of a runbook is, for every front door alike (the inbox's page, its API for the
 * CLI): the runbook by name, its input as validated by its own schema and the site, with the
 * signed-in person as `requestedBy` where the schema has one, in its JSON form (exactly what
 * the workflow receives and its start assertion digests), and the workflow id.
 */
import { z } from 'zod';
import type { SiteConfig } from '../../temporal.config.ts';
import { runbookEntry, type CatalogEntry } from '../../workflows/catalog.ts';
import { RunbookInputError, validateRunbookInput } from './runbook-input.ts';

export interface PreparedStart {
  runbook: string;
  entry: CatalogEntry;
  input: Record<string, unknown>;
  workflowId: string;
}

/** Whether a runbook's input names who asks for the run. */
export function takesRequester(schema: z.ZodType): boolean {
  let inner: unknown = schema;
  while (inner instanceof z.ZodPipe) inner = inner.in;
  return inner instanceof z.ZodObject && 'requestedBy' in inner.shape;
}

const workflowIdPattern = /^[\x21-\x7e\u00a0-\uffff]{1,255}$/;

/** Validates a start; throws RunbookInputError naming each wrong field. */
export function prepareStart(
  runbook: string,
  raw: unknown,
  options: { site: SiteConfig; user: string; workflowId?: string; now?: Date },
): PreparedStart {
  const { site, user } = options;
  const now = options.now ?? new Date();
  const known = runbookEntry(runbook);
  const object = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  const asked = known && object && takesRequester(known.input) ? { ...raw, requestedBy: user } : raw;
  const { entry, input, day } = validateRunbookInput(runbook, asked, site, now);
  if (options.workflowId !== undefined && !workflowIdPattern.test(options.workflowId)) {
    throw new RunbookInputError([
      'workflowId: expected 1 to 255 printable characters without spaces, or none to take the usual id',
    ]);
  }
  return {
    runbook,
    entry,
    input: JSON.parse(JSON.stringify(input)) as Record<string, unknown>,
    workflowId: options.workflowId ?? entry.workflowId(input, day),
  };
}
