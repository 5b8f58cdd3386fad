/**
 * Business dates for the sandbox: local dates and times of day in the site's time zone, and the
 * working-day calendar of the simulated world — the official data and, for a year it does not
 * cover yet, the sandbox's assumed arrangement (sandbox/calendar/assumed-<year>.yaml, marked
 * SANDBOX ONLY). The simulated banks need an answer for every day, so beyond those years the
 * world falls back to Monday–Friday; the engine never does (it refuses an unknown year).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCalendarFile } from '../connectors/calendar/calendar-files.ts';
import { officialCalendar } from '../connectors/calendar/official-calendar.ts';
import {
  addDays,
  dateInZone,
  instantAt as instantIn,
  timeInZone,
  weekdayOf,
} from '../domain/calendar/dates.ts';
import { createWorkingDayCalendar, UnknownCalendarYearError } from '../domain/calendar/working-days.ts';
import { projectRoot } from '../temporal.config.ts';

// In the project, not beside this module: a build's compiled sandbox programs read the same files.
const assumedDir = join(projectRoot, 'sandbox', 'calendar');

/** The sandbox's assumed years the official data lacks, with their files. */
function assumedYears(): { year: number; file: string }[] {
  const official = new Set(officialCalendar().years);
  return readdirSync(assumedDir)
    .map((name) => /^assumed-(\d{4})\.yaml$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ year: Number(m[1]), file: join(assumedDir, m[0]) }))
    .filter((a) => !official.has(a.year));
}

const world = createWorkingDayCalendar({
  official: officialCalendar(),
  declarations: assumedYears().map((a) => readCalendarFile(a.file)),
});

/**
 * The simulated bureau declares the sandbox's assumed years to its engine, as a bureau adds a
 * year's file once the notice is out: copied into the site's calendar folder unless already there.
 */
export function declareAssumedYears(calendarDir: string): string[] {
  mkdirSync(calendarDir, { recursive: true });
  return assumedYears().flatMap(({ year, file }) => {
    const target = join(calendarDir, `sandbox-${year}.yaml`);
    if (existsSync(target)) return [];
    copyFileSync(file, target);
    return [target];
  });
}

/** 'YYYY-MM-DD' of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone = 'Asia/Shanghai'): string {
  return dateInZone(instant, timeZone);
}

/** 'HH:MM' of `instant` in `timeZone`. */
export function localTime(instant: Date, timeZone = 'Asia/Shanghai'): string {
  return timeInZone(instant, timeZone);
}

/** The instant of local `date` `hhmm` in `timeZone`. */
export function instantAt(date: string, hhmm: string, timeZone = 'Asia/Shanghai'): Date {
  return instantIn(date, hhmm, timeZone);
}

export { addDays };

export function isWorkday(date: string): boolean {
  try {
    return world.isWorkingDay(date);
  } catch (err) {
    if (!(err instanceof UnknownCalendarYearError)) throw err;
    const day = weekdayOf(date);
    return day !== 0 && day !== 6;
  }
}

/** The last working day strictly before `date` (Monday → Friday; holidays skipped). */
export function previousWorkday(date: string): string {
  let d = addDays(date, -1);
  while (!isWorkday(d)) d = addDays(d, -1);
  return d;
}

/** Whether local time `hhmm` lies in [open, close). */
export function inWindow(hhmm: string, window: { open: string; close: string }): boolean {
  return hhmm >= window.open && hhmm < window.close;
}
