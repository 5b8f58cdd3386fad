/**
 * How far ahead the working-day calendar knows: the first day of a year without data, and the
 * warning the daily inspection gives when that day is near (a year's notice is usually out in
 * November; a site has weeks to declare it).
 */
import { daysBetween, yearOf } from './dates.ts';

/** How many days ahead of a year without data the inspection warns. */
export const coverageWarningDays = 60;

export interface CoverageWarning {
  missingYear: number;
  /** 1 January of the missing year, or the date asked about when its own year is missing. */
  firstUnknownDay: string;
  /** Days from the date asked about to that day; 0 when the date itself is unknown. */
  daysLeft: number;
  light: 'yellow' | 'red';
}

/** The first day on or after `from` in a year that `knownYears` does not hold. */
export function firstUnknownDay(from: string, knownYears: readonly number[]): string {
  const known = new Set(knownYears);
  let year = yearOf(from);
  if (!known.has(year)) return from;
  while (known.has(year)) year++;
  return `${year}-01-01`;
}

/** A warning when a year without data begins within `aheadDays` of `date`. */
export function coverageWarning(
  date: string,
  knownYears: readonly number[],
  aheadDays = coverageWarningDays,
): CoverageWarning | undefined {
  const first = firstUnknownDay(date, knownYears);
  const daysLeft = daysBetween(date, first);
  if (daysLeft > aheadDays) return undefined;
  return {
    missingYear: yearOf(first),
    firstUnknownDay: first,
    daysLeft,
    light: daysLeft === 0 ? 'red' : 'yellow',
  };
}
