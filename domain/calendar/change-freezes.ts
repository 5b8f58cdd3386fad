/**
 * The change calendar: freeze windows (封网) during which change runbooks hold back — for
 * example 25 December to 5 January for everything but the year-end rollover itself. A window
 * is whole days in the site's business time zone, either every year (`MM-DD`, and it may run
 * over New Year) or once (`YYYY-MM-DD`); it names its reason, the runbooks exempted and the
 * roles that may approve an emergency override. Pure: the instant and the zone are passed in.
 */
import { z } from 'zod';
import { addDays, dateInZone, instantAt, isoDate, yearOf } from './dates.ts';

const monthDay = z
  .string()
  .refine((d) => /^\d{2}-\d{2}$/.test(d) && d !== '02-29' && isoDate.safeParse(`2025-${d}`).success, {
    message: 'a day of the year as MM-DD (not 02-29)',
  });

export const freezeSchema = z
  .object({
    name: z.string().min(1),
    /** First frozen day: YYYY-MM-DD once, or MM-DD every year. */
    from: z.union([isoDate, monthDay]),
    /** Last frozen day, inclusive, in the same form; an every-year window may end in the next year. */
    to: z.union([isoDate, monthDay]),
    /** Why, shown to engineers and approvers. */
    reason: z.string().min(1),
    /** Change runbooks this window does not hold back (e.g. the year-end rollover). */
    exempt: z.array(z.string().min(1)).default([]),
    /** Roles that may approve an emergency change inside the window. */
    overrideRoles: z.array(z.string().min(1)).min(1),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.from.length !== f.to.length)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'from and to both YYYY-MM-DD, or both MM-DD' });
    else if (f.from.length === 10 && f.to < f.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to is before from' });
  });
export type Freeze = z.output<typeof freezeSchema>;

/** One occurrence of a freeze, with its dates and instants. */
export interface FreezeWindow {
  name: string;
  reason: string;
  exempt: string[];
  overrideRoles: string[];
  /** First and last frozen day, inclusive. */
  from: string;
  to: string;
  /** The first frozen instant and the first instant after the window (ISO). */
  startsAt: string;
  endsAt: string;
}

export type ChangeVerdict =
  | { allowed: true }
  | {
      allowed: false;
      /** When changes may go ahead again: the end of every window that holds back, back to back. */
      until: string;
      /** The windows that hold the runbook back now, or that follow without a gap. */
      windows: FreezeWindow[];
      /** Who may approve an emergency override: any role of those windows. */
      overrideRoles: string[];
    };

/** The occurrences of `freezes` that overlap the days `from` … `to`, by start. */
export function freezeWindows(freezes: Freeze[], from: string, to: string, timeZone: string): FreezeWindow[] {
  const windows: FreezeWindow[] = [];
  for (const f of freezes) {
    const spans: [string, string][] =
      f.from.length === 10
        ? [[f.from, f.to]]
        : range(yearOf(from) - 1, yearOf(to)).map((y) => [
            `${y}-${f.from}`,
            `${f.to >= f.from ? y : y + 1}-${f.to}`,
          ]);
    for (const [start, end] of spans) {
      if (end < from || start > to) continue;
      windows.push({
        name: f.name,
        reason: f.reason,
        exempt: f.exempt,
        overrideRoles: f.overrideRoles,
        from: start,
        to: end,
        startsAt: instantAt(start, '00:00', timeZone).toISOString(),
        endsAt: instantAt(addDays(end, 1), '00:00', timeZone).toISOString(),
      });
    }
  }
  return windows.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}

/** Whether `runbook` may change the estate at `at`, and if not, until when. */
export function changeVerdict({
  freezes,
  runbook,
  isChange,
  at,
  timeZone,
}: {
  freezes: Freeze[];
  runbook: string;
  /** Whether the runbook is a change (the catalog says); other runbooks are never held back. */
  isChange: boolean;
  at: Date;
  timeZone: string;
}): ChangeVerdict {
  if (!isChange) return { allowed: true };
  const holding = (instant: Date) => {
    const day = dateInZone(instant, timeZone);
    return freezeWindows(freezes, day, day, timeZone).filter(
      (w) =>
        !w.exempt.includes(runbook) &&
        w.startsAt <= instant.toISOString() &&
        instant.toISOString() < w.endsAt,
    );
  };
  const windows = holding(at);
  if (windows.length === 0) return { allowed: true };
  // Windows that overlap or follow without a gap hold the change back until the last one ends.
  let until = maxEnd(windows);
  // Bounded: a window every year from 01-01 to 12-31 would chain for ever.
  for (
    let i = 0, next = holding(new Date(until));
    i < chainLimit && next.length > 0;
    i++, next = holding(new Date(until))
  ) {
    windows.push(...next.filter((w) => !windows.some((x) => x.startsAt === w.startsAt && x.name === w.name)));
    until = maxEnd(windows);
  }
  return {
    allowed: false,
    until,
    windows,
    overrideRoles: [...new Set(windows.flatMap((w) => w.overrideRoles))],
  };
}

const chainLimit = 50;

function maxEnd(windows: FreezeWindow[]): string {
  return windows.reduce((m, w) => (w.endsAt > m ? w.endsAt : m), '');
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
