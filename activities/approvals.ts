/**
 * Approval activities (runbooks queue): the policy in force for one gate — roles, quorum,
 * deadlines, the front doors' public keys and the approvers the directory knows — read when
 * the gate opens, and the policy for a run's paused steps (who may retry, skip or abort), read
 * when the first one pauses, so the decision rules run inside the workflow on recorded facts.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { UserDirectory } from '../connectors/users/directory.ts';
import type { SignerKey } from '../domain/approvals/decision.ts';
import type { GatePolicy } from '../domain/approvals/gate-types.ts';
import type { HandPolicy } from '../domain/approvals/hand-decision.ts';
import { durationMs } from '../domain/durations.ts';
import { ErrorKind } from '../domain/errors.ts';
import type { SiteConfig } from '../temporal.config.ts';

/** The site's policy for one runbook's step: the step's own, else the runbook's, else the default. */
export function stepPolicy(site: SiteConfig, runbook: string, step: string) {
  const approvals = site.approvals;
  const forRunbook = approvals.runbooks[runbook];
  const merged = { ...approvals.default, ...forRunbook, ...forRunbook?.steps[step] };
  return {
    roles: merged.roles,
    quorum: merged.quorum,
    deputyRoles: merged.deputyRoles,
    remindAfterMs: durationMs(merged.remindAfter),
    escalateAfterMs: durationMs(merged.escalateAfter),
    expireAfterMs: durationMs(merged.expireAfter),
  };
}

/**
 * Who may take each action on a paused step of `runbook`: the runbook's own hand roles, else the
 * site's; retry and abort default to the engineers, skip to those who approve the runbook's plans.
 */
export function handRoles(site: SiteConfig, runbook: string): HandPolicy['roles'] {
  const { hand, startRoles } = site.approvals;
  const own = { ...hand, ...hand.runbooks[runbook] };
  const approving = { ...site.approvals.default, ...site.approvals.runbooks[runbook] };
  return {
    retry: own.retryRoles ?? startRoles,
    skip: own.skipRoles ?? [...new Set([...approving.roles, ...approving.deputyRoles])],
    abort: own.abortRoles ?? startRoles,
  };
}

export function createApprovalActivities(deps: {
  site: SiteConfig;
  users: UserDirectory;
  signers: SignerKey[];
}) {
  const { site, users, signers } = deps;
  return {
    async loadApprovalPolicy({ runbook, step }: { runbook: string; step: string }): Promise<GatePolicy> {
      const approvals = site.approvals;
      const policy = stepPolicy(site, runbook, step);
      if (!(
        policy.remindAfterMs <= policy.escalateAfterMs && policy.escalateAfterMs < policy.expireAfterMs
      )) {
        throw ApplicationFailure.create({
          type: ErrorKind.ConfigurationError,
          nonRetryable: true,
          message: `approvals policy for ${runbook}/${step}: expected remindAfter ≤ escalateAfter < expireAfter`,
        });
      }
      // Everyone the directory knows (no secrets): "unknown user" and "wrong role" stay distinct.
      const approvers = await users.list();
      return {
        ...policy,
        maxDecisionAgeMs: approvals.maxDecisionAgeSeconds * 1000,
        proofMaxAgeMs: durationMs(approvals.proofMaxAge),
        startRoles: approvals.startRoles,
        signers,
        approvers,
        inboxUrl: site.inbox.publicUrl.replace(/\/$/, ''),
      };
    },

    async loadHandPolicy({ runbook }: { runbook: string }): Promise<HandPolicy> {
      const approvals = site.approvals;
      return {
        roles: handRoles(site, runbook),
        fanOutFailedShare: approvals.hand.fanOutFailedShare,
        maxDecisionAgeMs: approvals.maxDecisionAgeSeconds * 1000,
        signers,
        users: await users.list(),
        inboxUrl: site.inbox.publicUrl.replace(/\/$/, ''),
      };
    },
  };
}
