/** What the bank-check activities (db zone) work with. */
import type { WorkingDayCalendar } from '../../domain/calendar/working-days.ts';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { addDays, instantAt } from '../../domain/calendar/dates.ts';

export interface BankCheckDeps {
  db: TreasuryDb;
  site: SiteConfig;
  calendar: WorkingDayCalendar;
  now?: () => Date;
}

/** The first instant after local day `date` in `timeZone`, as ISO text (zones without DST). */
export function endOfDay(date: string, timeZone: string): string {
  return instantAt(addDays(date, 1), '00:00', timeZone).toISOString();
}
