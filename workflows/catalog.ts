/**
 * The runbook catalog: every entry the bundle exports (workflows/index.ts, one line per runbook),
 * each with its workflow type — the name the bundle exports its workflow under, as Temporal calls
 * it. Built on first use, since the inspection, itself in the bundle, reads it.
 */
import type { RunbookId } from '../domain/runbooks/catalog.ts';
import type { SiteConfig } from '../temporal.config.ts';
import * as bundle from './index.ts';
import type { RunbookDefinition } from './shared/runbook-definition.ts';

export interface CatalogEntry extends RunbookDefinition {
  workflowType: string;
}

const isDefinition = (value: unknown): value is RunbookDefinition =>
  typeof value === 'object' && value !== null && 'workflow' in value && 'id' in value;

let built: ReadonlyMap<string, CatalogEntry> | undefined;

function catalog(): ReadonlyMap<string, CatalogEntry> {
  if (built) return built;
  const exported = Object.entries(bundle);
  const entries = exported
    .flatMap(([, value]) => (isDefinition(value) ? [value] : []))
    .sort((a, b) => a.id.localeCompare(b.id));
  built = new Map(
    entries.map((entry) => {
      const named = exported.find(([, value]) => value === entry.workflow);
      // A defect only a corrected deployment mends: a plain Error, so the workflow task retries.
      if (!named) throw new Error(`runbook ${entry.id}: the bundle does not export its workflow`);
      return [entry.id, { ...entry, workflowType: named[0] }];
    }),
  );
  return built;
}

/** Every runbook, by id. */
export const runbookEntries = (): CatalogEntry[] => [...catalog().values()];

/** The runbook of this id, if it is built. */
export const runbookEntry = (id: string): CatalogEntry | undefined => catalog().get(id);

/** The ids of the runbooks one can start (the contract's other procedures are not built yet). */
export const startableIds = (): RunbookId[] => runbookEntries().map((e) => e.id);

/** The workflow types of the bundle: the runbooks and the workflows they start as children. */
export const workflowTypes = (): string[] =>
  Object.entries(bundle).flatMap(([name, value]) => (typeof value === 'function' ? [name] : []));

/**
 * A scheduled run's workflow id. Its day is not known when the schedule is written, so the id
 * names the schedule; Temporal appends each run's start time to it.
 */
export const scheduledWorkflowId = (entry: CatalogEntry, scheduleId: string): string =>
  `${entry.id}/scheduled/${scheduleId}`;

/**
 * The site with each runbook's approval policy beneath its own: a runbook's entry proposes roles
 * and steps, the site's `approvals.runbooks.<id>` (and `.steps.<step>`) overrides them field by
 * field. Workers and the inbox decide by the result.
 */
export function withRunbookApprovals(site: SiteConfig): SiteConfig {
  const own = site.approvals.runbooks;
  const runbooks = { ...own };
  for (const { id, approval } of runbookEntries()) {
    if (!approval) continue;
    const mine = own[id];
    const names = new Set([...Object.keys(approval.steps), ...Object.keys(mine?.steps ?? {})]);
    const steps = Object.fromEntries(
      [...names].map((step) => [step, { ...approval.steps[step], ...mine?.steps[step] }]),
    );
    runbooks[id] = { ...approval.policy, ...mine, steps };
  }
  return { ...site, approvals: { ...site.approvals, runbooks } };
}

/**
 * The site with each freeze-exempt runbook (its entry's `freezeExempt`) exempted from every freeze
 * window the site declares, beside the runbooks the site exempts itself. Workers and the CLI judge
 * the change calendar by the result.
 */
export function withFreezeExemptions(site: SiteConfig): SiteConfig {
  const exempt = runbookEntries().flatMap((e) => (e.freezeExempt ? [e.id] : []));
  if (exempt.length === 0) return site;
  const freezes = site.calendar.freezes.map((f) => ({
    ...f,
    exempt: [...new Set([...f.exempt, ...exempt])],
  }));
  return { ...site, calendar: { ...site.calendar, freezes } };
}
