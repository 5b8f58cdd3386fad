import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { calendarFromFiles } from '../../connectors/calendar/calendar-files.ts';
import { coverageWarning, firstUnknownDay } from '../../domain/calendar/coverage.ts';
import { addDays } from '../../domain/calendar/dates.ts';
import { UnknownCalendarYearError } from '../../domain/calendar/working-days.ts';
import { projectRoot } from '../../temporal.config.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-working-days-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.join('\n'));
  return path;
};
const unknownYear = (year: number, date: string) => (err: unknown) =>
  err instanceof UnknownCalendarYearError &&
  err.year === year &&
  err.date === date &&
  err.message.includes(`in a calendar file with "year: ${year}"`);

// 2026: 春节 15–23 February with make-up Saturdays 14 and 28 February; 国庆 1–7 October, make-up 10 October.
describe('the working-day calendar from the official data', () => {
  const calendar = calendarFromFiles();

  it('knows the Spring Festival of 2026, its make-up Saturdays and the plain days around it', () => {
    assert.deepEqual(calendar.day('2026-02-13'), { date: '2026-02-13', kind: 'workday', working: true });
    assert.deepEqual(calendar.day('2026-02-14'), {
      date: '2026-02-14',
      kind: 'makeup-workday',
      working: true,
      name: '春节',
    });
    assert.deepEqual(calendar.day('2026-02-16'), {
      date: '2026-02-16',
      kind: 'holiday',
      working: false,
      name: '春节',
    });
    assert.equal(calendar.day('2026-03-01').kind, 'weekend');
    assert.equal(calendar.previousWorkingDay('2026-02-24'), '2026-02-14');
    assert.equal(calendar.nextWorkingDay('2026-10-01'), '2026-10-08');
    assert.equal(calendar.nextWorkingDay('2026-10-08'), '2026-10-09');
    assert.equal(calendar.nextWorkingDay('2026-10-09'), '2026-10-10');
  });

  it('never guesses a year without data: 2027 is refused, naming the year and the fix', () => {
    assert.ok(calendar.knownYears().includes(2026));
    assert.ok(!calendar.knownYears().includes(2027));
    // Before this fix, 1 January and 1 October 2027 were "working days" (plain Monday–Friday).
    assert.throws(() => calendar.isWorkingDay('2027-01-01'), unknownYear(2027, '2027-01-01'));
    assert.throws(() => calendar.isWorkingDay('2027-10-01'), unknownYear(2027, '2027-10-01'));
    assert.throws(() => calendar.nextWorkingDay('2026-12-31'), unknownYear(2027, '2027-01-01'));
    assert.throws(() => calendar.previousWorkingDay('2027-01-04'), unknownYear(2027, '2027-01-03'));
    assert.equal(calendar.previousWorkingDay('2026-01-05'), '2026-01-04', 'a make-up Sunday');
  });

  it('warns 60 days ahead of the first day without data, and red on it', () => {
    const years = calendar.knownYears();
    assert.equal(firstUnknownDay('2026-06-01', years), '2027-01-01');
    assert.equal(coverageWarning('2026-11-01', years), undefined);
    assert.deepEqual(coverageWarning('2026-11-02', years), {
      missingYear: 2027,
      firstUnknownDay: '2027-01-01',
      daysLeft: 60,
      light: 'yellow',
    });
    assert.deepEqual(coverageWarning('2027-01-04', years), {
      missingYear: 2027,
      firstUnknownDay: '2027-01-04',
      daysLeft: 0,
      light: 'red',
    });
  });
});

