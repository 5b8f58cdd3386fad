/**
 * What a runbook's catalog entry (`workflows/<id>.catalog.ts`) declares, once, for everyone who
 * starts, schedules, lists, approves or documents it: the operator CLI, the inbox's start page
 * and its titles, the inspection's follow-ups, the schedules, the workers and the README's table.
 * `defineRunbook` checks an entry against its own input schema — example, labels, workflow-id
 * rule, follow-up input — so no entry needs a cast. Pure: the inspection reads entries inside
 * the workflow bundle.
 */
import type { z } from 'zod';
import type { Bilingual } from '../../domain/approvals/gate-types.ts';
import { runbookCatalog, type RunbookId } from '../../domain/runbooks/catalog.ts';
import type { Finding } from '../../domain/runbooks/daily-inspection.types.ts';
import type { SiteConfig } from '../../temporal.config.ts';

/** The day a run is started for: today in the site's time zone, and the site calendar's working days. */
export interface RunDay {
  today: string;
  /** The working day before `date` by the site's calendar. */
  workingDayBefore(date: string): string;
}

/** The zones (worker task queues) whose activities a runbook calls, besides the runbooks queue it runs on. */
export type Zone = 'comm' | 'db';

/** An approval policy as a runbook proposes it; the site's `approvals.runbooks.<id>` overrides it. */
export interface ApprovalDefaults {
  roles?: string[];
  quorum?: number;
  deputyRoles?: string[];
}

/** What the inspection knows when it starts a runbook for a finding. */
export interface FollowUpContext {
  /** The inspection's business day. */
  date: string;
  requestedBy: string;
  /** The finding in words, for approvers. */
  reason: string;
}

/** A schedule a site gets by naming the runbook without times (`schedules[].runbook`). */
export interface ScheduleDefaults {
  workingDaysAt?: string[];
  cron?: string[];
}

/** How the start form labels a field: its Chinese label, and Chinese labels of its choices. */
export type FieldLabel = string | { label: string; options?: Record<string, string> };

type Scalar = string | number | boolean | null | undefined;
type Item<T> = T extends readonly (infer E)[] ? E : T;
/** Every field of an input, nested ones by dots (`frontEnd.host`; a list's items by the list's name). */
export type FieldPath<T> = T extends Scalar
  ? never
  : {
      [K in keyof T & string]-?: NonNullable<Item<T[K]>> extends Scalar
        ? K
        : K | `${K}.${FieldPath<NonNullable<Item<T[K]>>>}`;
    }[keyof T & string];
/** A label for every field of the input (any field name, where the input is not known). */
export type FieldLabels<T> = unknown extends T
  ? Readonly<Record<string, FieldLabel>>
  : Record<FieldPath<T>, FieldLabel>;

/**
 * A runbook's entry. Method signatures (not function-typed properties) let an entry of any input
 * stand in the catalog's list, where inputs are checked by the entry's own schema before use.
 */
export interface RunbookSpec<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Its id in the contract's list (domain/runbooks/catalog.ts), which gives its titles. */
  id: RunbookId;
  /** The workflow function; exported by the bundle under its workflow type. */
  workflow(input: z.input<S>): Promise<R>;
  input: S;
  /** A valid input, for the README, the CLI's `example` and the generated bad-input tests. */
  example: z.input<S>;
  /** Chinese labels of every input field, for the start form. */
  fields: FieldLabels<z.input<S>>;
  /** The run's workflow id: what the run is about, so a second start of the same work is refused. */
  workflowId(input: z.output<S>, day: RunDay): string;
  /** The checks against the site the CLI and the inbox make before starting (the workflow makes them too). */
  siteProblems(input: z.output<S>, site: SiteConfig, day: RunDay): string[];
  /** Whether it changes anything (the estate, finance's records, a bank's state), or only reads and reports. */
  changes: boolean;
  /**
   * A change (变更, domain/runbooks/catalog.ts `changeRunbooks`) the change calendar's freeze windows
   * exist for, and so never hold back: the year-end rollover. Every other change waits out a freeze
   * or asks for an emergency override.
   */
  freezeExempt?: true;
  /** Its approval gate's policy and the steps it asks at (each step's policy replaces the runbook's). */
  approval?: { policy: ApprovalDefaults; steps: Record<string, ApprovalDefaults> };
  /** The zones its activities run in. */
  zones: readonly Zone[];
  /** The inspection findings it fixes, and the input the inspection starts it with. */
  fixes?: { findings: readonly string[]; input(finding: Finding, context: FollowUpContext): z.input<S> };
  schedule?: ScheduleDefaults;
}

export interface RunbookDefinition<S extends z.ZodType = z.ZodType, R = unknown> extends RunbookSpec<S, R> {
  title: Bilingual;
}

export function defineRunbook<S extends z.ZodType, R>(spec: RunbookSpec<S, R>): RunbookDefinition<S, R> {
  return { ...spec, title: runbookCatalog[spec.id] };
}
