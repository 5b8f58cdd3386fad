/**
 * The runs the change calendar holds back, for `runbook calendar`: every running runbook whose
 * approval gate says it waits for a freeze to end (`approvalState.frozen`), with the windows, when
 * they end, who may let it through meanwhile, and whether an override request is open.
 */
import { QueryNotRegisteredError, type Client } from '@temporalio/client';
import type { ApprovalState } from '../../domain/approvals/gate-types.ts';
import { dateInZone, timeInZone } from '../../domain/calendar/dates.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';

// Every runbook tags its run with `Runbook` at its opening; locks and batches carry none.
const runningRunbooks = 'ExecutionStatus = "Running" AND Runbook IS NOT NULL';
const listLimit = 200;

export async function frozenRunLines(client: Client, timeZone: string): Promise<string[]> {
  const lines: string[] = [];
  let n = 0;
  for await (const run of client.workflow.list({ query: runningRunbooks })) {
    if (++n > listLimit) break;
    const state = await client.workflow
      .getHandle(run.workflowId)
      .query(approvalStateQuery)
      .catch((err: unknown) => {
        if (err instanceof QueryNotRegisteredError) return undefined;
        throw err;
      });
    const frozen = state?.frozen;
    if (!state || !frozen) continue;
    const until = new Date(frozen.until);
    lines.push(
      `${run.workflowId} (${state.runbook}): waits for ${frozen.windows.map((w) => `${w.name} ${w.from}…${w.to}`).join(', ')} to end at ${dateInZone(until, timeZone)} ${timeInZone(until, timeZone)}, or an emergency override by ${frozen.overrideRoles.join(', ')}${overrideState(state)}`,
    );
  }
  return lines.length ? lines : ['No run waits for a freeze to end.'];
}

function overrideState(state: ApprovalState): string {
  const p = state.pending;
  if (p?.step === 'freeze-override') return `; override asked (${p.gateId}, until ${p.expireAt})`;
  if (state.awaitingClaim) return '; waits to be claimed before it asks';
  return '';
}
