/**
 * The official arrangement of statutory holidays and make-up working days, year by year as the
 * State Council's notices give them, from the maintained `chinese-days` package. Only its data is
 * used: its functions read a date as UTC midnight and take the weekday in the process's time zone.
 * A year counts as covered when the data holds its holidays (every notice has some).
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { OfficialCalendar } from '../../domain/calendar/working-days.ts';

// Values read "English name,中文名,days", e.g. "Spring Festival,春节,4".
const packageData = z.object({
  holidays: z.record(z.string(), z.string()),
  workdays: z.record(z.string(), z.string()),
});

let loaded: OfficialCalendar | undefined;

export function officialCalendar(): OfficialCalendar {
  if (!loaded) {
    const data = packageData.parse(createRequire(import.meta.url)('chinese-days/dist/chinese-days.json'));
    const days = (table: Record<string, string>) =>
      Object.entries(table).map(([date, label]) => ({ date, name: label.split(',')[1] || undefined }));
    const holidays = days(data.holidays);
    loaded = {
      years: [...new Set(holidays.map((d) => Number(d.date.slice(0, 4))))].sort((a, b) => a - b),
      holidays,
      workdays: days(data.workdays),
    };
  }
  return loaded;
}
