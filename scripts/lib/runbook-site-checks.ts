/**
 * The estate checks of runbook inputs made by the CLI with the site file: the same pure checks
 * (domain/runbooks/input-estate.ts) the workflows make with the estate an activity describes.
 */
import { dateInZone } from '../../domain/calendar/dates.ts';
import { futureDateProblems, unknownBankProblems } from '../../domain/runbooks/input-estate.ts';
import type { SiteConfig } from '../../temporal.config.ts';

export const siteBanks = (site: SiteConfig) => site.banks.map((b) => b.code);

/** Today in the site's time zone, YYYY-MM-DD. */
export const today = (site: SiteConfig, now: Date) => dateInZone(now, site.site.timezone);

/** The input's bank is in the estate, and its business `dates` are not after today. */
export function bankAndDates(
  bank: string,
  dates: Record<string, string | undefined>,
  site: SiteConfig,
  now: Date,
): string[] {
  return [
    ...unknownBankProblems('input.bank', bank, siteBanks(site)),
    ...futureDateProblems(dates, today(site, now)),
  ];
}
