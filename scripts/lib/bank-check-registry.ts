/**
 * The bank-side checks in the runbook registry: the daily report check (id by the business day
 * it checks, default the working day before today) and the receipt, void and refund checks (id
 * by the run's date, default today). Kept here so the shared registry takes one line for them.
 */
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { dailyReportCheckInputSchema } from '../../workflows/daily-report-check.types.ts';
import { receiptRepairInputSchema } from '../../workflows/receipt-registration-repair.types.ts';
import { refundTrackingInputSchema } from '../../workflows/refund-tracking.types.ts';
import { dateInZone } from '../../workflows/shared/dates.ts';
import { voidStatusCheckInputSchema } from '../../workflows/void-status-check.types.ts';
import type { RunbookEntry } from './runbook-registry.ts';

function unknownBank(bank: string, site: SiteConfig): string[] {
  const known = site.banks.map((b) => b.code);
  return known.includes(bank)
    ? []
    : [`input.bank: unknown bank code "${bank}"; expected one of ${known.join(', ')}`];
}

const today = (site: SiteConfig, now: Date) => dateInZone(now, site.site.timezone);

const dailyReportCheck: RunbookEntry<typeof dailyReportCheckInputSchema> = {
  workflowType: 'dailyReportCheck',
  input: dailyReportCheckInputSchema,
  workflowId: (input, site, now) =>
    `daily-report-check/${input.bank}/${
      input.date ?? createSiteCalendar(site.calendar).previousWorkingDay(today(site, now))
    }`,
  siteProblems: (input, site) => unknownBank(input.bank, site),
};

const receiptRepair: RunbookEntry<typeof receiptRepairInputSchema> = {
  workflowType: 'receiptRegistrationRepair',
  input: receiptRepairInputSchema,
  workflowId: (input, site, now) =>
    `receipt-registration-repair/${input.bank}/${input.date ?? today(site, now)}`,
  siteProblems: (input, site) => unknownBank(input.bank, site),
};

const voidStatusCheck: RunbookEntry<typeof voidStatusCheckInputSchema> = {
  workflowType: 'voidStatusCheck',
  input: voidStatusCheckInputSchema,
  workflowId: (input, site, now) => `void-status-check/${input.bank}/${input.date ?? today(site, now)}`,
  siteProblems: (input, site) => unknownBank(input.bank, site),
};

const refundTracking: RunbookEntry<typeof refundTrackingInputSchema> = {
  workflowType: 'refundTracking',
  input: refundTrackingInputSchema,
  workflowId: (input, site, now) => `refund-tracking/${input.bank}/${input.date ?? today(site, now)}`,
  siteProblems: (input, site) => unknownBank(input.bank, site),
};

export const bankCheckRunbooks: Record<string, RunbookEntry> = {
  'daily-report-check': dailyReportCheck as unknown as RunbookEntry,
  'receipt-registration-repair': receiptRepair as unknown as RunbookEntry,
  'void-status-check': voidStatusCheck as unknown as RunbookEntry,
  'refund-tracking': refundTracking as unknown as RunbookEntry,
};
