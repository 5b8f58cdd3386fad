/**
 * Before a year-end rollover on the sandbox (the demo, the benchmark): the year's vouchers still in
 * flight settled at the banks, read as the rollover's own pre-checks read them — until then the
 * pre-checks would be red.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createYearEndBookActivities } from '../../activities/year-end-books.ts';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import type { SiteConfig } from '../../temporal.config.ts';

/** Waits up to `timeoutMs` until no voucher of `year` is in flight at any of `banks`. */
export async function inFlightSettled(options: {
  db: TreasuryDb;
  site: SiteConfig;
  year: number;
  banks: string[];
  say: (line: string) => void;
  timeoutMs?: number;
}): Promise<void> {
  const { year, banks } = options;
  const books = createYearEndBookActivities({ db: options.db, site: options.site });
  const deadline = Date.now() + (options.timeoutMs ?? 2 * 60_000);
  for (let told = false; ; told = true) {
    const checks = await books.yearEndBookChecks({ fiscalYear: year, banks });
    const inFlight = checks.reduce((n, c) => n + c.inFlight.count, 0);
    if (inFlight === 0) return;
    if (Date.now() > deadline) throw new Error(`${inFlight} voucher(s) of ${year} still in flight`);
    if (!told) options.say(`Waiting for ${inFlight} voucher(s) of ${year} in flight to settle at the banks…`);
    await sleep(1000);
  }
}
