/**
 * `runbook calendar [--from <YYYY-MM-DD>] [--days <n>]`: the days ahead as the engine sees them —
 * working days, make-up working days, holidays, years without data, the banks' windows and
 * extended hours, the change freezes and what they hold back, the runs a freeze holds back now
 * and what each waits for — and each schedule's own firing times in that range as the Temporal
 * server computes them, with whether its spec still matches the calendar. Exit codes: 0 shown, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { firstUnknownDay } from '../../domain/calendar/coverage.ts';
import { addDays, dateInZone, isoDate, timeInZone } from '../../domain/calendar/dates.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { changeLines, dayLines, freezeLines, rangeEnd, type CalendarRange } from './calendar-view.ts';
import { frozenRunLines } from './frozen-runs.ts';
import { argumentsOk } from './check-args.ts';
import { connectClient } from './client.ts';
import { scheduleMatchingTimes, scheduleSpec, specIsCurrent } from './schedules.ts';

export const calendarUsage = `The calendar:
  calendar [--from <YYYY-MM-DD>] [--days <n>]
                                        working days, make-up working days and holidays, bank
                                        windows and extended hours, change freezes, the runs
                                        they hold back and the schedules' runs from --from (default today, site time
                                        zone) for --days days (default 14, at most 400)`;

/** How long the command waits for the Temporal server before showing the calendar without it. */
const connectTimeoutMs = 5000;

export async function calendarCommand(
  argv: string[],
  { site, checkOnly = false }: { site: SiteConfig; checkOnly?: boolean },
  now = new Date(),
): Promise<number> {
  let values: { from?: string; days?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, days: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${calendarUsage}`);
    return 2;
  }
  if (values.help) {
    console.log(calendarUsage);
    return 0;
  }
  const from = values.from ?? dateInZone(now, site.site.timezone);
  const days = Number(values.days ?? '14');
  const problems = [
    ...(isoDate.safeParse(from).success ? [] : [`--from: expected a real date as YYYY-MM-DD, got "${from}"`]),
    ...(Number.isInteger(days) && days >= 1 && days <= 400
      ? []
      : [`--days: expected 1 to 400, got "${values.days}"`]),
  ];
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    return 2;
  }
  if (checkOnly) {
    console.log(argumentsOk(`calendar from ${from} for ${days} days`));
    return 0;
  }
  const range: CalendarRange = { site, calendar: createSiteCalendar(site.calendar), from, days };
  const out = (lines: string[]) => lines.forEach((l) => console.log(l));
  const unknownFrom = firstUnknownDay(from, range.calendar.knownYears());
  console.log(
    `Calendar ${from} … ${rangeEnd(range)} (${site.site.timezone}); holiday data ${unknownFrom === from ? `missing for ${from.slice(0, 4)}` : `through ${addDays(unknownFrom, -1)}`}`,
  );
  out(dayLines(range));
  console.log('\nChange freezes (封网):');
  out(freezeLines(range));
  console.log(
    `\nChange runbooks now (${dateInZone(now, site.site.timezone)} ${timeInZone(now, site.site.timezone)}):`,
  );
  out(changeLines(site, now));
  let client: Client | undefined;
  try {
    client = await withTimeout(connectClient(site), connectTimeoutMs);
  } catch (err) {
    console.log(
      `\nTemporal at ${site.temporal.address} not reachable (${(err as Error).message}): runs not shown`,
    );
  }
  try {
    if (client) {
      console.log('\nRuns held back by a freeze:');
      out(await frozenRunLines(client, site.site.timezone));
    }
    console.log('\nSchedules:');
    out(await scheduleLines(range, now, client));
  } finally {
    await client?.connection.close();
  }
  return 0;
}

async function scheduleLines(range: CalendarRange, now: Date, client: Client | undefined): Promise<string[]> {
  const { site } = range;
  if (site.schedules.length === 0) return ['No schedules in the site file.'];
  if (!client)
    return site.schedules.map((s) => `${s.id} (${s.runbook}): ${scheduleSpec(s, site, now).summary}`);
  const first = new Date(`${range.from}T00:00:00Z`);
  const last = new Date(`${rangeEnd(range)}T23:59:59Z`);
  const lines: string[] = [];
  for (const s of site.schedules) {
    const { spec, summary } = scheduleSpec(s, site, now);
    lines.push(`${s.id} (${s.runbook}): ${summary}`);
    try {
      const described = await client.schedule.getHandle(s.id).describe();
      if (s.workingDaysAt && !specIsCurrent(described.spec, spec))
        lines.push('  STALE: the calendar changed since the schedule was written; run npm run schedules');
      if (described.state.paused) lines.push(`  paused: ${described.state.note ?? ''}`);
      // A day either side, so the range's first and last days are whole in any zone.
      const runs = await scheduleMatchingTimes(
        client,
        s.id,
        new Date(first.getTime() - 86_400_000),
        new Date(last.getTime() + 86_400_000),
      );
      lines.push(...runLines(runs, range, s.timezone));
    } catch (err) {
      lines.push(`  not on the server (${(err as Error).message}): run npm run schedules`);
    }
  }
  return lines;
}

/** The runs in the range, one line per day: `2026-12-28 08:30 16:30`. */
function runLines(runs: Date[], range: CalendarRange, timeZone: string): string[] {
  const byDay = new Map<string, string[]>();
  for (const r of runs) {
    const local = r.toLocaleString('sv-SE', { timeZone }).slice(0, 16);
    const [day = '', time = ''] = local.split(' ');
    if (day < range.from || day > rangeEnd(range)) continue;
    byDay.set(day, [...(byDay.get(day) ?? []), time]);
  }
  if (byDay.size === 0) return ['  no runs in this range'];
  return [...byDay].map(([day, times]) => `  ${day} ${times.join(' ')}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000}s`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
