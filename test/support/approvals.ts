/**
 * Approvers for integration tests: users in the test site's local store, and decisions (and
 * claims of runs started without a signed requester) signed with the test site's front-door key
 * exactly as the inbox signs them — or deliberately wrong.
 */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { signClaim } from '../../connectors/approvals/run-signing.ts';
import { updateOnceTaskRecovers } from '../../connectors/temporal/update-retry.ts';
import { decisionNonce, loadSigningKey, signDecision } from '../../connectors/approvals/signing-keys.ts';
import { createLocalUserStore } from '../../connectors/users/local-store.ts';
import type { DecisionClaims, SignedDecision } from '../../domain/approvals/decision.ts';
import type {
  ApprovalState,
  ClaimReceipt,
  DecisionReceipt,
  PendingApprovalView,
  RefusalReason,
} from '../../domain/approvals/gate-types.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import {
  approvalStateQuery,
  claimRunUpdate,
  decideUpdate,
} from '../../workflows/shared/approval-definitions.ts';
import type { ClaimRefusalReason } from '../../domain/approvals/requester-rules.ts';
import type { ClaimClaims, SignedClaim } from '../../domain/approvals/signed-claims.ts';
import { HistoryWatch } from './history-watch.ts';
import { patienceMs } from './patience.ts';

export const testPassword = 'correct-horse-battery';

/** eng asks; wang and li approve for comm; zhao is the deputy; ops has no approving role. */
export const testUsers = [
  { id: 'eng', displayName: '张工程师', roles: ['engineer'] },
  { id: 'wang', displayName: '王审批', roles: ['comm-approver'] },
  { id: 'li', displayName: '李审批', roles: ['comm-approver'] },
  { id: 'zhao', displayName: '赵局长', roles: ['finance-director'] },
  { id: 'ops', displayName: '值班员', roles: ['engineer'] },
];

export async function addTestUsers(site: SiteConfig): Promise<void> {
  const store = createLocalUserStore(site.approvals.users.file);
  for (const u of testUsers) await store.put(u, testPassword);
}

/** A pending gate and the run waiting at it: what a front door signs a decision for. */
export type WaitingGate = PendingApprovalView & { runId: string };

export async function waitForGate(
  client: Client,
  workflowId: string,
  timeoutMs = patienceMs,
): Promise<WaitingGate> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + timeoutMs;
  const watch = new HistoryWatch(client, workflowId);
  for (;;) {
    const state = await handle.query(approvalStateQuery).catch(() => null);
    if (state?.pending) return { ...state.pending, runId: state.runId };
    if (Date.now() > deadline) throw new Error(`${workflowId} did not open an approval gate`);
    await watch.next(state !== null);
  }
}

/**
 * The run's gate once it asks, or undefined when the run ends without asking (refused, not ready).
 * A run that does neither within `timeoutMs` fails the test with what it is doing (its status and
 * the activities it waits on), rather than leaving it waiting for the file's timeout.
 */
export async function gateUnlessEnded(
  client: Client,
  workflowId: string,
  ended: () => boolean,
  timeoutMs = patienceMs,
): Promise<WaitingGate | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + timeoutMs;
  const watch = new HistoryWatch(client, workflowId);
  for (;;) {
    const state = await handle.query(approvalStateQuery).catch(() => null);
    if (state?.pending) return { ...state.pending, runId: state.runId };
    if (ended()) return undefined;
    if (Date.now() > deadline)
      throw new Error(
        `${workflowId} neither asked for approval nor ended: ${await runDoing(client, workflowId)}`,
      );
    await watch.next(state !== null);
  }
}

/** A run's status and the activities it waits on, with their attempt and last failure. */
async function runDoing(client: Client, workflowId: string): Promise<string> {
  const { status, raw } = await client.workflow.getHandle(workflowId).describe();
  const pending = (raw.pendingActivities ?? []).map(
    (a) =>
      `${a.activityType?.name} (attempt ${a.attempt ?? 1}${a.lastFailure?.message ? `: ${a.lastFailure.message}` : ''})`,
  );
  return `${status.name}; waiting on ${pending.join(', ') || 'no activity'}`;
}

