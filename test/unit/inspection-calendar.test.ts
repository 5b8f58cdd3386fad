import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTreasuryActivities } from '../../activities/treasury.ts';
import { calendarFromFiles } from '../../connectors/calendar/calendar-files.ts';
import { openSqlite, type TreasuryDb } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import { loadSite } from '../../temporal.config.ts';
import { calendarFindings } from '../../workflows/daily-inspection.calendar.ts';

const known = [2024, 2025, 2026];

test('no finding while the next year without data is more than 60 days away', () => {
  assert.deepEqual(calendarFindings('2026-06-30', known), []);
  assert.deepEqual(calendarFindings('2026-11-01', known), []);
});

test('a yellow finding from 60 days ahead, naming the year, the days left and what to do', () => {
  const [f] = calendarFindings('2026-12-06', known);
  assert.equal(f?.code, 'CALENDAR_YEAR_MISSING');
  assert.equal(f?.light, 'yellow');
  assert.deepEqual(f?.evidence, { missingYear: 2027, firstUnknownDay: '2027-01-01', daysLeft: 26 });
  assert.match(f?.summary ?? '', /缺少 2027 年的节假日与调休安排：自 2027-01-01 起（还有 26 天）/);
  assert.match(f?.action ?? '', /year: 2027/);
});

test('red once the date itself is in a year without data', () => {
  const [f] = calendarFindings('2027-03-01', known);
  assert.equal(f?.light, 'red');
  assert.match(f?.summary ?? '', /2027-03-01 所在的 2027 年无法判断工作日/);
});

// The sandbox's assumed 2027, standing in for the file a site writes from the State Council's notice.
const declared2027 = fileURLToPath(new URL('../../sandbox/calendar/assumed-2027.yaml', import.meta.url));

let dir: string;
let db: TreasuryDb;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jincai-inspection-calendar-'));
  db = await openSqlite(join(dir, 'treasury.db'));
  await createTreasurySchema(db);
});
after(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function trafficOn(date: string, calendarFiles: string[]) {
  const calendar = calendarFromFiles(calendarFiles);
  return createTreasuryActivities({ db, site: loadSite(), calendar }).countTraffic({ bank: 'ICBC', date });
}

test('the traffic check refuses a day whose previous working day is in a year without data', async () => {
  await assert.rejects(trafficOn('2027-01-04', []), {
    type: 'CalendarYearUnknown',
    nonRetryable: true,
    message: /no data for 2027 \(asked about 2027-01-03\)/,
  });
});

test('once the year is declared, the traffic check reads the report of the last working day of the old year', async () => {
  const traffic = await trafficOn('2027-01-04', [declared2027]);
  assert.equal(traffic.reportDate, '2026-12-31');
});
