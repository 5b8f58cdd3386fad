/**
 * What `runbook calendar` prints about the days ahead, from the site's calendar alone: each day
 * (working day, make-up working day, weekend, holiday, or unknown for a year without data), the
 * banks' business windows and extended hours (延时服务), and the change freezes (封网) with what
 * they hold back. The schedules' own times come from Temporal (calendar-command.ts).
 */
import { changeVerdict, freezeWindows, type FreezeWindow } from '../../domain/calendar/change-freezes.ts';
import { addDays, dateInZone, timeInZone, weekdayOf, yearOf } from '../../domain/calendar/dates.ts';
import {
  UnknownCalendarYearError,
  type CalendarDay,
  type WorkingDayCalendar,
} from '../../domain/calendar/working-days.ts';
import { changeRunbooks } from '../../domain/runbooks/catalog.ts';
import type { SiteConfig } from '../../temporal.config.ts';

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const kindLabel: Record<CalendarDay['kind'], string> = {
  workday: 'working day',
  'makeup-workday': 'make-up working day',
  weekend: 'weekend',
  holiday: 'holiday',
};

export interface CalendarRange {
  site: SiteConfig;
  calendar: WorkingDayCalendar;
  /** First day, and how many days. */
  from: string;
  days: number;
}

/** The last day of the range. */
export function rangeEnd({ from, days }: Pick<CalendarRange, 'from' | 'days'>): string {
  return addDays(from, days - 1);
}

/** One line per day. */
export function dayLines(range: CalendarRange): string[] {
  const { site, calendar } = range;
  const timeZone = site.site.timezone;
  const lines: string[] = [];
  for (let d = range.from; d <= rangeEnd(range); d = addDays(d, 1)) {
    const parts = [`${d} ${weekdays[weekdayOf(d)]}`];
    const day = dayOrUnknown(calendar, d);
    if (day) {
      parts.push(`${kindLabel[day.kind]}${day.name ? ` ${day.name}` : ''}`);
      if (day.working) parts.push(`windows ${windowsText(site)}`);
    } else parts.push(`unknown: no calendar data for ${yearOf(d)} (declare it, README "Calendar")`);
    for (const e of calendar.extendedHoursBetween(d, d))
      parts.push(`extended hours ${e.banks?.join(', ') ?? 'all banks'} ${e.open}–${e.close} (${e.reason})`);
    const frozen = freezeWindows(site.calendar.freezes, d, d, timeZone).map((w) => w.name);
    if (frozen.length) parts.push(`frozen: ${frozen.join(', ')}`);
    lines.push(parts.join('  ·  '));
  }
  return lines;
}

/** The freezes overlapping the range, and what each holds back. */
export function freezeLines(range: CalendarRange): string[] {
  const windows = freezeWindows(
    range.site.calendar.freezes,
    range.from,
    rangeEnd(range),
    range.site.site.timezone,
  );
  if (windows.length === 0) return ['No change freeze.'];
  return windows.flatMap((w) => [
    `${w.name}  ${w.from} … ${w.to}  ${w.reason}`,
    `  holds back: ${heldBack(w).join(', ') || '(nothing)'}; exempt: ${w.exempt.join(', ') || '(none)'}; emergency override: ${w.overrideRoles.join(', ')}`,
  ]);
}

/** Whether each change runbook may change the estate at `at`, and if not, until when. */
export function changeLines(site: SiteConfig, at: Date): string[] {
  return changeRunbooks.map((runbook) => {
    const verdict = changeVerdict({
      freezes: site.calendar.freezes,
      runbook,
      isChange: true,
      at,
      timeZone: site.site.timezone,
    });
    if (verdict.allowed) return `${runbook}: allowed`;
    const until = new Date(verdict.until);
    const local = `${dateInZone(until, site.site.timezone)} ${timeInZone(until, site.site.timezone)}`;
    return `${runbook}: frozen until ${local} (${verdict.windows.map((w) => w.name).join(', ')}; emergency override: ${verdict.overrideRoles.join(', ')})`;
  });
}

function heldBack(w: FreezeWindow): string[] {
  return changeRunbooks.filter((r) => !w.exempt.includes(r));
}

function dayOrUnknown(calendar: WorkingDayCalendar, date: string): CalendarDay | undefined {
  try {
    return calendar.day(date);
  } catch (err) {
    if (err instanceof UnknownCalendarYearError) return undefined;
    throw err;
  }
}

/** The banks' usual windows, grouped when banks share one. */
function windowsText(site: SiteConfig): string {
  const groups = new Map<string, string[]>();
  for (const b of site.banks) {
    const key = `${b.window.open}–${b.window.close}`;
    groups.set(key, [...(groups.get(key) ?? []), b.code]);
  }
  if (groups.size === 1) return `${[...groups.keys()][0]} (every bank)`;
  return [...groups].map(([hours, banks]) => `${hours} ${banks.join(', ')}`).join('; ');
}
