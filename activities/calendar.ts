/**
 * Calendar activities (runbooks queue): when a bank's business window is open, by the Chinese
 * working-day calendar (statutory holidays and make-up working days, 调休), the bank's hours
 * from the site file and the extended hours (延时服务) the site's calendar files declare. Workflows ask here and then sleep on a durable timer; the calendar itself
 * (the package's data, the site's yearly files) is I/O a workflow may not do.
 */
import type { WorkingDayCalendar } from '../connectors/calendar/working-days.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { addDays } from '../workflows/shared/dates.ts';
import { requireBank } from './site-lookup.ts';

export interface BankWindow {
  /** Whether the window is open at `at`. */
  open: boolean;
  /** The business date (site time zone) of the window described below. */
  date: string;
  /** When that window opens and closes: the current one when open, else the next one. */
  opensAt: string;
  closesAt: string;
  /** When that window is extended hours (延时服务): why, as the calendar file says. */
  extended?: string;
}

/** How far ahead a closed window's next opening is looked for. */
const horizonDays = 400;

export function createCalendarActivities({
  site,
  calendar,
}: {
  site: SiteConfig;
  calendar: WorkingDayCalendar;
}) {
  const timeZone = site.site.timezone;
  return {
    /** The bank's window at `at` (an ISO instant, normally the workflow's now): open now, or when next. */
    async bankWindow({ bank, at }: { bank: string; at: string }): Promise<BankWindow> {
      const { window } = requireBank(site, bank);
      const instant = new Date(at);
      // A day's hours: extended hours when declared (working day or not), else the usual window on working days.
      const hoursOn = (date: string) => {
        const extended = calendar.extendedHours(date, bank);
        if (extended) return extended;
        return calendar.isWorkingDay(date) ? { ...window, reason: undefined } : undefined;
      };
      let date = dateIn(instant, timeZone);
      for (let day = 0; day < horizonDays; day++, date = addDays(date, 1)) {
        const hours = hoursOn(date);
        if (!hours) continue;
        const span = {
          date,
          opensAt: instantAt(date, hours.open, timeZone).toISOString(),
          closesAt: instantAt(date, hours.close, timeZone).toISOString(),
          ...(hours.reason && { extended: hours.reason }),
        };
        if (instant < new Date(span.opensAt)) return { open: false, ...span };
        if (instant < new Date(span.closesAt)) return { open: true, ...span };
      }
      throw new Error(`${bank}: no business window within ${horizonDays} days of ${at}`);
    },
  };
}

function parts(instant: Date, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
}

function dateIn(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The instant of local `date` `hhmm` in `timeZone` (exact for zones without DST, as in China). */
export function instantAt(date: string, hhmm: string, timeZone: string): Date {
  const guess = new Date(`${date}T${hhmm}:00Z`);
  const p = parts(guess, timeZone);
  const shown = Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:00Z`);
  return new Date(guess.getTime() - (shown - guess.getTime()));
}