describe('a year declared by the site', () => {
  const y2027 = file('2027.yaml', [
    'year: 2027',
    'holidays:',
    '  - { name: 元旦, from: "2027-01-01", to: "2027-01-03" }',
    '  - { name: 春节, from: "2027-02-05", to: "2027-02-13" }',
    'workdays:',
    '  - { name: 春节, date: "2027-01-31" }',
    '  - "2027-02-20"',
  ]);

  it('is known in full: the listed days as declared, the others plain weekdays and weekends', () => {
    const calendar = calendarFromFiles([y2027]);
    assert.ok(calendar.knownYears().includes(2027));
    assert.deepEqual(calendar.day('2027-01-01'), {
      date: '2027-01-01',
      kind: 'holiday',
      working: false,
      name: '元旦',
    });
    assert.equal(calendar.day('2027-01-31').kind, 'makeup-workday');
    assert.equal(calendar.day('2027-02-20').kind, 'makeup-workday');
    assert.equal(calendar.day('2027-01-04').kind, 'workday');
    assert.equal(calendar.day('2027-01-09').kind, 'weekend');
    assert.equal(calendar.previousWorkingDay('2027-01-04'), '2026-12-31');
    assert.equal(calendar.nextWorkingDay('2027-02-04'), '2027-02-15');
    assert.throws(() => calendar.day('2028-01-03'), unknownYear(2028, '2028-01-03'));
  });

  it('a file without a year states its own days only (any day); the rest of that year stays unknown', () => {
    const calendar = calendarFromFiles([
      file('new-year.yaml', ['holidays: ["2027-01-01"]', 'workdays: ["2026-10-08"]']),
    ]);
    assert.equal(calendar.day('2027-01-01').kind, 'holiday');
    // A local arrangement may make any day a working day, even one of the official holidays.
    assert.equal(calendar.day('2026-10-08').kind, 'makeup-workday');
    assert.throws(() => calendar.day('2027-01-04'), unknownYear(2027, '2027-01-04'));
  });

  it('a wrong file is refused with the file, the field and what was expected', () => {
    const bad = file('bad.yaml', [
      'year: 2027',
      'holidays:',
      '  - { name: 元旦, from: "2027-01-03", to: "2027-01-01" }',
      '  - "2028-05-01"',
      '  - "2027-02-06"',
      'workdays: ["2027-02-10", "2026-12-26", "2027-02-06"]',
    ]);
    assert.throws(
      () => calendarFromFiles([bad]),
      (err: Error) =>
        err.message.includes(bad) &&
        err.message.includes('holidays.0.to: to is before from') &&
        err.message.includes('holidays.1: not in the declared year 2027') &&
        err.message.includes(
          'workdays.0: 2027-02-10 is a weekday; a make-up working day (调休上班) falls on a Saturday or Sunday',
        ) &&
        err.message.includes('workdays.2: 2027-02-06 is also listed as a holiday'),
    );
    const empty = file('empty.yaml', ['year: 2027']);
    assert.throws(() => calendarFromFiles([empty]), /holidays: a declared year lists its holidays/);
  });
});

describe("the calendar's answers do not depend on the process's time zone", () => {
  // Every day of 2025–2026, computed in child processes under two zones either side of UTC.
  const kinds = (tz: string) =>
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { calendarFromFiles } from ${JSON.stringify(join(projectRoot, 'connectors/calendar/calendar-files.ts'))};
         import { addDays } from ${JSON.stringify(join(projectRoot, 'domain/calendar/dates.ts'))};
         const c = calendarFromFiles();
         const code = { workday: 'W', 'makeup-workday': 'M', weekend: 'S', holiday: 'H' };
         let out = '';
         for (let d = '2025-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) out += code[c.day(d).kind];
         process.stdout.write(out);`,
      ],
      { cwd: projectRoot, env: { ...process.env, TZ: tz }, encoding: 'utf8' },
    );

  it('America/Los_Angeles and Asia/Shanghai give the same answer for all 730 days, and the right one', () => {
    const west = kinds('America/Los_Angeles');
    const east = kinds('Asia/Shanghai');
    assert.equal(west.length, 730);
    const differing: string[] = [];
    for (let i = 0, d = '2025-01-01'; i < 730; i++, d = addDays(d, 1))
      if (west[i] !== east[i]) differing.push(`${d}: ${west[i]} vs ${east[i]}`);
    assert.deepEqual(differing, []);
    // The expectation straight from the package's data table and the UTC weekday.
    const data = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as {
      holidays: Record<string, string>;
      workdays: Record<string, string>;
    };
    let expected = '';
    for (let d = '2025-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) {
      const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
      expected += data.workdays[d]
        ? 'M'
        : data.holidays[d]
          ? 'H'
          : weekday === 0 || weekday === 6
            ? 'S'
            : 'W';
    }
    assert.equal(east, expected);
  });
});
