/**
 * Calendar activities (runbooks queue): when a bank's business window is open, by the Chinese
 * working-day calendar (statutory holidays and make-up working days, 调休), the bank's hours
 * from the site file and the extended hours (延时服务) the site's calendar files declare; which
 * years the calendar knows; and whether a change may go ahead now by the site's freeze windows. Workflows ask here and then sleep on a durable timer; the
 * calendar itself (the official data, the site's files) is I/O a workflow may not do.
 *
 * A day of a year the calendar does not know fails the activity for good (CalendarYearUnknown,
 * naming the year and the fix): no retry can help until the site declares that year.
 */
import { ApplicationFailure } from '@temporalio/common';
import { changeVerdict, type ChangeVerdict } from '../domain/calendar/change-freezes.ts';
import { addDays, dateInZone, instantAt } from '../domain/calendar/dates.ts';
import { UnknownCalendarYearError, type WorkingDayCalendar } from '../domain/calendar/working-days.ts';
import { ErrorKind } from '../domain/errors.ts';
import { changeRunbooks } from '../domain/runbooks/catalog.ts';
import type { YearEndTimes } from '../domain/runbooks/year-end-rollover.types.ts';
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
  /** When that window is extended hours (延时服务): why, as the calendar file says. */
  extended?: string;
}

/** How far ahead a closed window's next opening is looked for. */
const horizonDays = 400;

/** The calendar as activities use it: a year without data is a non-retryable CalendarYearUnknown. */
export function activityCalendar(calendar: WorkingDayCalendar): WorkingDayCalendar {
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (err) {
        if (!(err instanceof UnknownCalendarYearError)) throw err;
        throw ApplicationFailure.create({
          type: ErrorKind.CalendarYearUnknown,
          nonRetryable: true,
          message: err.message,
          details: [{ year: err.year, date: err.date }],
          cause: err,
        });
      }
    };
  return {
    knownYears: () => calendar.knownYears(),
    day: guard((date) => calendar.day(date)),
    isWorkingDay: guard((date) => calendar.isWorkingDay(date)),
    previousWorkingDay: guard((date) => calendar.previousWorkingDay(date)),
    nextWorkingDay: guard((date) => calendar.nextWorkingDay(date)),
    extendedHours: (date, bank) => calendar.extendedHours(date, bank),
    extendedHoursBetween: (from, to) => calendar.extendedHoursBetween(from, to),
  };
}

export function createCalendarActivities({
  site,
  calendar,
}: {
  site: SiteConfig;
  calendar: WorkingDayCalendar;
}) {
  const timeZone = site.site.timezone;
  const days = activityCalendar(calendar);
  return {
    /** The bank's window at `at` (an ISO instant, normally the workflow's now): open now, or when next. */
    async bankWindow({ bank, at }: { bank: string; at: string }): Promise<BankWindow> {
      const { window } = requireBank(site, bank);
      const instant = new Date(at);
      // A day's hours: extended hours when declared (working day or not), else the usual window on working days.
      const hoursOn = (date: string) => {
        const extended = days.extendedHours(date, bank);
        if (extended) return extended;
        return days.isWorkingDay(date) ? { ...window, reason: undefined } : undefined;
      };
      let date = dateInZone(instant, timeZone);
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

    /**
     * Whether `runbook` may change the estate at `at` (the workflow's now) by the change calendar:
     * the site's freeze windows hold back the change runbooks (changeRunbooks) they do not exempt.
     */
    async changeWindow({ runbook, at }: { runbook: string; at: string }): Promise<ChangeVerdict> {
      return changeVerdict({
        freezes: site.calendar.freezes,
        runbook,
        isChange: (changeRunbooks as readonly string[]).includes(runbook),
        at: new Date(at),
        timeZone,
      });
    },

    /**
     * When a year-end freezes and opens: as given, or from the calendar — the close of business on
     * the year's last working day (the banks' latest close that day, extended hours included) and
     * the opening of business on the next year's first working day (their earliest opening). A
     * year the calendar does not know is refused (CalendarYearUnknown), never guessed.
     */
    async yearEndTimes(input: {
      fiscalYear: number;
      banks: string[];
      freezeAt?: string;
      openAt?: string;
    }): Promise<YearEndTimes> {
      const hoursOf = (date: string) =>
        input.banks.flatMap((code) => {
          const { window } = requireBank(site, code);
          const hours = days.extendedHours(date, code) ?? (days.isWorkingDay(date) ? window : undefined);
          return hours ? [hours] : [];
        });
      const given = (at: string) => ({ at: new Date(at).toISOString(), from: '输入指定' });
      const freeze = input.freezeAt
        ? given(input.freezeAt)
        : (() => {
            const day = days.previousWorkingDay(`${input.fiscalYear + 1}-01-01`);
            const close = hoursOf(day).reduce((m, h) => (h.close > m ? h.close : m), '00:00');
            return {
              at: instantAt(day, close, timeZone).toISOString(),
              from: `${day} 最晚营业结束 ${close}`,
            };
          })();
      const open = input.openAt
        ? given(input.openAt)
        : (() => {
            const day = days.nextWorkingDay(`${input.fiscalYear}-12-31`);
            const opening = hoursOf(day).reduce((m, h) => (h.open < m ? h.open : m), '23:59');
            return {
              at: instantAt(day, opening, timeZone).toISOString(),
              from: `${day} 最早营业开始 ${opening}`,
            };
          })();
      return { freezeAt: freeze.at, openAt: open.at, freezeFrom: freeze.from, openFrom: open.from };
    },

    /** The years whose every day the calendar knows, ascending (read afresh: a file dropped in counts). */
    async calendarYears(): Promise<number[]> {
      return calendar.knownYears();
    },
  };
}
