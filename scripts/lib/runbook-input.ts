/**
 * A runbook start checked before anything starts, by every front door (the CLI, the inbox and its
 * API, the schedules): the runbook by its catalog id, the input by the entry's schema, then by the
 * entry's site checks with the site file and the day (the workflow repeats them, for starts from
 * the Temporal UI).
 */
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { UnknownCalendarYearError } from '../../domain/calendar/working-days.ts';
import { boundedProblems, checkInput, quoted } from '../../domain/errors.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { runbookEntries, runbookEntry, type CatalogEntry } from '../../workflows/catalog.ts';
import type { RunDay } from '../../workflows/shared/runbook-definition.ts';

export class RunbookInputError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid input:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RunbookInputError';
  }
}

/** The site's day at `now`; a working day the calendar cannot tell is the operator's to give. */
export function siteRunDay(site: SiteConfig, now: Date): RunDay {
  return {
    today: dateInZone(now, site.site.timezone),
    workingDayBefore(date) {
      try {
        return createSiteCalendar(site.calendar).previousWorkingDay(date);
      } catch (err) {
        if (!(err instanceof UnknownCalendarYearError)) throw err;
        throw new RunbookInputError([
          `input.date: not given, and the working day before ${date} is unknown: ${err.message}`,
        ]);
      }
    },
  };
}

/** The runbook of this id, or an error naming the ids there are. */
export function startableRunbook(name: string, field = 'runbook'): CatalogEntry {
  const entry = runbookEntry(name);
  if (!entry) {
    const ids = runbookEntries().map((e) => e.id);
    throw new RunbookInputError([
      `${field}: unknown runbook ${quoted(name)}; expected one of ${ids.join(', ')}`,
    ]);
  }
  return entry;
}

/** Validates a runbook's input against its schema and the site; throws RunbookInputError. */
export function validateRunbookInput(
  name: string,
  raw: unknown,
  site: SiteConfig,
  now = new Date(),
): { entry: CatalogEntry; input: unknown; day: RunDay } {
  const entry = startableRunbook(name);
  const checked = checkInput(entry.input, raw);
  if (!checked.ok) throw new RunbookInputError(boundedProblems(checked.problems));
  const day = siteRunDay(site, now);
  const problems = entry.siteProblems(checked.input, site, day);
  if (problems.length > 0) throw new RunbookInputError(boundedProblems(problems));
  return { entry, input: checked.input, day };
}
