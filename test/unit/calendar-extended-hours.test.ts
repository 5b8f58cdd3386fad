import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCalendarActivities } from '../../activities/calendar.ts';
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { calendarFromFiles } from '../../connectors/calendar/calendar-files.ts';
import { defaultSiteFile, loadSite } from '../../temporal.config.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-calendar-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const site = loadSite(defaultSiteFile);
// 2026-12-31 is a Thursday, 2026-12-26 a Saturday; the test's file declares New Year's Day 2027 a holiday.
const windowAt = (calendarDir: string, bank: string, at: string) =>
  createCalendarActivities({
    site,
    calendar: createSiteCalendar({ files: [], dir: calendarDir }),
  }).bankWindow({
    bank,
    at,
  });

describe("banks' extended hours (延时服务)", () => {
  it('without a calendar folder (or an empty one), a Saturday evening waits for Monday 08:30', async () => {
    const w = await windowAt(join(dir, 'missing'), 'ICBC', '2026-12-26T12:00:00Z');
    assert.deepEqual(w, {
      open: false,
      date: '2026-12-28',
      opensAt: '2026-12-28T00:30:00.000Z',
      closesAt: '2026-12-28T09:00:00.000Z',
    });
  });

  it('a file dropped in the folder counts at the next question: named banks only, other hours, any day', async () => {
    const folder = join(dir, 'drop');
    const calendar = createCalendarActivities({
      site,
      calendar: createSiteCalendar({ files: [], dir: folder }),
    });
    const thursdayEvening = { bank: 'ICBC', at: '2026-12-31T12:00:00Z' };
    // 20:00 is after hours, and the next day is in 2027, which no data covers yet: refused, not guessed.
    await assert.rejects(calendar.bankWindow(thursdayEvening), {
      type: 'CalendarYearUnknown',
      nonRetryable: true,
      message: /no data for 2027 \(asked about 2027-01-01\): declare 2027's statutory holidays/,
    });
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'year-end.yaml'),
      [
        'holidays: ["2027-01-01"]',
        'extendedHours:',
        '  - { date: "2026-12-31", banks: [ICBC, ABC], open: "08:30", close: "22:00", reason: 年终延时服务 }',
        '  - { date: "2027-01-02", open: "09:00", close: "12:00", reason: 元旦假期加班受理 }',
      ].join('\n'),
    );
    // The same activity object: no restart.
    const extended = await calendar.bankWindow(thursdayEvening);
    assert.deepEqual(extended, {
      open: true,
      date: '2026-12-31',
      opensAt: '2026-12-31T00:30:00.000Z',
      closesAt: '2026-12-31T14:00:00.000Z',
      extended: '年终延时服务',
    });
    assert.equal((await calendar.bankWindow({ bank: 'BOC', at: '2026-12-31T12:00:00Z' })).open, false);
    // After the extension closes, the next window is the holiday morning every bank agreed to.
    const next = await calendar.bankWindow({ bank: 'BOC', at: '2026-12-31T15:00:00Z' });
    assert.deepEqual(next, {
      open: false,
      date: '2027-01-02',
      opensAt: '2027-01-02T01:00:00.000Z',
      closesAt: '2027-01-02T04:00:00.000Z',
      extended: '元旦假期加班受理',
    });
  });

  it('a wrong entry fails with the file, the field and what was expected', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'extendedHours:',
        '  - { date: "2026-12-31", open: "08:30", close: "22:00" }',
        '  - { date: "2026-12-31", open: "18:00", close: "09:00", reason: 写反了 }',
      ].join('\n'),
    );
    assert.throws(
      () => calendarFromFiles([file]),
      (err: Error) =>
        err.message.includes(file) &&
        /extendedHours\.0\.reason/.test(err.message) &&
        /extendedHours\.1\.close: open must be before close/.test(err.message),
    );
  });

  it('once 2027 is declared, New Year’s Eve after hours waits for Monday 4 January', async () => {
    const folder = join(dir, 'declared');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, '2027.yaml'),
      'year: 2027\nholidays: [{ name: 元旦, from: "2027-01-01", to: "2027-01-03" }]\n',
    );
    assert.deepEqual(await windowAt(folder, 'ICBC', '2026-12-31T10:00:00Z'), {
      open: false,
      date: '2027-01-04',
      opensAt: '2027-01-04T00:30:00.000Z',
      closesAt: '2027-01-04T09:00:00.000Z',
    });
  });
});
