/**
 * The activities that need the working-day calendar for a day of a year without holiday data fail
 * for good (CalendarYearUnknown, naming the year and the fix) rather than guess; once the site
 * declares the year they answer. Against a real treasury database.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createReportCheckActivities } from '../../activities/bank-checks/reports.ts';
import { createTreasuryActivities } from '../../activities/treasury.ts';
import { calendarFromFiles } from '../../connectors/calendar/calendar-files.ts';
import { openSqlite, type TreasuryDb } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import { loadSite } from '../../temporal.config.ts';

// The sandbox's assumed 2027, standing in for the file a site writes from the State Council's notice.
const declared2027 = fileURLToPath(new URL('../../sandbox/calendar/assumed-2027.yaml', import.meta.url));
const site = loadSite();
const refused = (asked: string) => ({
  type: 'CalendarYearUnknown',
  nonRetryable: true,
  message: new RegExp(`no data for 2027 \\(asked about ${asked}\\): declare 2027's`),
});

let dir: string;
let db: TreasuryDb;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jincai-unknown-year-'));
  db = await openSqlite(join(dir, 'treasury.db'));
  await createTreasurySchema(db);
});
after(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe("the inspection's traffic check", () => {
  const trafficOn = (date: string, calendarFiles: string[]) =>
    createTreasuryActivities({ db, site, calendar: calendarFromFiles(calendarFiles) }).countTraffic({
      bank: 'ICBC',
      date,
    });

  it('refuses a day whose previous working day is in a year without data', async () => {
    await assert.rejects(trafficOn('2027-01-04', []), refused('2027-01-03'));
  });

  it('once the year is declared, reads the report of the last working day of the old year', async () => {
    assert.equal((await trafficOn('2027-01-04', [declared2027])).reportDate, '2026-12-31');
  });
});

describe("the daily report check's business day", () => {
  const reportDay = (date: string | undefined, today: string, calendarFiles: string[]) =>
    createReportCheckActivities({
      db,
      site,
      calendar: calendarFromFiles(calendarFiles),
      now: () => new Date(`${today}T01:00:00Z`),
    }).reportDay({ date });

  it('refuses to pick the working day before a day of a year without data, or to judge such a day', async () => {
    await assert.rejects(reportDay(undefined, '2027-01-04', []), refused('2027-01-03'));
    await assert.rejects(reportDay('2027-01-01', '2027-01-04', []), refused('2027-01-01'));
  });

  it('once the year is declared, picks the last working day of the old year and knows New Year is a holiday', async () => {
    assert.deepEqual(await reportDay(undefined, '2027-01-04', [declared2027]), {
      date: '2026-12-31',
      workingDay: true,
    });
    assert.deepEqual(await reportDay('2027-01-01', '2027-01-04', [declared2027]), {
      date: '2027-01-01',
      workingDay: false,
    });
  });
});
