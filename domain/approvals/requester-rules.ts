/**
 * How a run knows who asked for it, as pure functions over the front door's signatures
 * (signed-claims.ts):
 * - `checkStart`: the start assertion in the run's memo — signed, for this namespace, workflow id,
 *   workflow type, task queue and input, issued shortly before the run started. A worker checks it
 *   at the run's opening (activities/requester.ts), with what Temporal says of the run.
 * - `checkClaim`: a claim of a run started without one (from the Temporal UI, by a schedule, by the
 *   inspection's follow-ups) — the `claimRun` update's validator (workflows/shared/approval-gate.ts) calls it, so a refused claim leaves
 *   no event in the history. The claimant must be a person the directory knows with a role that
 *   may start runbooks; four-eyes then applies to them.
 */
import type { SignerKey } from './decision.ts';
import {
  signedClaimSchema,
  signedStartSchema,
  verifyClaimSignature,
  verifyStartSignature,
  type SignedClaim,
  type SignedStart,
} from './signed-claims.ts';

export interface StartContext {
  namespace: string;
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  /** planDigest of the run's input as started. */
  inputDigest: string;
  /** When Temporal started the run. */
  startedAtMs: number;
  maxAgeMs: number;
  signers: readonly SignerKey[];
}

export type StartCheck = { ok: true; start: SignedStart } | { ok: false; message: string };

export function checkStart(raw: unknown, ctx: StartContext): StartCheck {
  const parsed = signedStartSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `assertion.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}` };
  }
  const start = parsed.data;
  const c = start.claims;
  const signature = verifyStartSignature(start, ctx.signers);
  if (signature !== 'ok') return { ok: false, message: `the assertion's signature: ${signature}` };
  const bound: [string, string, string][] = [
    ['namespace', c.namespace, ctx.namespace],
    ['workflowId', c.workflowId, ctx.workflowId],
    ['workflowType', c.workflowType, ctx.workflowType],
    ['taskQueue', c.taskQueue, ctx.taskQueue],
    ['inputDigest', c.inputDigest, ctx.inputDigest],
  ];
  const other = bound.find(([, signed, actual]) => signed !== actual);
  if (other)
    return { ok: false, message: `the assertion's ${other[0]} is ${other[1]}, the run's ${other[2]}` };
  const issuedMs = Date.parse(c.issuedAt);
  if (Math.abs(ctx.startedAtMs - issuedMs) > ctx.maxAgeMs)
    return { ok: false, message: `the assertion was signed at ${c.issuedAt}, not when the run started` };
  return { ok: true, start };
}

export interface ClaimPolicy {
  signers: SignerKey[];
  users: { id: string; displayName: string; roles: string[] }[];
  startRoles: string[];
  maxAgeMs: number;
}

export interface ClaimContext {
  namespace: string;
  workflowId: string;
  runId: string;
  /** Set while the run waits for a claim; null otherwise. */
  policy: ClaimPolicy | null;
  nowMs: number;
}

export const claimRefusalReasons = [
  'malformed',
  'not-awaiting-claim',
  'wrong-run',
  'unknown-key',
  'bad-signature',
  'expired-claim',
  'future-claim',
  'unknown-user',
  'not-a-starter',
] as const;
export type ClaimRefusalReason = (typeof claimRefusalReasons)[number];

export type ClaimCheck =
  | { ok: true; claim: SignedClaim; displayName: string }
  | { ok: false; reason: ClaimRefusalReason; message: string };

const refuse = (reason: ClaimRefusalReason, message: string): ClaimCheck => ({ ok: false, reason, message });

export function checkClaim(raw: unknown, ctx: ClaimContext): ClaimCheck {
  const parsed = signedClaimSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('malformed', `claim.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const claim = parsed.data;
  const c = claim.claims;
  const { policy } = ctx;
  if (!policy) return refuse('not-awaiting-claim', 'this run is not waiting to be claimed');
  if (c.namespace !== ctx.namespace || c.workflowId !== ctx.workflowId || c.runId !== ctx.runId)
    return refuse('wrong-run', `the claim is for ${c.workflowId} run ${c.runId}, not this run`);
  const signature = verifyClaimSignature(claim, policy.signers);
  if (signature === 'unknown-key') return refuse('unknown-key', `no trusted signing key ${claim.keyId}`);
  if (signature === 'bad-signature') return refuse('bad-signature', 'the signature does not match the claim');
  const issuedMs = Date.parse(c.issuedAt);
  if (ctx.nowMs - issuedMs > policy.maxAgeMs)
    return refuse('expired-claim', `the claim was signed at ${c.issuedAt} and has expired`);
  if (issuedMs - ctx.nowMs > policy.maxAgeMs)
    return refuse('future-claim', `the claim is dated in the future (${c.issuedAt})`);
  const user = policy.users.find((u) => u.id === c.user);
  if (!user) return refuse('unknown-user', `${c.user} is not a known user`);
  if (!user.roles.some((r) => policy.startRoles.includes(r)))
    return refuse('not-a-starter', `${c.user} holds none of the roles ${policy.startRoles.join(', ')}`);
  return { ok: true, claim, displayName: user.displayName };
}
