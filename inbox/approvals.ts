/**
 * What the inbox knows about approvals, for its pages and its JSON API alike: the runs waiting
 * for someone with the user's roles (visibility search, then each run's `approvalState` query),
 * one run's state with what this user may do with it (engineers may also look at a run waiting
 * to be claimed), and a decision — checked against the state the person actually saw, signed
 * with the front door's key, and sent as the `decide` update, whose validator stays the final
 * judge.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { decisionNonce, signDecision, type SigningKey } from '../connectors/approvals/signing-keys.ts';
import type { DirectoryUser } from '../connectors/users/directory.ts';
import type { DecisionClaims } from '../domain/approvals/decision.ts';
import {
  refusalReasons,
  type ApprovalState,
  type Bilingual,
  type DecisionReceipt,
  type PendingApprovalView,
  type RefusalReason,
} from '../domain/approvals/gate-types.ts';
import { ErrorKind } from '../domain/errors.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { decideUpdate } from '../workflows/shared/approval-definitions.ts';
import type { DecisionRefusal } from './i18n.ts';
import { RunNotFoundError, type RunStateReader } from './run-state.ts';
import { updateOnceTaskRecovers } from '../connectors/temporal/update-retry.ts';

/** Why this user cannot decide on a pending approval, though they may look at it. */
export type Blocker = 'own' | 'concerned' | 'voted' | 'role';
const blockerRefusal: Record<Blocker, RefusalReason> = {
  own: 'self-approval',
  concerned: 'concerned-party',
  voted: 'already-voted',
  role: 'wrong-role',
};

export interface ApprovalSummary {
  workflowId: string;
  runbook: string;
  gateId: string;
  step: string;
  title: Bilingual;
  bank?: { code: string; name: string };
  requestedBy: string;
  approvals: number;
  quorum: number;
  expireAt: string;
  escalated: boolean;
  planDigest: string;
  /** Present when the user may look but not decide. */
  blocker?: Blocker;
}

export interface ApprovalDetail {
  state: ApprovalState;
  pending: PendingApprovalView | null;
  blocker?: Blocker;
}

export interface DecisionInput {
  verdict: 'approve' | 'reject';
  reason?: string;
  /** The gate and plan the person saw: a decision never lands on a different one. */
  gateId: string;
  planDigest: string;
}

export type DecisionOutcome =
  { ok: true; receipt: DecisionReceipt } | { ok: false; reason: DecisionRefusal; detail: string };

export interface ApprovalService {
  listFor(user: DirectoryUser): Promise<{ items: ApprovalSummary[]; unavailable: number }>;
  /** Throws RunNotFoundError when the run is unknown or the user may not see it. */
  detailFor(user: DirectoryUser, workflowId: string): Promise<ApprovalDetail>;
  decide(
    user: DirectoryUser,
    workflowId: string,
    input: DecisionInput,
    via: 'inbox' | 'cli',
  ): Promise<DecisionOutcome>;
}

const rolePattern = /^[A-Za-z0-9._:-]{1,64}$/;

