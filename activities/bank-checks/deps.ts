/** What the bank-check activities (db zone) work with. */
import type { WorkingDayCalendar } from '../../connectors/calendar/working-days.ts';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import type { SiteConfig } from '../../temporal.config.ts';

export interface BankCheckDeps {
  db: TreasuryDb;
  site: SiteConfig;
  calendar: WorkingDayCalendar;
  now?: () => Date;
}

/** The first instant after local day `date` in `timeZone`, as ISO text (zones without DST). */
export function endOfDay(date: string, timeZone: string): string {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000);
  const shown = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .formatToParts(next)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  const offset =
    Date.parse(`${shown.year}-${shown.month}-${shown.day}T${shown.hour}:${shown.minute}:00Z`) -
    next.getTime();
  return new Date(next.getTime() - offset).toISOString();
}
