/**
 * Business-date arithmetic for the sandbox: local dates and times of day in the site's time zone,
 * and the Chinese working-day calendar (statutory holidays and make-up days).
 */
import { createWorkingDayCalendar } from '../connectors/calendar/working-days.ts';

// The same working-day calendar the engine uses, so sandbox and inspection agree on report dates.
const calendar = createWorkingDayCalendar();

const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(instant: Date, timeZone: string): Record<string, string> {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
}

/** 'YYYY-MM-DD' of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone = 'Asia/Shanghai'): string {
  const p = parts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** 'HH:MM' of `instant` in `timeZone`. */
export function localTime(instant: Date, timeZone = 'Asia/Shanghai'): string {
  const p = parts(instant, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** The instant of local `date` `hhmm` in `timeZone` (zones without DST, as in China, are exact). */
export function instantAt(date: string, hhmm: string, timeZone = 'Asia/Shanghai'): Date {
  const guess = new Date(`${date}T${hhmm}:00Z`);
  const p = parts(guess, timeZone);
  const shown = Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:00Z`);
  return new Date(guess.getTime() - (shown - guess.getTime()));
}

export { addDays } from '../workflows/shared/dates.ts';

export const isWorkday = calendar.isWorkingDay;

/** The last working day strictly before `date` (Monday → Friday; holidays skipped). */
export const previousWorkday = calendar.previousWorkingDay;

/** Whether local time `hhmm` lies in [open, close). */
export function inWindow(hhmm: string, window: { open: string; close: string }): boolean {
  return hhmm >= window.open && hhmm < window.close;
}
