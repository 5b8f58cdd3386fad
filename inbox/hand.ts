/**
 * The operator's hand on a paused step, for the inbox's pages and its JSON API alike: the runs
 * whose step waits for an operator (visibility finds the running runbooks, each run's `handState`
 * says whether a step is paused), one run's pause with what this person may do about it, and a
 * decision — retry, skip or abort — checked against the pause the person saw and the roles the
 * site gives each action, signed with the front door's key for the run's current run id and sent
 * as the `decideStep` update, whose validator stays the final judge.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { signHandDecision } from '../connectors/approvals/run-signing.ts';
import { updateOnceTaskRecovers } from '../connectors/temporal/update-retry.ts';
import { decisionNonce, type SigningKey } from '../connectors/approvals/signing-keys.ts';
import type { DirectoryUser } from '../connectors/users/directory.ts';
import {
  handRefusalReasons,
  type HandAction,
  type HandReceipt,
  type HandRefusalReason,
  type HandState,
  type PausedStep,
} from '../domain/approvals/hand-decision.ts';
import { hasReason } from '../domain/approvals/hand-rules.ts';
import { ErrorKind } from '../domain/errors.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { decideStepUpdate, handStateQuery } from '../workflows/shared/hand-definitions.ts';
import { RunNotFoundError, runningRunbooks, type RunStateReader } from './run-state.ts';

/** Refusals the inbox decides itself, before anything is signed. */
export type InboxHandRefusal = 'not-found' | 'pause-changed';
export type HandRefusal = HandRefusalReason | InboxHandRefusal;

export interface PausedSummary {
  workflowId: string;
  runbook: string;
  pause: PausedStep;
  /** What this person may do about it. */
  mayTake: HandAction[];
}

export interface HandDetail {
  state: HandState;
  /** What this person may do about the paused step (none when nothing is paused). */
  mayTake: HandAction[];
}

export interface HandInput {
  action: HandAction;
  reason?: string;
  /** The pause the person saw: a decision never lands on a later one. */
  pauseId?: string;
  /** The run the person saw: never one reset or started again since. */
  runId?: string;
}

export type HandOutcome =
  { ok: true; workflowId: string; receipt: HandReceipt } | { ok: false; reason: HandRefusal; detail: string };

export interface HandService {
  listFor(user: DirectoryUser): Promise<{ items: PausedSummary[]; unavailable: number }>;
  /** Throws RunNotFoundError when the run is unknown, has no hand, or is not this person's to see. */
  detailFor(user: DirectoryUser, workflowId: string): Promise<HandDetail>;
  decide(
    user: DirectoryUser,
    workflowId: string,
    input: HandInput,
    via: 'inbox' | 'cli',
  ): Promise<HandOutcome>;
}

/** The actions on `pause` this person may take: offered, a role the site gives it, and no skip of one's own run. */
export function actionsFor(user: DirectoryUser, pause: PausedStep): HandAction[] {
  return pause.choices.filter(
    (a) =>
      user.roles.some((r) => pause.roles[a].includes(r)) && !(a === 'skip' && user.id === pause.requestedBy),
  );
}