export function createApprovalService(deps: {
  site: SiteConfig;
  client: Client;
  runState: RunStateReader;
  signingKey: SigningKey;
  log: Logger;
}): ApprovalService {
  const { site, client, signingKey, log } = deps;
  const { withDeadline, state } = deps.runState;

  /** Every role that may ever decide on a runbook, by the site's policy (for closed runs). */
  const policyRoles = (runbook: string): Set<string> => {
    const a = site.approvals;
    const rb = a.runbooks[runbook];
    const policies = [a.default, rb ?? {}, ...Object.values(rb?.steps ?? {})];
    return new Set(policies.flatMap((p) => [...(p.roles ?? []), ...(p.deputyRoles ?? [])]));
  };

  const blockerOf = (user: DirectoryUser, s: ApprovalState, p: PendingApprovalView): Blocker | undefined => {
    if (user.id === s.requestedBy) return 'own';
    if (p.plan.concerns?.includes(user.id)) return 'concerned';
    if (p.votes.some((v) => v.user === user.id)) return 'voted';
    if (!user.roles.some((r) => p.roles.includes(r))) return 'role';
    return undefined;
  };

  const mayView = (user: DirectoryUser, s: ApprovalState): boolean => {
    if (user.id === s.requestedBy) return true;
    // A run waiting to be claimed is shown to those who may claim it.
    if (s.awaitingClaim && user.roles.some((r) => site.approvals.startRoles.includes(r))) return true;
    const p = s.pending;
    if (p) {
      if (p.votes.some((v) => v.user === user.id)) return true;
      return user.roles.some((r) => p.roles.includes(r) || p.deputyRoles.includes(r));
    }
    if (s.closed.some((c) => c.votes.some((v) => v.user === user.id))) return true;
    const roles = policyRoles(s.runbook);
    return user.roles.some((r) => roles.has(r));
  };

  return {
    async listFor(user) {
      const roles = user.roles.filter((r) => rolePattern.test(r));
      if (roles.length === 0) return { items: [], unavailable: 0 };
      const query =
        `PendingApproval = true AND ExecutionStatus = "Running" AND ApprovalRoles IN (` +
        `${roles.map((r) => `"${r}"`).join(', ')})`;
      const { runs, unavailable } = await deps.runState.listStates(query, 'listing pending approvals');
      const items: ApprovalSummary[] = [];
      for (const { state: s } of runs) {
        const p = s.pending;
        // Visibility lags the workflow a little: trust the query, not the search attributes.
        if (!p || !user.roles.some((role) => p.roles.includes(role))) continue;
        const blocker = blockerOf(user, s, p);
        items.push({
          workflowId: p.workflowId,
          runbook: p.runbook,
          gateId: p.gateId,
          step: p.step,
          title: p.plan.title,
          ...(p.plan.bank && { bank: p.plan.bank }),
          requestedBy: s.requestedBy,
          approvals: p.votes.filter((v) => v.verdict === 'approve').length,
          quorum: p.quorum,
          expireAt: p.expireAt,
          escalated: p.escalated,
          planDigest: p.planDigest,
          ...(blocker && { blocker }),
        });
      }
      items.sort((a, b) => Number(!!a.blocker) - Number(!!b.blocker) || a.expireAt.localeCompare(b.expireAt));
      return { items, unavailable };
    },

    async detailFor(user, workflowId) {
      const s = await state(workflowId);
      if (!mayView(user, s)) throw new RunNotFoundError(workflowId);
      const blocker = s.pending ? blockerOf(user, s, s.pending) : undefined;
      return { state: s, pending: s.pending, ...(blocker && { blocker }) };
    },

    async decide(user, workflowId, input, via) {
      const refuse = (reason: DecisionRefusal, detail: string): DecisionOutcome => {
        log.warn(
          { user: user.id, workflowId, gateId: input.gateId, verdict: input.verdict, via, reason },
          'decision refused',
        );
        return { ok: false, reason, detail };
      };
      const reason = input.reason?.trim() ?? '';
      if (input.verdict === 'reject' && reason.length < 2)
        return refuse('reason-required', 'a rejection needs a reason');

      let s: ApprovalState;
      try {
        s = await state(workflowId);
      } catch (err) {
        if (err instanceof RunNotFoundError) return refuse('not-found', err.message);
        throw err;
      }
      if (!mayView(user, s)) return refuse('not-found', `no approval-gated run ${workflowId}`);
      const p = s.pending;
      if (!p) return refuse('no-pending-approval', 'this run is not waiting for an approval');
      if (p.gateId !== input.gateId || p.planDigest !== input.planDigest) {
        return refuse(
          'plan-changed',
          `approval ${p.gateId} with plan ${p.planDigest.slice(0, 12)} is waiting, not ${input.gateId} with ${input.planDigest.slice(0, 12)}`,
        );
      }
      const blocker = blockerOf(user, s, p);
      if (blocker) return refuse(blockerRefusal[blocker], `${user.id} may not decide (${blocker})`);

      const claims: DecisionClaims = {
        v: 2,
        namespace: site.temporal.namespace,
        workflowId,
        runId: s.runId,
        gateId: p.gateId,
        step: p.step,
        planDigest: p.planDigest,
        verdict: input.verdict,
        ...(reason && { reason }),
        user: user.id,
        via,
        issuedAt: new Date().toISOString(),
        nonce: decisionNonce(),
      };
      const signed = signDecision(claims, signingKey);
      try {
        const receipt = await withDeadline(`decision on ${workflowId}`, () =>
          updateOnceTaskRecovers(() =>
            client.workflow.getHandle(workflowId, s.runId).executeUpdate(decideUpdate, { args: [signed] }),
          ),
        );
        log.info(
          { user: user.id, workflowId, gateId: p.gateId, verdict: input.verdict, via, gate: receipt.gate },
          'decision accepted',
        );
        return { ok: true, receipt };
      } catch (err) {
        const code = refusalCode(err);
        if (code) return refuse(code, (err as WorkflowUpdateFailedError).cause?.message ?? String(err));
        if (err instanceof WorkflowNotFoundError) return refuse('not-found', err.message);
        if (err instanceof WorkflowUpdateFailedError) {
          // The handler itself failed after the validator passed: the gate closed meanwhile.
          return refuse('no-pending-approval', err.cause?.message ?? err.message);
        }
        throw err;
      }
    },
  };
}

function refusalCode(err: unknown): RefusalReason | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== ErrorKind.ApprovalRefused) return undefined;
  const code = cause.details?.[0];
  return (refusalReasons as readonly unknown[]).includes(code) ? (code as RefusalReason) : 'malformed';
}
