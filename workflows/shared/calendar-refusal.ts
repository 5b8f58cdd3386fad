/**
 * A calendar question the site's calendar cannot answer — a day of a year without holiday data —
 * stops the run: nothing is guessed, and no retry can help until the site declares that year. The
 * failure keeps the calendar's message (the year and the fix) behind what the run was doing.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorKind } from '../../domain/errors.ts';

/** The CalendarYearUnknown failure somewhere in `err`'s cause chain, if any. */
export function unknownCalendarYear(err: unknown): ApplicationFailure | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause)
    if (e instanceof ApplicationFailure && e.type === ErrorKind.CalendarYearUnknown) return e;
  return undefined;
}

/** For `.catch()`: rethrows an unknown calendar year as its own failure, prefixed with `what`. */
export function refuseUnknownYear(what: string): (err: unknown) => never {
  return (err) => {
    const unknown = unknownCalendarYear(err);
    if (!unknown) throw err;
    throw ApplicationFailure.create({
      type: ErrorKind.CalendarYearUnknown,
      nonRetryable: true,
      message: `${what}: ${unknown.message}`,
      details: unknown.details ?? undefined,
    });
  };
}