export function createHandService(deps: {
  site: SiteConfig;
  client: Client;
  runState: RunStateReader;
  signingKey: SigningKey;
  log: Logger;
}): HandService {
  const { site, client, runState, signingKey, log } = deps;
  const engineer = (user: DirectoryUser) => user.roles.some((r) => site.approvals.startRoles.includes(r));

  /** Those who may act on a pause see it; so do the run's requester and the engineers. */
  const mayView = (user: DirectoryUser, s: HandState): boolean =>
    engineer(user) ||
    user.id === s.requestedBy ||
    (s.paused !== null && actionsFor(user, s.paused).length > 0) ||
    s.decided.some((d) => d.decision.user === user.id);

  async function detailFor(user: DirectoryUser, workflowId: string): Promise<HandDetail> {
    const state = await runState.ask(workflowId, handStateQuery);
    if (!mayView(user, state)) throw new RunNotFoundError(workflowId);
    return { state, mayTake: state.paused ? actionsFor(user, state.paused) : [] };
  }

  return {
    async listFor(user) {
      const { runs, unavailable } = await runState.listAnswers(
        runningRunbooks,
        handStateQuery,
        'listing paused runs',
      );
      const items = runs.flatMap(({ info, state }) => {
        const pause = state.paused;
        if (!pause) return [];
        const mayTake = actionsFor(user, pause);
        if (mayTake.length === 0 && !engineer(user)) return [];
        return [{ workflowId: info.workflowId, runbook: state.runbook, pause, mayTake }];
      });
      items.sort((a, b) => a.pause.pausedAt.localeCompare(b.pause.pausedAt));
      return { items, unavailable };
    },

    detailFor,

    async decide(user, workflowId, input, via) {
      const refuse = (reason: HandRefusal, detail: string): HandOutcome => {
        log.warn(
          { user: user.id, workflowId, via, action: input.action, reason, detail },
          'hand decision refused',
        );
        return { ok: false, reason, detail };
      };
      let state: HandState;
      try {
        state = await runState.ask(workflowId, handStateQuery);
      } catch (err) {
        if (err instanceof RunNotFoundError) return refuse('not-found', err.message);
        throw err;
      }
      const pause = state.paused;
      if (input.runId && input.runId !== state.runId)
        return refuse('wrong-run', `run ${input.runId} is no longer the current run`);
      if (!pause) return refuse('not-paused', 'no step of this run is waiting for an operator');
      if (input.pauseId && input.pauseId !== pause.pauseId)
        return refuse(
          'pause-changed',
          `pause ${input.pauseId} is over; ${pause.pauseId} (${pause.step}) waits now`,
        );
      if (!pause.choices.includes(input.action))
        return refuse('not-offered', `step ${pause.step} offers ${pause.choices.join(', ')}`);
      if (input.action === 'skip' && user.id === pause.requestedBy)
        return refuse('self-skip', `${user.id} requested this run and cannot skip its steps`);
      if (!actionsFor(user, pause).includes(input.action))
        return refuse('not-allowed', `${user.id} holds none of ${pause.roles[input.action].join(', ')}`);
      if (input.action !== 'retry' && !hasReason(input.reason))
        return refuse('reason-required', `to ${input.action} a step needs a reason`);
      const claims = {
        v: 1 as const,
        kind: 'hand' as const,
        namespace: site.temporal.namespace,
        workflowId,
        runId: state.runId,
        pauseId: pause.pauseId,
        step: pause.step,
        action: input.action,
        ...(input.reason && { reason: input.reason }),
        user: user.id,
        via,
        issuedAt: new Date().toISOString(),
        nonce: decisionNonce(),
      };
      try {
        const receipt = await runState.withDeadline(`hand decision on ${workflowId}`, () =>
          updateOnceTaskRecovers(() =>
            client.workflow
              .getHandle(workflowId, state.runId)
              .executeUpdate(decideStepUpdate, { args: [signHandDecision(claims, signingKey)] }),
          ),
        );
        log.info(
          {
            user: user.id,
            workflowId,
            runId: state.runId,
            pauseId: pause.pauseId,
            action: input.action,
            via,
          },
          'hand decision',
        );
        return { ok: true, workflowId, receipt };
      } catch (err) {
        const code = handRefusalCode(err);
        if (code) return refuse(code, (err as WorkflowUpdateFailedError).cause?.message ?? String(err));
        if (err instanceof WorkflowNotFoundError) return refuse('not-found', err.message);
        throw err;
      }
    },
  };
}

function handRefusalCode(err: unknown): HandRefusalReason | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== ErrorKind.HandDecisionRefused)
    return undefined;
  const code = cause.details?.[0];
  return (handRefusalReasons as readonly unknown[]).includes(code)
    ? (code as HandRefusalReason)
    : 'malformed';
}
