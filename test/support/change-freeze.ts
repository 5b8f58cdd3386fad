/**
 * Change freezes in tests: a freeze window over today and the next two days in the site's time zone
 * (as a site file declares one, `calendar.freezes`), with the instant it ends; and waiting for a run
 * to ask at a given step of its approval gate.
 */
import type { Client } from '@temporalio/client';
import { addDays, dateInZone, instantAt } from '../../domain/calendar/dates.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import type { WaitingGate } from './approvals.ts';
import { HistoryWatch } from './history-watch.ts';
import { patienceMs } from './patience.ts';

const timeZone = 'Asia/Shanghai';

/** A freeze from `first` (default today) for three days, overridable by a director. */
export function frozenToday(first = dateInZone(new Date(), timeZone)) {
  const to = addDays(first, 2);
  return {
    window: {
      name: '测试封网',
      from: first,
      to,
      reason: '测试：封网期间冻结变更',
      exempt: [],
      overrideRoles: ['finance-director'],
    },
    endsAt: instantAt(addDays(to, 1), '00:00', timeZone).toISOString(),
  };
}

/** The run's pending gate once it asks at `step`. */
export async function waitForStep(client: Client, workflowId: string, step: string): Promise<WaitingGate> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + patienceMs;
  const watch = new HistoryWatch(client, workflowId);
  for (;;) {
    const state = await handle.query(approvalStateQuery).catch(() => null);
    if (state?.pending?.step === step) return { ...state.pending, runId: state.runId };
    if (Date.now() > deadline) throw new Error(`${workflowId} did not ask at ${step}`);
    await watch.next(state !== null);
  }
}
