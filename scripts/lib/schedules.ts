/**
 * Upserts the site's Temporal Schedules. Idempotent: an existing schedule gets the configured
 * spec and action, but keeps its state, so a pause an operator set survives every upsert.
 */
import { ScheduleNotFoundError, type Client, type ScheduleOptionsAction } from '@temporalio/client';
import type { SiteConfig } from '../../temporal.config.ts';
import { validateRunbookInput } from './runbook-registry.ts';

export async function upsertSchedules(client: Client, site: SiteConfig): Promise<string[]> {
  const lines: string[] = [];
  for (const schedule of site.schedules) {
    const { entry, input } = validateRunbookInput(schedule.runbook, schedule.input, site);
    const spec = { cronExpressions: schedule.cron, timezone: schedule.timezone };
    const action: ScheduleOptionsAction = {
      type: 'startWorkflow',
      workflowType: entry.workflowType,
      workflowId: `${schedule.runbook}/scheduled/${schedule.id}`,
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
      lines.push(`Schedule ${schedule.id}: created (${schedule.cron.join(', ')} ${schedule.timezone})`);
    }
  }
  return lines;
}
