/**
 * The rules a decision must pass before it may count, as one pure function: the `decide`
 * update's validator calls it, so a refused decision is rejected synchronously and leaves no
 * event in the workflow's history. The checks run cheapest-trust-first: shape, signature, then
 * what the signed claims say about this run, this gate, this plan and this person.
 */
import { signedDecisionSchema, verifyDecisionSignature, type SignedDecision } from './decision.ts';
import type { GatePolicy, PendingApprovalView, RefusalReason } from './gate-types.ts';

export interface DecisionContext {
  namespace: string;
  workflowId: string;
  runId: string;
  requestedBy: string;
  pending: PendingApprovalView | null;
  policy: GatePolicy | null;
  nowMs: number;
  usedNonces: ReadonlySet<string>;
}

export type DecisionCheck =
  | { ok: true; decision: SignedDecision; displayName: string }
  | { ok: false; reason: RefusalReason; message: string };

const refuse = (reason: RefusalReason, message: string): DecisionCheck => ({ ok: false, reason, message });

export function checkDecision(raw: unknown, ctx: DecisionContext): DecisionCheck {
  const parsed = signedDecisionSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('malformed', `decision.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const decision = parsed.data;
  const { claims } = decision;
  const { pending, policy } = ctx;
  if (!pending || !policy) return refuse('no-pending-approval', 'this run is not waiting for an approval');
  if (claims.workflowId !== ctx.workflowId || claims.namespace !== ctx.namespace)
    return refuse(
      'wrong-workflow',
      `the decision is for ${claims.namespace}/${claims.workflowId}, not this run`,
    );
  if (claims.runId !== ctx.runId)
    return refuse('wrong-run', `the decision is for run ${claims.runId}, not this run ${ctx.runId}`);

  const signature = verifyDecisionSignature(decision, policy.signers);
  if (signature === 'unknown-key') return refuse('unknown-key', `no trusted signing key ${decision.keyId}`);
  if (signature === 'bad-signature')
    return refuse('bad-signature', 'the signature does not match the decision');

  if (ctx.usedNonces.has(claims.nonce)) return refuse('replayed', 'this decision has already been used');
  if (claims.gateId !== pending.gateId || claims.step !== pending.step)
    return refuse(
      'wrong-gate',
      `the decision is for approval ${claims.gateId} (${claims.step}); ${pending.gateId} (${pending.step}) is waiting`,
    );
  if (claims.planDigest !== pending.planDigest)
    return refuse(
      'wrong-plan',
      `the decision approves plan ${claims.planDigest.slice(0, 12)}…, not the plan shown`,
    );

  const issuedMs = Date.parse(claims.issuedAt);
  if (ctx.nowMs - issuedMs > policy.maxDecisionAgeMs)
    return refuse('expired-decision', `the decision was signed at ${claims.issuedAt} and has expired`);
  if (issuedMs - ctx.nowMs > policy.maxDecisionAgeMs)
    return refuse('future-decision', `the decision is dated in the future (${claims.issuedAt})`);

  if (claims.user === ctx.requestedBy)
    return refuse('self-approval', `${claims.user} requested this run and cannot decide on it`);
  if (pending.plan.concerns?.includes(claims.user))
    return refuse(
      'concerned-party',
      `the plan changes ${claims.user}'s own access; they cannot decide on it`,
    );
  const approver = policy.approvers.find((a) => a.id === claims.user);
  if (!approver) return refuse('unknown-user', `${claims.user} is not a known approver`);
  if (!approver.roles.some((r) => pending.roles.includes(r)))
    return refuse('wrong-role', `${claims.user} holds none of the roles ${pending.roles.join(', ')}`);
  if (pending.votes.some((v) => v.user === claims.user))
    return refuse('already-voted', `${claims.user} has already decided on this approval`);
  if (claims.verdict === 'reject' && (claims.reason ?? '').trim().length < 2)
    return refuse('reason-required', 'a rejection needs a reason');

  return { ok: true, decision, displayName: approver.displayName };
}
