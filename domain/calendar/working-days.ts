/**
 * The Chinese working-day calendar: weekends, statutory holidays and make-up working days (调休上班),
 * from the official data of the years it knows and the site's declarations. A day of a year that
 * neither covers is never guessed: asking about it throws UnknownCalendarYearError, naming the
 * year to declare. Answers depend on the dates alone, never on the process's time zone.
 */
import { addDays, weekdayOf, yearOf } from './dates.ts';
import type { CalendarDeclaration, ExtendedHoursEntry, NamedDay } from './declaration.ts';

/** The official arrangement of the years it covers (the State Council's notices). */
export interface OfficialCalendar {
  years: number[];
  holidays: NamedDay[];
  workdays: NamedDay[];
}

export class UnknownCalendarYearError extends Error {
  constructor(
    readonly year: number,
    readonly date: string,
  ) {
    super(
      `The working-day calendar has no data for ${year} (asked about ${date}): declare ${year}'s statutory holidays and make-up working days (调休) from the State Council's notice in a calendar file with "year: ${year}" (calendar.files or calendar.dir of the site file; see README, "Calendar")`,
    );
    this.name = 'UnknownCalendarYearError';
  }
}

export type DayKind = 'workday' | 'makeup-workday' | 'weekend' | 'holiday';

export interface CalendarDay {
  date: string;
  kind: DayKind;
  working: boolean;
  /** The holiday's name, when the notice or the file gives one. */
  name?: string;
}

export interface ExtendedHours {
  open: string;
  close: string;
  reason: string;
}

export interface WorkingDayCalendar {
  /** The years whose every day is known, ascending. */
  knownYears(): number[];
  /** What `date` is; throws UnknownCalendarYearError for a day of a year not known. */
  day(date: string): CalendarDay;
  isWorkingDay(date: string): boolean;
  previousWorkingDay(date: string): string;
  nextWorkingDay(date: string): string;
  /** A bank's extended hours on `date`, when a calendar file declares them. */
  extendedHours(date: string, bank: string): ExtendedHours | undefined;
  /** Every extended-hours entry for the days from `from` to `to`, inclusive. */
  extendedHoursBetween(from: string, to: string): ExtendedHoursEntry[];
}

/** How far the previous or next working day is looked for. */
const searchDays = 400;

export function createWorkingDayCalendar({
  official,
  declarations,
}: {
  official: OfficialCalendar;
  declarations: CalendarDeclaration[];
}): WorkingDayCalendar {
  const years = new Set(official.years);
  const holidays = new Map<string, string | undefined>();
  const workdays = new Map<string, string | undefined>();
  // The site's declarations win over the official data; within them, a make-up working day wins.
  const siteHolidays = new Map<string, string | undefined>();
  const siteWorkdays = new Map<string, string | undefined>();
  for (const d of official.holidays) holidays.set(d.date, d.name);
  for (const d of official.workdays) workdays.set(d.date, d.name);
  const extended: ExtendedHoursEntry[] = [];
  for (const decl of declarations) {
    if (decl.year !== undefined) years.add(decl.year);
    for (const d of decl.holidays) siteHolidays.set(d.date, d.name);
    for (const d of decl.workdays) siteWorkdays.set(d.date, d.name);
    extended.push(...decl.extendedHours);
  }
  const known = [...years].sort((a, b) => a - b);

  const named = (date: string, kind: DayKind, name: string | undefined): CalendarDay => ({
    date,
    kind,
    working: kind === 'workday' || kind === 'makeup-workday',
    ...(name && { name }),
  });
  const day = (date: string): CalendarDay => {
    if (siteWorkdays.has(date)) return named(date, 'makeup-workday', siteWorkdays.get(date));
    if (siteHolidays.has(date)) return named(date, 'holiday', siteHolidays.get(date));
    if (!years.has(yearOf(date))) throw new UnknownCalendarYearError(yearOf(date), date);
    if (workdays.has(date)) return named(date, 'makeup-workday', workdays.get(date));
    if (holidays.has(date)) return named(date, 'holiday', holidays.get(date));
    const weekday = weekdayOf(date);
    return named(date, weekday === 0 || weekday === 6 ? 'weekend' : 'workday', undefined);
  };
  const step = (date: string, direction: 1 | -1): string => {
    let d = date;
    for (let i = 0; i < searchDays; i++) {
      d = addDays(d, direction);
      if (day(d).working) return d;
    }
    throw new Error(`No working day within ${searchDays} days of ${date}`);
  };
  return {
    knownYears: () => known,
    day,
    isWorkingDay: (date) => day(date).working,
    previousWorkingDay: (date) => step(date, -1),
    nextWorkingDay: (date) => step(date, 1),
    extendedHours(date, bank) {
      // A later file's entry wins: the most recent arrangement.
      const e = [...extended].reverse().find((x) => x.date === date && (!x.banks || x.banks.includes(bank)));
      return e && { open: e.open, close: e.close, reason: e.reason };
    },
    extendedHoursBetween: (from, to) => extended.filter((e) => e.date >= from && e.date <= to),
  };
}
