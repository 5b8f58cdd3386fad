import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { calendarFromFiles } from '../../connectors/calendar/calendar-files.ts';
import { workingDaySpec } from '../../domain/calendar/working-day-schedule.ts';
import { dayLines, freezeLines } from '../../scripts/lib/calendar-view.ts';
import { defaultSiteFile, loadSite } from '../../temporal.config.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-schedule-spec-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const y2027 = join(dir, '2027.yaml');
writeFileSync(
  y2027,
  [
    'year: 2027',
    'holidays: [{ name: 元旦, from: "2027-01-01", to: "2027-01-03" }]',
    'extendedHours:',
    '  - { date: "2026-12-31", banks: [ICBC], open: "08:30", close: "22:00", reason: 年终延时服务 }',
  ].join('\n'),
);

describe('the working-day schedule spec', () => {
  it('2026: Monday–Friday, weekday holidays skipped by period, one entry per make-up day and time, every day from 2027', () => {
    const spec = workingDaySpec(calendarFromFiles(), ['08:30', '16:30'], 2026);
    assert.equal(spec.knownThrough, 2026);
    const base = spec.calendars.filter((c) => c.dayOfWeek);
    assert.deepEqual(
      base.map((c) => [c.year, c.hour, c.minute]),
      [
        [{ start: 2026, end: 2026 }, 8, 30],
        [{ start: 2026, end: 2026 }, 16, 30],
      ],
    );
    // 2026's six make-up days (1/4, 2/14, 2/28, 5/9, 9/20, 10/10), at both times.
    const makeUp = spec.calendars.filter((c) => c.comment.startsWith('调休上班'));
    assert.equal(makeUp.length, 12);
    assert.deepEqual(makeUp[2], {
      year: 2026,
      month: 'FEBRUARY',
      dayOfMonth: 14,
      hour: 8,
      minute: 30,
      comment: '调休上班 2026-02-14 08:30（春节）',
    });
    const open = spec.calendars.filter((c) => !c.dayOfWeek && typeof c.year === 'object');
    assert.deepEqual(
      open.map((c) => [c.year, c.hour]),
      [
        [{ start: 2027, end: 2100 }, 8],
        [{ start: 2027, end: 2100 }, 16],
      ],
    );
    assert.deepEqual(
      spec.skip.map((s) => s.comment),
      [
        '节假日 2026-01-01—2026-01-02（元旦）',
        '节假日 2026-02-16—2026-02-23（春节）',
        '节假日 2026-04-06（清明）',
        '节假日 2026-05-01—2026-05-05（劳动节）',
        '节假日 2026-06-19（端午）',
        '节假日 2026-09-25（中秋）',
        '节假日 2026-10-01—2026-10-07（国庆节）',
      ],
    );
    assert.deepEqual(spec.skip[1], {
      year: 2026,
      month: 'FEBRUARY',
      dayOfMonth: { start: 16, end: 23 },
      hour: '*',
      minute: '*',
      second: '*',
      comment: '节假日 2026-02-16—2026-02-23（春节）',
    });
  });

  it('from a year the calendar does not know: every day only', () => {
    const spec = workingDaySpec(calendarFromFiles(), ['08:30'], 2027);
    assert.equal(spec.knownThrough, 2026);
    assert.deepEqual(spec.skip, []);
    assert.deepEqual(spec.calendars, [
      {
        year: { start: 2027, end: 2100 },
        hour: 8,
        minute: 30,
        comment: '2027 年起日历未声明：每天 08:30 运行，直至声明该年节假日安排',
      },
    ]);
  });

  it('a declared 2027 extends the working days', () => {
    assert.equal(workingDaySpec(calendarFromFiles([y2027]), ['08:30'], 2026).knownThrough, 2027);
  });
});

describe('runbook calendar: the days ahead', () => {
  const site = loadSite(defaultSiteFile);
  const range = (files: string[]) => ({
    site,
    calendar: calendarFromFiles(files),
    from: '2026-12-30',
    days: 6,
  });

  it('shows working days, windows, extended hours, holidays and freezes; an undeclared year as unknown', () => {
    assert.deepEqual(dayLines(range([])).slice(1, 3), [
      '2026-12-31 Thu  ·  working day  ·  windows 08:30–17:00 (every bank)  ·  frozen: 年终结转封网',
      '2027-01-01 Fri  ·  unknown: no calendar data for 2027 (declare it, README "Calendar")  ·  frozen: 年终结转封网',
    ]);
    assert.deepEqual(dayLines(range([y2027])).slice(1, 6), [
      '2026-12-31 Thu  ·  working day  ·  windows 08:30–17:00 (every bank)  ·  extended hours ICBC 08:30–22:00 (年终延时服务)  ·  frozen: 年终结转封网',
      '2027-01-01 Fri  ·  holiday 元旦  ·  frozen: 年终结转封网',
      '2027-01-02 Sat  ·  holiday 元旦  ·  frozen: 年终结转封网',
      '2027-01-03 Sun  ·  holiday 元旦  ·  frozen: 年终结转封网',
      '2027-01-04 Mon  ·  working day  ·  windows 08:30–17:00 (every bank)  ·  frozen: 年终结转封网',
    ]);
    assert.deepEqual(freezeLines(range([])), [
      '年终结转封网  2026-12-25 … 2027-01-05  年终结转期间冻结一切变更，年终结转本身除外',
      '  holds back: add-agent-bank, version-upgrade, system-migration, data-fix, data-fix-undo, access-change; exempt: year-end-rollover; emergency override: finance-director',
    ]);
  });
});
