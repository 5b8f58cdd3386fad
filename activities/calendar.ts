/**
 * Calendar activities (runbooks queue): when a bank's business window is open, by the Chinese
 * working-day calendar (statutory holidays and make-up working days, 调休) and the bank's hours
 * from the site file. Workflows ask here and then sleep on a durable timer; the calendar itself
 * (the package's data, the site's yearly files) is I/O a workflow may not do.
 */
import type { WorkingDayCalendar } from '../connectors/calendar/working-days.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { requireBank } from './site-lookup.ts';

export interface BankWindow {
  /** Whether the window is open at `at`. */
  open: boolean;
  /** The business date (site time zone) of the window described below. */
  date: string;
  /** When that window opens and closes: the current one when open, else the next one. */
  opensAt: string;
  closesAt: string;
}

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
      const today = dateIn(instant, timeZone);
      const span = (date: string) => ({
        date,
        opensAt: instantAt(date, window.open, timeZone).toISOString(),
        closesAt: instantAt(date, window.close, timeZone).toISOString(),
      });
      if (calendar.isWorkingDay(today)) {
        const t = span(today);
        if (instant < new Date(t.opensAt)) return { open: false, ...t };
        if (instant < new Date(t.closesAt)) return { open: true, ...t };
      }
      return { open: false, ...span(calendar.nextWorkingDay(today)) };
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
