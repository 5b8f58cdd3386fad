import assert from 'node:assert/strict';
import { test } from 'node:test';
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
