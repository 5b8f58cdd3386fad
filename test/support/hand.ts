/**
 * The operator's hand in integration tests: waiting for a run's step to pause, hand decisions
 * signed with the test site's front-door key exactly as the inbox signs them (or deliberately
 * wrong), and a refusal that must leave no event in the run's history.
 */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { signHandDecision } from '../../connectors/approvals/run-signing.ts';
import { updateOnceTaskRecovers } from '../../connectors/temporal/update-retry.ts';
import { decisionNonce, loadSigningKey } from '../../connectors/approvals/signing-keys.ts';
import type {
  HandAction,
  HandClaims,
  HandReceipt,
  HandRefusalReason,
  HandState,
  PausedStep,
  SignedHandDecision,
} from '../../domain/approvals/hand-decision.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { decideStepUpdate, handStateQuery } from '../../workflows/shared/hand-definitions.ts';
import { historyLength, quietHistoryLength } from './approvals.ts';
import { HistoryWatch } from './history-watch.ts';
import { patienceMs } from './patience.ts';

/** A paused step and the run waiting at it: what a front door signs a hand decision for. */
export type WaitingPause = PausedStep & { runId: string };

/** The run's state once a step (of that name, when given) waits for an operator. */
export async function waitForPause(client: Client, workflowId: string, step?: string): Promise<WaitingPause> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = Date.now() + patienceMs;
  const watch = new HistoryWatch(client, workflowId);
  for (;;) {
    const state: HandState | null = await handle.query(handStateQuery).catch(() => null);
    const paused = state?.paused;
    if (state && paused && (step === undefined || paused.step === step))
      return { ...paused, runId: state.runId };
    if (Date.now() > deadline) throw new Error(`${workflowId} did not pause${step ? ` at ${step}` : ''}`);
    await watch.next(state !== null);
  }
}

export function handBy(
  site: SiteConfig,
  pause: Pick<WaitingPause, 'workflowId' | 'runId' | 'pauseId' | 'step'>,
  user: string,
  action: HandAction,
  overrides: Partial<HandClaims> = {},
): SignedHandDecision {
  return signHandDecision(
    {
      v: 1,
      kind: 'hand',
      namespace: site.temporal.namespace,
      workflowId: pause.workflowId,
      runId: pause.runId,
      pauseId: pause.pauseId,
      step: pause.step,
      action,
      ...(action !== 'retry' && { reason: `测试：${action}` }),
      user,
      via: 'cli',
      issuedAt: new Date().toISOString(),
      nonce: decisionNonce(),
      ...overrides,
    },
    loadSigningKey(site.approvals),
  );
}

export function decideStep(
  client: Client,
  workflowId: string,
  signed: SignedHandDecision,
): Promise<HandReceipt> {
  return updateOnceTaskRecovers(() =>
    client.workflow.getHandle(workflowId).executeUpdate(decideStepUpdate, { args: [signed] }),
  );
}

/** A hand decision the run's `decideStep` validator refuses for `reason`, leaving no event in its history. */
export async function handRefusedWithoutTrace(
  client: Client,
  workflowId: string,
  signed: unknown,
  reason: HandRefusalReason,
): Promise<void> {
  const before = await quietHistoryLength(client, workflowId);
  await assert.rejects(
    client.workflow
      .getHandle(workflowId)
      .executeUpdate(decideStepUpdate, { args: [signed as SignedHandDecision] }),
    (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError, `expected an update failure, got ${String(err)}`);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'HandDecisionRefused');
      assert.equal(err.cause.details?.[0], reason);
      return true;
    },
  );
  assert.equal(await historyLength(client, workflowId), before, `${reason} left events in history`);
}
