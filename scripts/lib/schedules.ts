/**
 * Upserts the site's Temporal Schedules. Idempotent: an existing schedule gets the configured
 * spec and action, but keeps its state, so a pause an operator set survives every upsert. A
 * schedule that names no times takes its runbook's default times (its catalog entry). A
 * `workingDaysAt` schedule's spec is generated from the site's working-day calendar (see
 * domain/calendar/working-day-schedule.ts): run this again whenever the calendar changes.
 */
import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsAction,
  type ScheduleSpec,
} from '@temporalio/client';
import { msNumberToTs, tsToMs } from '@temporalio/common';
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { dateInZone, yearOf } from '../../domain/calendar/dates.ts';
import { workingDaySpec } from '../../domain/calendar/working-day-schedule.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { runbookEntry, scheduledWorkflowId } from '../../workflows/catalog.ts';
import type { ScheduleDefaults } from '../../workflows/shared/runbook-definition.ts';
import { RunbookInputError, validateRunbookInput } from './runbook-input.ts';

type ScheduleConfig = SiteConfig['schedules'][number];

/** When a schedule fires: the site's times, else its runbook's default times. */
export function scheduleTimes(schedule: ScheduleConfig): ScheduleDefaults {
  if (schedule.workingDaysAt || schedule.cron) return schedule;
  const defaults = runbookEntry(schedule.runbook)?.schedule;
  if (defaults) return defaults;
  throw new RunbookInputError([
    `schedules[${schedule.id}].workingDaysAt: give workingDaysAt or cron; runbook ${schedule.runbook} has no default times`,
  ]);
}

/** The spec of `schedule` as of `now`, and how it reads in one line. */
export function scheduleSpec(
  schedule: ScheduleConfig,
  site: SiteConfig,
  now: Date,
): { spec: ScheduleSpec; summary: string } {
  const timezone = schedule.timezone;
  const { cron, workingDaysAt } = scheduleTimes(schedule);
  if (cron) {
    return {
      spec: { cronExpressions: cron, timezone },
      summary: `${cron.join(', ')} ${timezone}`,
    };
  }
  const times = workingDaysAt ?? [];
  const generated = workingDaySpec(
    createSiteCalendar(site.calendar),
    times,
    yearOf(dateInZone(now, timezone)),
  );
  return {
    spec: { calendars: generated.calendars, skip: generated.skip, timezone },
    summary: `working days at ${times.join(', ')} ${timezone}; calendar known through ${generated.knownThrough}, every day after`,
  };
}

/** Whether a described schedule still carries the spec the calendar gives today (by its entries' comments). */
export function specIsCurrent(described: ScheduleDescription['spec'], expected: ScheduleSpec): boolean {
  const comments = (spec: { calendars?: { comment?: string }[]; skip?: { comment?: string }[] }) =>
    [...(spec.calendars ?? []), ...(spec.skip ?? [])].map((c) => c.comment ?? '').join('\n');
  return comments(described) === comments(expected);
}

export async function upsertSchedules(client: Client, site: SiteConfig, now = new Date()): Promise<string[]> {
  const lines: string[] = [];
  for (const schedule of site.schedules) {
    const { entry, input } = validateRunbookInput(schedule.runbook, schedule.input, site);
    const { spec, summary } = scheduleSpec(schedule, site, now);
    const action: ScheduleOptionsAction = {
      type: 'startWorkflow',
      workflowType: entry.workflowType,
      workflowId: scheduledWorkflowId(entry, schedule.id),
      taskQueue: site.temporal.taskQueues.runbooks,
      args: [input],
    };
    const handle = client.schedule.getHandle(schedule.id);
    try {
      await handle.update((previous) => ({ ...previous, spec, action }));
      const { state } = await handle.describe();
      lines.push(
        `Schedule ${schedule.id}: updated${state.paused ? ' (paused by an operator; left paused)' : ''}`,
      );
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.schedule.create({ scheduleId: schedule.id, spec, action });
      lines.push(`Schedule ${schedule.id}: created (${summary})`);
    }
  }
  return lines;
}

/** The times the server says a schedule fires between `from` and `to` (Temporal's own reading of its spec). */
export async function scheduleMatchingTimes(
  client: Client,
  scheduleId: string,
  from: Date,
  to: Date,
): Promise<Date[]> {
  const response = await client.workflowService.listScheduleMatchingTimes({
    namespace: client.options.namespace,
    scheduleId,
    startTime: msNumberToTs(from.getTime()),
    endTime: msNumberToTs(to.getTime()),
  });
  return response.startTime.map((t) => new Date(tsToMs(t)));
}
