/**
 * Claiming a run that nobody signed for at its start (the Temporal UI's Start Workflow, a
 * schedule, the inspection's follow-ups), for the inbox's pages and its JSON API alike: the runs
 * waiting to be claimed (one visibility query: the gate tags a run `AwaitingClaim` while it waits,
 * and `Runbook`, `RequestedBy` and `BankCode` say the rest), and a claim — only by someone holding a role of `approvals.startRoles`,
 * checked against the run as it stands, signed with the front door's key for its current run id,
 * and sent as the `claimRun` update, whose validator stays the final judge. The claimant becomes
 * the run's requester: four-eyes then keeps them from approving it.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { signClaim } from '../connectors/approvals/run-signing.ts';
import { updateOnceTaskRecovers } from '../connectors/temporal/update-retry.ts';
import { decisionNonce, type SigningKey } from '../connectors/approvals/signing-keys.ts';
import type { DirectoryUser } from '../connectors/users/directory.ts';
import type { ApprovalState, Requester } from '../domain/approvals/gate-types.ts';
import { claimRefusalReasons, type ClaimRefusalReason } from '../domain/approvals/requester-rules.ts';
import type { ClaimClaims } from '../domain/approvals/signed-claims.ts';
import { ErrorKind } from '../domain/errors.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { claimRunUpdate } from '../workflows/shared/approval-definitions.ts';
import { RunNotFoundError, type RunStateReader } from './run-state.ts';

const awaitingClaim = 'ExecutionStatus = "Running" AND AwaitingClaim = true';

/** Refusals the inbox decides itself, before anything is signed. */
export type InboxClaimRefusal = 'not-found' | 'not-allowed' | 'already-claimed';
export type ClaimRefusal = ClaimRefusalReason | InboxClaimRefusal;

export interface ClaimSummary {
  workflowId: string;
  runbook: string;
  /** The input's `requestedBy`: a name nobody has signed for. */
  namedRequester: string;
  bankCodes: string[];
  startedAt: string;
}

export type ClaimOutcome =
  | { ok: true; workflowId: string; requester: Requester }
  | { ok: false; reason: ClaimRefusal; detail: string };

export interface ClaimService {
  /** Whether the user holds a role that may start runbooks, and so claim a run. */
  mayClaim(user: DirectoryUser): boolean;
  listFor(user: DirectoryUser): Promise<ClaimSummary[]>;
  claim(
    user: DirectoryUser,
    workflowId: string,
    input: ClaimInput,
    via: 'inbox' | 'cli',
  ): Promise<ClaimOutcome>;
}

export interface ClaimInput {
  /** Why this person takes the run over. */
  reason?: string;
  /** The run the person saw: a claim never lands on a run reset or started again since. */
  runId?: string;
}

export function createClaimService(deps: {
  site: SiteConfig;
  client: Client;
  runState: RunStateReader;
  signingKey: SigningKey;
  log: Logger;
}): ClaimService {
  const { site, client, runState, signingKey, log } = deps;
  const mayClaim = (user: DirectoryUser) => user.roles.some((r) => site.approvals.startRoles.includes(r));

  /** Why a run that does not wait for a claim cannot be claimed. */
  const notAwaiting = (s: ApprovalState): { reason: ClaimRefusal; detail: string } =>
    s.requester.via === 'claim'
      ? { reason: 'already-claimed', detail: `${s.requester.user} has claimed this run` }
      : {
          reason: 'not-awaiting-claim',
          detail:
            s.requester.via === 'start'
              ? `${s.requester.user} started this run through the front door`
              : 'this run is not waiting to be claimed (yet)',
        };

  return {
    mayClaim,

    async listFor(user) {
      if (!mayClaim(user)) return [];
      const runs = await runState.list(awaitingClaim, 'listing runs waiting to be claimed');
      return runs
        .map((info) => ({
          workflowId: info.workflowId,
          runbook: String(info.searchAttributes?.Runbook?.[0] ?? ''),
          namedRequester: String(info.searchAttributes?.RequestedBy?.[0] ?? ''),
          bankCodes: (info.searchAttributes?.BankCode ?? []).map(String),
          startedAt: info.startTime.toISOString(),
        }))
        .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    },

    async claim(user, workflowId, { reason, runId }, via) {
      const refuse = (why: ClaimRefusal, detail: string): ClaimOutcome => {
        log.warn({ user: user.id, workflowId, via, reason: why, detail }, 'claim refused');
        return { ok: false, reason: why, detail };
      };
      if (!mayClaim(user))
        return refuse('not-allowed', `${user.id} holds none of ${site.approvals.startRoles.join(', ')}`);
      let s: ApprovalState;
      try {
        s = await runState.state(workflowId);
      } catch (err) {
        if (err instanceof RunNotFoundError) return refuse('not-found', err.message);
        throw err;
      }
      if (runId && runId !== s.runId) return refuse('wrong-run', `run ${runId} is no longer the current run`);
      if (!s.awaitingClaim) {
        const why = notAwaiting(s);
        return refuse(why.reason, why.detail);
      }
      const claims: ClaimClaims = {
        v: 1,
        kind: 'claim',
        namespace: site.temporal.namespace,
        workflowId,
        runId: s.runId,
        user: user.id,
        via,
        ...(reason && { reason }),
        issuedAt: new Date().toISOString(),
        nonce: decisionNonce(),
      };
      try {
        const receipt = await runState.withDeadline(`claim of ${workflowId}`, () =>
          updateOnceTaskRecovers(() =>
            client.workflow
              .getHandle(workflowId, s.runId)
              .executeUpdate(claimRunUpdate, { args: [signClaim(claims, signingKey)] }),
          ),
        );
        log.info({ user: user.id, workflowId, runId: s.runId, via }, 'run claimed');
        return { ok: true, workflowId, requester: receipt.requester };
      } catch (err) {
        const code = claimRefusalCode(err);
        if (code === 'not-awaiting-claim') {
          // Someone else's claim got there first, or the run stopped waiting meanwhile.
          const now = await runState.state(workflowId).catch(() => undefined);
          const why = now ? notAwaiting(now) : { reason: code, detail: 'the run no longer waits' };
          return refuse(why.reason, why.detail);
        }
        if (code) return refuse(code, (err as WorkflowUpdateFailedError).cause?.message ?? String(err));
        if (err instanceof WorkflowNotFoundError) return refuse('not-found', err.message);
        throw err;
      }
    },
  };
}

function claimRefusalCode(err: unknown): ClaimRefusalReason | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== ErrorKind.ClaimRefused) return undefined;
  const code = cause.details?.[0];
  return (claimRefusalReasons as readonly unknown[]).includes(code)
    ? (code as ClaimRefusalReason)
    : 'malformed';
}