export function signedBy(
  site: SiteConfig,
  gate: Pick<WaitingGate, 'workflowId' | 'runId' | 'gateId' | 'step' | 'planDigest'>,
  user: string,
  overrides: Partial<DecisionClaims> = {},
): SignedDecision {
  const claims: DecisionClaims = {
    v: 2,
    namespace: site.temporal.namespace,
    workflowId: gate.workflowId,
    runId: gate.runId,
    gateId: gate.gateId,
    step: gate.step,
    planDigest: gate.planDigest,
    verdict: 'approve',
    user,
    via: 'cli',
    issuedAt: new Date().toISOString(),
    nonce: decisionNonce(),
    ...overrides,
  };
  return signDecision(claims, loadSigningKey(site.approvals));
}

export function decide(
  client: Client,
  workflowId: string,
  decision: SignedDecision,
): Promise<DecisionReceipt> {
  return updateOnceTaskRecovers(() =>
    client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, { args: [decision] }),
  );
}

export async function historyLength(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events?.length ?? 0;
}

/**
 * The history's length once the run has gone quiet (waiting at its gate: the request's
 * notification sent, its timer started), so what a test does next is all that can add events.
 * Quiet is no workflow task and no activity pending, twice in a row with the same length: a
 * history that merely stood still for a moment may be a loaded machine between two events.
 */
export async function quietHistoryLength(client: Client, workflowId: string): Promise<number> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + patienceMs;
  let last: number | undefined;
  for (;;) {
    const { raw } = await handle.describe();
    const busy = !!raw.pendingWorkflowTask || (raw.pendingActivities?.length ?? 0) > 0;
    const now = await historyLength(client, workflowId);
    if (!busy && now === last) return now;
    if (Date.now() > deadline) throw new Error(`${workflowId} did not go quiet`);
    last = busy ? undefined : now;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** A decision the run's `decide` validator refuses for `reason`, leaving no event in its history. */
export async function refusedWithoutTrace(
  client: Client,
  workflowId: string,
  decision: SignedDecision,
  reason: RefusalReason,
): Promise<void> {
  const before = await quietHistoryLength(client, workflowId);
  await assert.rejects(decide(client, workflowId, decision), (err: unknown) => {
    assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update failure, got ${String(err)}`);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'ApprovalRefused');
    assert.equal(err.cause.details?.[0], reason);
    return true;
  });
  assert.equal(await historyLength(client, workflowId), before, `${reason} left events in history`);
}

/** The run's approval state once it waits to be claimed. */
export async function waitForClaimWait(
  client: Client,
  workflowId: string,
  timeoutMs = patienceMs,
): Promise<ApprovalState> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + timeoutMs;
  const watch = new HistoryWatch(client, workflowId);
  for (;;) {
    const state = await handle.query(approvalStateQuery).catch(() => null);
    if (state?.awaitingClaim) return state;
    if (Date.now() > deadline) throw new Error(`${workflowId} did not wait to be claimed`);
    await watch.next(state !== null);
  }
}

/** A claim of `run` by `user`, signed as the inbox signs it (or wrong, by `overrides`). */
export function claimedBy(
  site: SiteConfig,
  run: { workflowId: string; runId: string },
  user: string,
  overrides: Partial<ClaimClaims> = {},
): SignedClaim {
  return signClaim(
    {
      v: 1,
      kind: 'claim',
      namespace: site.temporal.namespace,
      workflowId: run.workflowId,
      runId: run.runId,
      user,
      via: 'cli',
      issuedAt: new Date().toISOString(),
      nonce: decisionNonce(),
      ...overrides,
    },
    loadSigningKey(site.approvals),
  );
}

export function claim(client: Client, workflowId: string, signed: SignedClaim): Promise<ClaimReceipt> {
  return client.workflow.getHandle(workflowId).executeUpdate(claimRunUpdate, { args: [signed] });
}

/** A claim the run's `claimRun` validator refuses for `reason`, leaving no event in its history. */
export async function claimRefusedWithoutTrace(
  client: Client,
  workflowId: string,
  signed: unknown,
  reason: ClaimRefusalReason,
): Promise<void> {
  const before = await quietHistoryLength(client, workflowId);
  await assert.rejects(
    client.workflow.getHandle(workflowId).executeUpdate(claimRunUpdate, { args: [signed as SignedClaim] }),
    (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update failure, got ${String(err)}`);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'ClaimRefused');
      assert.equal(err.cause.details?.[0], reason);
      return true;
    },
  );
  assert.equal(await historyLength(client, workflowId), before, `${reason} left events in history`);
}
