/**
 * The bank-side checks in the runbook registry: the daily report check (id by the business day
 * it checks, default the working day before today) and the receipt, void and refund checks (id
 * by the run's date, default today). Kept here so the shared registry takes one line for them.
 */
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { UnknownCalendarYearError } from '../../domain/calendar/working-days.ts';
import { runbookInputSchemas as schemas } from '../../domain/runbooks/input-schemas.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { RunbookInputError, type RunbookEntry } from './runbook-registry.ts';
import { bankAndDates, today } from './runbook-site-checks.ts';

const siteProblems = (input: { bank: string; date?: string }, site: SiteConfig, now: Date) =>
  bankAndDates(input.bank, { date: input.date }, site, now);

/** The default business day to check; a year without calendar data is the operator's to settle. */
function workingDayBefore(date: string, site: SiteConfig): string {
  try {
    return createSiteCalendar(site.calendar).previousWorkingDay(date);
  } catch (err) {
    if (!(err instanceof UnknownCalendarYearError)) throw err;
    throw new RunbookInputError([
      `input.date: not given, and the working day before ${date} is unknown: ${err.message}`,
    ]);
  }
}

const dailyReportCheck: RunbookEntry<(typeof schemas)['daily-report-check']> = {
  workflowType: 'dailyReportCheck',
  input: schemas['daily-report-check'],
  example: { bank: 'RCB', requestedBy: 'zhang.san', date: '2026-11-26', waitSeconds: 1800 },
  workflowId: (input, site, now) =>
    `daily-report-check/${input.bank}/${input.date ?? workingDayBefore(today(site, now), site)}`,
  siteProblems,
};

const receiptRepair: RunbookEntry<(typeof schemas)['receipt-registration-repair']> = {
  workflowType: 'receiptRegistrationRepair',
  input: schemas['receipt-registration-repair'],
  example: { bank: 'ABC', requestedBy: 'zhang.san', maxPayDays: 30, dryRun: true },
  workflowId: (input, site, now) =>
    `receipt-registration-repair/${input.bank}/${input.date ?? today(site, now)}`,
  siteProblems,
};

const voidStatusCheck: RunbookEntry<(typeof schemas)['void-status-check']> = {
  workflowType: 'voidStatusCheck',
  input: schemas['void-status-check'],
  example: { bank: 'CCB', requestedBy: 'zhang.san', overdueMinutes: 60 },
  workflowId: (input, site, now) => `void-status-check/${input.bank}/${input.date ?? today(site, now)}`,
  siteProblems,
};

const refundTracking: RunbookEntry<(typeof schemas)['refund-tracking']> = {
  workflowType: 'refundTracking',
  input: schemas['refund-tracking'],
  example: { bank: 'ICBC', requestedBy: 'zhang.san', overdueHours: 24 },
  workflowId: (input, site, now) => `refund-tracking/${input.bank}/${input.date ?? today(site, now)}`,
  siteProblems,
};

export const bankCheckRunbooks: Record<string, RunbookEntry> = {
  'daily-report-check': dailyReportCheck as unknown as RunbookEntry,
  'receipt-registration-repair': receiptRepair as unknown as RunbookEntry,
  'void-status-check': voidStatusCheck as unknown as RunbookEntry,
  'refund-tracking': refundTracking as unknown as RunbookEntry,
};
