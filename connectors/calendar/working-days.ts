/**
 * The Chinese working-day calendar: weekends, statutory holidays and make-up working days
 * (调休). Data comes from the maintained `chinese-days` package; a site may add yearly files
 * (YAML/JSON `{ year, holidays: [dates], workdays: [dates] }`) that override it, for a year
 * the package does not know yet or a local arrangement.
 */
import { readFileSync } from 'node:fs';
import chineseDays from 'chinese-days';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const calendarFileSchema = z
  .object({
    year: z.number().int(),
    holidays: z.array(isoDate).default([]),
    workdays: z.array(isoDate).default([]),
  })
  .strict();

export interface WorkingDayCalendar {
  isWorkingDay(date: string): boolean;
  previousWorkingDay(date: string): string;
  nextWorkingDay(date: string): string;
}

export function createWorkingDayCalendar(files: string[] = []): WorkingDayCalendar {
  const holidays = new Set<string>();
  const workdays = new Set<string>();
  for (const file of files) {
    const raw: unknown = parseYaml(readFileSync(file, 'utf8'));
    const parsed = calendarFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new Error(
        `Invalid calendar file ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    parsed.data.holidays.forEach((d) => holidays.add(d));
    parsed.data.workdays.forEach((d) => workdays.add(d));
  }
  const isWorkingDay = (date: string): boolean => {
    if (workdays.has(date)) return true;
    if (holidays.has(date)) return false;
    return chineseDays.isWorkday(date);
  };
  const step = (date: string, days: number): string => {
    let d = new Date(`${date}T00:00:00Z`);
    for (let i = 0; i < 400; i++) {
      d = new Date(d.getTime() + days * 86_400_000);
      const iso = d.toISOString().slice(0, 10);
      if (isWorkingDay(iso)) return iso;
    }
    throw new Error(`No working day within 400 days of ${date}`);
  };
  return {
    isWorkingDay,
    previousWorkingDay: (date) => step(date, -1),
    nextWorkingDay: (date) => step(date, 1),
  };
}
