/**
 * Checking an approval proof where the change happens: the pure checks of `verifyProof` fed with
 * what only the worker can know — the calling run and the approved run as Temporal describes
 * them, the site's current policy, keys and user directory, the clock — then whether the approved
 * run still holds its resource locks (lock-check.ts), the nonce ledger (a decision, start or claim
 * nonce used by another run is refused) and, on every use, the proof's `proof-used` record in the
 * audit trail (one per approval: its idempotency key).
 */
import { stepPolicy } from '../activities/approvals.ts';
import type { NonceLedger } from '../connectors/approvals/nonce-ledger.ts';
import type { AuditWriter } from '../connectors/audit/store.ts';
import type { RunFacts, RunFactsReader } from '../connectors/temporal/run-facts.ts';
import type { UserDirectory } from '../connectors/users/directory.ts';
import { planDigest, type SignerKey } from '../domain/approvals/decision.ts';
import {
  parseProof,
  verifyProof,
  type ProofAction,
  type ProofCheck,
  type RunRef,
} from '../domain/approvals/proof.ts';
import { durationMs } from '../domain/durations.ts';
import type { SiteConfig } from '../temporal.config.ts';
import type { LockCheck } from './lock-check.ts';

export interface ProofCheckDeps {
  site: SiteConfig;
  signers: SignerKey[];
  users: UserDirectory;
  ledger: NonceLedger;
  audit: AuditWriter;
  runs: RunFactsReader;
  locks: LockCheck;
  /** Whether a run of this type on this task queue is one of the project's. */
  isProjectRun(facts: RunFacts): boolean;
  now?: () => Date;
}

export type ProofChecker = (
  caller: RunRef & { facts: RunFacts },
  proof: unknown,
  actions: ProofAction[],
  activity: string,
) => Promise<ProofCheck>;

export function createProofChecker(deps: ProofCheckDeps): ProofChecker {
  const { site, ledger, runs } = deps;
  const now = deps.now ?? (() => new Date());
  const maxAgeMs = durationMs(site.approvals.proofMaxAge);
  const refuse = (reason: Extract<ProofCheck, { ok: false }>['reason'], message: string): ProofCheck => ({
    ok: false,
    reason,
    message,
  });

  return async (caller, raw, actions, activity) => {
    const parsed = parseProof(raw);
    if (!parsed.ok) return parsed;
    const { proof } = parsed;
    const sameRun = proof.run.workflowId === caller.workflowId && proof.run.runId === caller.runId;
    const approved = sameRun ? caller.facts : await runs.facts(proof.run);
    if (!approved || !deps.isProjectRun(approved))
      return refuse(
        'wrong-run',
        `${proof.run.workflowId} run ${proof.run.runId} is not a run of this project`,
      );
    const policy = stepPolicy(site, proof.plan.runbook, proof.step);
    const check = verifyProof(proof, {
      caller: {
        ...caller,
        ...(caller.facts.parent && { parent: caller.facts.parent }),
        originalRunId: caller.facts.originalRunId,
      },
      approvedOriginalRunId: approved.originalRunId,
      signers: deps.signers,
      policy,
      users: await deps.users.list(),
      startRoles: site.approvals.startRoles,
      nowMs: now().getTime(),
      maxAgeMs,
      actions,
    });
    if (!check.ok) return check;
    const unheld = await deps.locks(proof.run);
    if (unheld) return refuse('lock-not-held', unheld);

    const evidence =
      proof.requester.via === 'unverified'
        ? []
        : [{ nonce: proof.requester.evidence.claims.nonce, kind: proof.requester.via }];
    const decisions = await ledger.bind(
      proof.run,
      proof.decisions.map((d) => ({ nonce: d.claims.nonce, kind: 'decision' as const })),
    );
    const requester =
      decisions.reused ?? (await ledger.bind(proof.run, evidence, [approved.originalRunId])).reused;
    if (requester)
      return refuse(
        'reused',
        `nonce ${requester.nonce} was first used by ${requester.boundTo.workflowId} run ${requester.boundTo.runId}`,
      );

    await deps.audit.append({
      workflowId: proof.run.workflowId,
      runId: proof.run.runId,
      runbook: proof.plan.runbook,
      kind: 'proof-used',
      actor: 'system',
      subject: proof.gateId,
      payload: {
        gateId: proof.gateId,
        step: proof.step,
        planDigest: planDigest(proof.plan),
        approvers: check.approvers,
        quorumAt: check.quorumAt,
        requester: { user: proof.requester.user, via: proof.requester.via },
        nonces: proof.decisions.map((d) => d.claims.nonce),
        firstActivity: activity,
      },
      idempotencyKey: `${proof.run.workflowId}/${proof.run.runId}/proof-used/${proof.gateId}`,
    });
    return check;
  };
}
