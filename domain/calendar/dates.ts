/**
 * Calendar dates (YYYY-MM-DD) and times of day in a named time zone. Pure and safe in workflow
 * code: no I/O, no clock (instants are passed in), and no answer depends on the process's time
 * zone — date arithmetic is done on UTC midnights, zone conversions through Intl.
 */
import { z } from 'zod';

/** A time of day as the site file and bank hours write it. */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM');

/** A real calendar date as YYYY-MM-DD (2026-02-30 is refused). */
export const isoDate = z
  .string()
  .refine((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && utcMidnight(d).toISOString().startsWith(d), {
    message: 'a real calendar date as YYYY-MM-DD',
  });

const dayMs = 86_400_000;

function utcMidnight(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** The calendar date `days` after (or before, when negative) `date`, both YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  return new Date(utcMidnight(date).getTime() + days * dayMs).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcMidnight(to).getTime() - utcMidnight(from).getTime()) / dayMs);
}

/** Day of the week of `date`: 0 Sunday … 6 Saturday. */
export function weekdayOf(date: string): number {
  return utcMidnight(date).getUTCDay();
}

/** The year of `date`. */
export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/**
 * The parts of the last minute asked for in each zone (they show no seconds): the sandbox asks
 * the same minute for each of its banks every round, and formatting costs more than the rest.
 */
const lastMinute = new Map<string, { minute: number; parts: Record<string, string> }>();

function partsIn(instant: Date, timeZone: string): Record<string, string> {
  const minute = Math.floor(instant.getTime() / 60_000);
  const last = lastMinute.get(timeZone);
  if (last?.minute === minute) return last.parts;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(instant).map((p) => [p.type, p.value]));
  lastMinute.set(timeZone, { minute, parts });
  return parts;
}

/** The calendar date of `instant` in `timeZone`, as YYYY-MM-DD. */
export function dateInZone(instant: Date, timeZone: string): string {
  const p = partsIn(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The time of day of `instant` in `timeZone`, as HH:MM. */
export function timeInZone(instant: Date, timeZone: string): string {
  const p = partsIn(instant, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** The instant of local `date` `hhmm` in `timeZone` (exact for zones without DST, as in China). */
export function instantAt(date: string, hhmm: string, timeZone: string): Date {
  const guess = new Date(`${date}T${hhmm}:00Z`);
  const p = partsIn(guess, timeZone);
  const shown = Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:00Z`);
  return new Date(guess.getTime() - (shown - guess.getTime()));
}
