/**
 * `runbook status <workflow-id>`: what a run is and where it stands. While it runs: its step (the
 * `progress` query), who asked for it and how that is known, and what it waits for (the
 * `approvalState` query: a claim by an engineer when nobody signed for its start, or the plan
 * awaiting a decision, who may decide, the votes so far; the gates already decided), and a step
 * paused for an operator (the `handState` query: why, the choices, the command to decide). Once
 * finished: its result (run-summary.ts) or why it failed.
 */
import { QueryNotRegisteredError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { ApprovalState } from '../../domain/approvals/gate-types.ts';
import type { HandState } from '../../domain/approvals/hand-decision.ts';
import { formatInstant, shortDigest } from '../../domain/display.ts';
import type { RunbookProgress } from '../../workflows/shared/progress.ts';
import { countOf, tallyLine } from './follow-frame.ts';
import { approvalLines, resultLines } from './run-summary.ts';

export async function runStatusLines(
  client: Client,
  workflowId: string,
  timeZone: string,
): Promise<string[]> {
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe();
  const header = `${workflowId}  ${d.type}  ${d.status.name}  started ${formatInstant(d.startTime.toISOString(), timeZone)}`;
  switch (d.status.name) {
    case 'RUNNING':
      return [header, ...(await runningLines(handle, timeZone))];
    case 'COMPLETED':
      return [header, ...resultLines(await handle.result())];
    case 'FAILED':
      return [header, await failureLine(handle)];
    default:
      return [header];
  }
}

async function runningLines(handle: WorkflowHandle, timeZone: string): Promise<string[]> {
  const progress = await answered<RunbookProgress>(handle, 'progress');
  const approval = await answered<ApprovalState>(handle, 'approvalState');
  const paused = (await answered<HandState>(handle, 'handState'))?.paused;
  const detail = progress && JSON.stringify(progress.detail);
  const counted = progress && tallyLine(countOf(progress));
  const pending = approval?.pending;
  return [
    ...(progress ? [`Step: ${progress.step}${detail && detail !== '{}' ? `  ${detail}` : ''}`] : []),
    ...(counted ? [counted] : []),
    ...(approval ? requesterLines(approval, handle.workflowId) : []),
    ...(approval?.frozen
      ? [
          `Held back by a change freeze / 封网: ${approval.frozen.windows.map((w) => `${w.name} ${w.from}…${w.to}`).join(', ')}; waits until ${formatInstant(approval.frozen.until, timeZone)} or an emergency override by ${approval.frozen.overrideRoles.join(', ')}`,
        ]
      : []),
    ...(pending
      ? [
          `Waiting for approval at step ${pending.step} (${pending.gateId}): ${pending.votes.filter((v) => v.verdict === 'approve').length}/${pending.quorum} vote(s); roles ${[...pending.roles].join(', ')}${pending.escalated ? ' (escalated)' : ''}; expires ${formatInstant(pending.expireAt, timeZone)}`,
          `  Plan: ${pending.plan.title.zh} / ${pending.plan.title.en}  digest ${shortDigest(pending.planDigest)}`,
          `  Requested by ${pending.requestedBy}; decide with: npm run runbook -- approve|reject ${handle.workflowId}`,
        ]
      : []),
    ...(paused
      ? [
          `Paused at step ${paused.step} (attempt ${paused.attempts}, ${formatInstant(paused.pausedAt, timeZone)}) / 步骤暂停，等待处置: [${paused.trouble.type}] ${paused.trouble.message}`,
          `  Decide with: npm run runbook -- ${paused.choices.join('|')} ${handle.workflowId} --reason …`,
        ]
      : []),
    ...approvalLines(approval?.closed ?? []),
  ];
}

const howKnown: Record<ApprovalState['requester']['via'], string> = {
  start: 'started through the front door, signed',
  claim: 'claimed, signed by the front door',
  unverified: 'unverified: named in the input only',
};

function requesterLines(approval: ApprovalState, workflowId: string): string[] {
  const { requester } = approval;
  return [
    `Requester: ${requester.user} (${howKnown[requester.via]})`,
    ...(approval.awaitingClaim
      ? [
          `Waiting to be claimed by an engineer before it asks for approval / 等待运维工程师认领: npm run runbook -- claim ${workflowId}`,
        ]
      : []),
  ];
}

/** A query's answer, or undefined when this workflow has no such query (a lock, an older runbook). */
export async function answered<T>(handle: WorkflowHandle, query: string): Promise<T | undefined> {
  try {
    return await handle.query<T>(query);
  } catch (err) {
    if (err instanceof QueryNotRegisteredError) return undefined;
    throw err;
  }
}

async function failureLine(handle: WorkflowHandle): Promise<string> {
  try {
    await handle.result();
    return 'Failed';
  } catch (err) {
    const cause = (err as Error).cause as (Error & { type?: string }) | undefined;
    return `Failed: ${cause?.type ? `${cause.type}: ` : ''}${cause?.message ?? (err as Error).message}`;
  }
}
