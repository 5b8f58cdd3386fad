/**
 * What a calendar file declares (YAML or JSON): a year's statutory holidays and make-up working
 * days (调休上班) as the State Council's notice gives them, and a bank's extended hours (延时服务).
 * A file with `year` declares that whole year: the calendar then knows every day of it, the days
 * not listed being ordinary weekdays and weekends, its make-up working days on Saturdays and
 * Sundays. A file without `year` only states the days it lists (a local arrangement — a holiday
 * the bureau works, extended hours agreed on the day).
 */
import { z } from 'zod';
import { addDays, isoDate, timeOfDay, weekdayOf, yearOf } from './dates.ts';

/** A year's notice may start its New Year holiday in the December before (2023: from 2022-12-31). */
const inYear = (date: string, year: number) =>
  yearOf(date) === year || (yearOf(date) === year - 1 && date.slice(5, 7) === '12');
const outOfYear = (year: number) => `not in the declared year ${year} (or the December before)`;

const holidayEntry = z.union([
  isoDate,
  z.object({ name: z.string().min(1), from: isoDate, to: isoDate }).strict(),
]);
const workdayEntry = z.union([isoDate, z.object({ name: z.string().min(1), date: isoDate }).strict()]);

export const extendedHoursSchema = z
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
export type ExtendedHoursEntry = z.infer<typeof extendedHoursSchema>;

export const calendarFileSchema = z
  .object({
    /** The year this file declares in full, from the State Council's notice. */
    year: z.number().int().min(2000).max(2100).optional(),
    /** Days off: a date, or `{ name, from, to }` for a holiday period as the notice words it. */
    holidays: z.array(holidayEntry).default([]),
    /** Make-up working days on a Saturday or Sunday: a date, or `{ name, date }`. */
    workdays: z.array(workdayEntry).default([]),
    extendedHours: z.array(extendedHoursSchema).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const holidayDays = new Set<string>();
    file.holidays.forEach((h, i) => {
      const from = typeof h === 'string' ? h : h.from;
      const to = typeof h === 'string' ? h : h.to;
      if (to < from)
        ctx.addIssue({ code: 'custom', path: ['holidays', i, 'to'], message: 'to is before from' });
      else if (file.year !== undefined && !(inYear(from, file.year) && inYear(to, file.year)))
        ctx.addIssue({ code: 'custom', path: ['holidays', i], message: outOfYear(file.year) });
      for (let d = from; d <= to; d = addDays(d, 1)) holidayDays.add(d);
    });
    file.workdays.forEach((w, i) => {
      const date = typeof w === 'string' ? w : w.date;
      const day = weekdayOf(date);
      if (file.year !== undefined && !inYear(date, file.year))
        ctx.addIssue({ code: 'custom', path: ['workdays', i], message: outOfYear(file.year) });
      else if (file.year !== undefined && day !== 0 && day !== 6)
        ctx.addIssue({
          code: 'custom',
          path: ['workdays', i],
          message: `${date} is a weekday; a make-up working day (调休上班) falls on a Saturday or Sunday`,
        });
      else if (holidayDays.has(date))
        ctx.addIssue({
          code: 'custom',
          path: ['workdays', i],
          message: `${date} is also listed as a holiday`,
        });
    });
    if (file.year !== undefined && holidayDays.size === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['holidays'],
        message: `a declared year lists its holidays (the notice always has some); none for ${file.year}`,
      });
  });
export type CalendarFile = z.output<typeof calendarFileSchema>;

/** One named day of a declaration: a holiday or a make-up working day. */
export interface NamedDay {
  date: string;
  name?: string;
}

/** A calendar file expanded to single days. */
export interface CalendarDeclaration {
  /** Where it came from, for messages. */
  source: string;
  year?: number;
  holidays: NamedDay[];
  workdays: NamedDay[];
  extendedHours: ExtendedHoursEntry[];
}

export function expandDeclaration(file: CalendarFile, source: string): CalendarDeclaration {
  const holidays = file.holidays.flatMap((h): NamedDay[] => {
    if (typeof h === 'string') return [{ date: h }];
    const days: NamedDay[] = [];
    for (let d = h.from; d <= h.to; d = addDays(d, 1)) days.push({ date: d, name: h.name });
    return days;
  });
  const workdays = file.workdays.map((w): NamedDay => (typeof w === 'string' ? { date: w } : w));
  return {
    source,
    ...(file.year !== undefined && { year: file.year }),
    holidays,
    workdays,
    extendedHours: file.extendedHours,
  };
}
