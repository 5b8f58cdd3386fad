/**
 * The Chinese working-day calendar: weekends, statutory holidays and make-up working days
 * (调休). Data comes from the maintained `chinese-days` package; a site may add files
 * (YAML/JSON `{ year, holidays: [dates], workdays: [dates], extendedHours: [...] }`) that
 * override it, for a year the package does not know yet or a local arrangement. Extended hours
 * (延时服务) are days on which named banks — or all of them — keep other hours than their
 * usual window, working day or not, such as the last days of the year.
 */
import { readFileSync } from 'node:fs';
import chineseDays from 'chinese-days';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { timeOfDay } from '../../workflows/shared/dates.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const extendedHoursSchema = z
  .object({
    date: isoDate,
    /** Bank codes; omitted: every bank. */
    banks: z.array(z.string().min(1)).min(1).optional(),
    open: timeOfDay,
    close: timeOfDay,
    /** Who agreed it and why, shown to approvers and in reports. */
    reason: z.string().min(1),
  })
  .strict()
  .refine((e) => e.open < e.close, { message: 'open must be before close', path: ['close'] });
const calendarFileSchema = z
  .object({
    year: z.number().int().optional(),
    holidays: z.array(isoDate).default([]),
    workdays: z.array(isoDate).default([]),
    extendedHours: z.array(extendedHoursSchema).default([]),
  })
  .strict();

export interface ExtendedHours {
  open: string;
  close: string;
  reason: string;
}

export interface WorkingDayCalendar {
  isWorkingDay(date: string): boolean;
  previousWorkingDay(date: string): string;
  nextWorkingDay(date: string): string;
  /** A bank's extended hours on `date`, when a calendar file declares them. */
  extendedHours(date: string, bank: string): ExtendedHours | undefined;
}

export function createWorkingDayCalendar(files: string[] = []): WorkingDayCalendar {
  const holidays = new Set<string>();
  const workdays = new Set<string>();
  const extended: z.infer<typeof extendedHoursSchema>[] = [];
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
    extended.push(...parsed.data.extendedHours);
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
    extendedHours(date, bank) {
      // A later file's entry wins: the most recent arrangement.
      const e = [...extended].reverse().find((x) => x.date === date && (!x.banks || x.banks.includes(bank)));
      return e && { open: e.open, close: e.close, reason: e.reason };
    },
  };
}
