/**
 * A Temporal Schedule spec that fires on Chinese working days, generated from the calendar: each
 * time of day on Monday–Friday of the years the calendar knows, holidays on weekdays skipped, and
 * one extra calendar per make-up working day (调休上班). From the first year the calendar does not
 * know, the schedule fires every day: a scheduled run is better than a silent gap, and each run
 * refuses what it cannot know (the inspection reports the missing year). Every entry carries a
 * comment saying why it is there, so the schedule shows it; regenerate (npm run schedules) when
 * the calendar changes.
 */
import { addDays, weekdayOf, yearOf } from './dates.ts';
import type { WorkingDayCalendar } from './working-days.ts';

const months = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;
type Month = (typeof months)[number];

interface Range<T> {
  start: T;
  end: T;
}

/** The subset of Temporal's CalendarSpec this spec uses. */
export interface ScheduleCalendar {
  year?: number | Range<number>;
  month?: Month;
  dayOfMonth?: number | Range<number>;
  dayOfWeek?: Range<'MONDAY' | 'FRIDAY'>;
  hour: number | '*';
  minute: number | '*';
  second?: '*';
  comment: string;
}

export interface WorkingDaySpec {
  calendars: ScheduleCalendar[];
  skip: ScheduleCalendar[];
  /** The last year whose working days the spec follows; later years fire every day. */
  knownThrough: number;
}

/** The last year a Temporal calendar spec accepts. */
const lastScheduleYear = 2100;

/** The spec for `times` (HH:MM) on working days, from 1 January of `fromYear`. */
export function workingDaySpec(
  calendar: WorkingDayCalendar,
  times: string[],
  fromYear: number,
): WorkingDaySpec {
  const known = new Set(calendar.knownYears());
  let knownThrough = fromYear - 1;
  while (known.has(knownThrough + 1)) knownThrough++;
  const calendars: ScheduleCalendar[] = [];
  const skip: ScheduleCalendar[] = [];
  const clock = times.map((t) => ({ t, hour: Number(t.slice(0, 2)), minute: Number(t.slice(3, 5)) }));

  if (knownThrough >= fromYear) {
    const years = { start: fromYear, end: knownThrough };
    for (const { t, hour, minute } of clock)
      calendars.push({
        year: years,
        dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' },
        hour,
        minute,
        comment: `工作日 ${t}：${fromYear}–${knownThrough} 年周一至周五，节假日除外`,
      });
    for (let d = `${fromYear}-01-01`; yearOf(d) <= knownThrough; d = addDays(d, 1)) {
      const day = calendar.day(d);
      if (day.kind === 'makeup-workday')
        for (const { t, hour, minute } of clock)
          calendars.push({ ...dateOf(d), hour, minute, comment: `调休上班 ${d} ${t}${label(day.name)}` });
    }
    skip.push(...weekdayHolidays(calendar, fromYear, knownThrough));
  }
  const open = { start: knownThrough + 1, end: lastScheduleYear };
  for (const { t, hour, minute } of clock)
    calendars.push({
      year: open,
      hour,
      minute,
      comment: `${open.start} 年起日历未声明：每天 ${t} 运行，直至声明该年节假日安排`,
    });
  return { calendars, skip, knownThrough };
}

/** Holidays falling on Monday–Friday, one entry per run of days within a month. */
function weekdayHolidays(calendar: WorkingDayCalendar, fromYear: number, toYear: number): ScheduleCalendar[] {
  const runs: { from: string; to: string; name: string | undefined }[] = [];
  for (let d = `${fromYear}-01-01`; yearOf(d) <= toYear; d = addDays(d, 1)) {
    const day = calendar.day(d);
    const weekday = weekdayOf(d);
    if (day.kind !== 'holiday' || weekday === 0 || weekday === 6) continue;
    const last = runs.at(-1);
    // One entry across a weekend inside the holiday, never across a working day or a month's end.
    if (last && last.to.slice(0, 7) === d.slice(0, 7) && allOff(calendar, last.to, d)) last.to = d;
    else runs.push({ from: d, to: d, name: day.name });
  }
  return runs.map((r) => ({
    year: yearOf(r.from),
    month: months[Number(r.from.slice(5, 7)) - 1] as Month,
    dayOfMonth: { start: Number(r.from.slice(8, 10)), end: Number(r.to.slice(8, 10)) },
    hour: '*',
    minute: '*',
    second: '*',
    comment: `节假日 ${r.from === r.to ? r.from : `${r.from}—${r.to}`}${label(r.name)}`,
  }));
}

/** Whether every day strictly between `a` and `b` is off (a weekend inside a holiday run). */
function allOff(calendar: WorkingDayCalendar, a: string, b: string): boolean {
  for (let d = addDays(a, 1); d < b; d = addDays(d, 1)) if (calendar.day(d).working) return false;
  return true;
}

function dateOf(date: string): Pick<ScheduleCalendar, 'year' | 'month' | 'dayOfMonth'> {
  return {
    year: yearOf(date),
    month: months[Number(date.slice(5, 7)) - 1] as Month,
    dayOfMonth: Number(date.slice(8, 10)),
  };
}

function label(name: string | undefined): string {
  return name ? `（${name}）` : '';
}
