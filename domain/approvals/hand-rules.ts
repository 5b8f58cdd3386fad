/**
 * The rules a hand decision (hand-decision.ts) must pass before the paused run acts on it, as one
 * pure function: the `decideStep` update's validator calls it, so a refused decision is rejected
 * synchronously and leaves no event in the run's history. Cheapest trust first: shape, the run,
 * the signature, then what the signed claims say about this pause and this person — a skip needs
 * a reason, a role the site allows and someone other than the run's requester; an abort needs a
 * reason.
 */
import {
  signedHandDecisionSchema,
  verifyHandSignature,
  type HandPolicy,
  type HandRefusalReason,
  type PausedStep,
  type SignedHandDecision,
} from './hand-decision.ts';

export interface HandContext {
  namespace: string;
  workflowId: string;
  runId: string;
  requestedBy: string;
  paused: PausedStep | null;
  policy: HandPolicy | null;
  nowMs: number;
  usedNonces: ReadonlySet<string>;
}

export type HandCheck =
  { ok: true; decision: SignedHandDecision } | { ok: false; reason: HandRefusalReason; message: string };

const refuse = (reason: HandRefusalReason, message: string): HandCheck => ({ ok: false, reason, message });

/** A reason worth the name: at least two characters besides spaces. */
export const hasReason = (reason: string | undefined): boolean => (reason ?? '').trim().length >= 2;

export function checkHandDecision(raw: unknown, ctx: HandContext): HandCheck {
  const parsed = signedHandDecisionSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('malformed', `decision.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const decision = parsed.data;
  const c = decision.claims;
  const { paused, policy } = ctx;
  if (!paused || !policy) return refuse('not-paused', 'no step of this run is waiting for an operator');
  if (c.namespace !== ctx.namespace || c.workflowId !== ctx.workflowId || c.runId !== ctx.runId)
    return refuse('wrong-run', `the decision is for ${c.workflowId} run ${c.runId}, not this run`);

  const signature = verifyHandSignature(decision, policy.signers);
  if (signature === 'unknown-key') return refuse('unknown-key', `no trusted signing key ${decision.keyId}`);
  if (signature === 'bad-signature')
    return refuse('bad-signature', 'the signature does not match the decision');

  if (ctx.usedNonces.has(c.nonce)) return refuse('replayed', 'this decision has already been used');
  if (c.pauseId !== paused.pauseId || c.step !== paused.step)
    return refuse(
      'wrong-pause',
      `the decision is for pause ${c.pauseId} (${c.step}); ${paused.pauseId} (${paused.step}) is waiting`,
    );
  const issuedMs = Date.parse(c.issuedAt);
  if (ctx.nowMs - issuedMs > policy.maxDecisionAgeMs)
    return refuse('expired-decision', `the decision was signed at ${c.issuedAt} and has expired`);
  if (issuedMs - ctx.nowMs > policy.maxDecisionAgeMs)
    return refuse('future-decision', `the decision is dated in the future (${c.issuedAt})`);

  const user = policy.users.find((u) => u.id === c.user);
  if (!user) return refuse('unknown-user', `${c.user} is not a known user`);
  if (!paused.choices.includes(c.action))
    return refuse(
      'not-offered',
      `step ${paused.step} cannot be ${c.action === 'skip' ? 'skipped' : c.action}`,
    );
  if (c.action === 'skip' && c.user === ctx.requestedBy)
    return refuse('self-skip', `${c.user} requested this run and cannot skip its steps`);
  const roles = paused.roles[c.action];
  if (!user.roles.some((r) => roles.includes(r)))
    return refuse(
      'not-allowed',
      `${c.user} holds none of the roles that may ${c.action}: ${roles.join(', ')}`,
    );
  if (c.action !== 'retry' && !hasReason(c.reason))
    return refuse('reason-required', `to ${c.action} a step needs a reason`);
  return { ok: true, decision };
}
