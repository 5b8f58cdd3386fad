/**
 * The approval proof: what a workflow hands every activity that changes production or money, and
 * what that activity checks before it touches anything (the worker's guard, workers/activity-guard.ts,
 * runs `verifyProof`). It carries the approved run, the gate, the full plan, the front door's signed
 * decisions that approved it and the requester — so the check needs nothing the workflow says
 * about itself: signatures against the configured keys, the quorum by the site's current policy
 * and user directory, four-eyes, the age of the approval at the moment of the change, and the
 * action the activity is about to perform against the plan's list.
 *
 * What it cannot see — which run scheduled the activity, whether a nonce was used by another run —
 * the guard asks Temporal and the nonce ledger, and passes in as `ProofContext`.
 * Pure code (no Node built-ins): workflows build proofs with it, workers check them with it.
 */
import { z } from 'zod';
import {
  planDigest,
  signedDecisionSchema,
  verifyDecisionSignature,
  type SignedDecision,
  type SignerKey,
} from './decision.ts';
import type { ApprovalPlan, PlanAction } from './gate-types.ts';
import {
  signedClaimSchema,
  signedStartSchema,
  verifyClaimSignature,
  verifyStartSignature,
  type SignedClaim,
  type SignedStart,
} from './signed-claims.ts';

export interface RunRef {
  namespace: string;
  workflowId: string;
  runId: string;
}

/** Who asked for the run, with the front door's signed word for it when there is one. */
export type ProofRequester =
  | { user: string; via: 'start'; evidence: SignedStart }
  | { user: string; via: 'claim'; evidence: SignedClaim }
  | { user: string; via: 'unverified' };

export interface ApprovalProof {
  v: 1;
  run: RunRef;
  runbook: string;
  gateId: string;
  step: string;
  plan: ApprovalPlan;
  /** The approving decisions, as the front door signed them. */
  decisions: SignedDecision[];
  requester: ProofRequester;
}

/**
 * What an activity is about to do: one of the plan's actions verbatim, or items of one of the
 * plan's lists (vouchers). A list is bound by its digest: the digest of its parts' digests, each
 * part the digest of its items, so an activity shows the part it works on and where it sits.
 */
export type ProofAction =
  | { kind: PlanAction['kind']; target: string; command: string }
  | {
      kind: PlanAction['kind'];
      target: string;
      command: string;
      list: string;
      items: string[];
      membership: ListMembership;
    };

export interface ListMembership {
  /** planDigest of each part's items, in order: planDigest(parts) is the list's digest. */
  parts: string[];
  index: number;
  /** The items of part `index`. */
  part: string[];
}

/** The digest a plan carries for a list made of parts (batches). */
export function listDigest(parts: readonly string[]): string {
  return planDigest(parts);
}

export interface ProofContext {
  /** The run that scheduled the activity, as Temporal describes it. */
  caller: RunRef & { parent?: { workflowId: string; runId: string }; originalRunId: string };
  /** The approved run's original run id (a reset keeps it), as Temporal describes that run. */
  approvedOriginalRunId: string;
  signers: readonly SignerKey[];
  /** The site's current policy for the proof's runbook and step. */
  policy: { roles: readonly string[]; deputyRoles: readonly string[]; quorum: number };
  /** The site's current user directory. */
  users: readonly { id: string; roles: readonly string[] }[];
  /** Roles that may start (and so claim) runbooks. */
  startRoles: readonly string[];
  nowMs: number;
  /** How old the quorum-completing decision may be at the moment of the change. */
  maxAgeMs: number;
  actions: readonly ProofAction[];
}

export const proofRefusalReasons = [
  'malformed',
  'wrong-run',
  'not-bound',
  'unknown-key',
  'bad-signature',
  'wrong-plan',
  'rejected',
  'unknown-user',
  'wrong-role',
  'no-quorum',
  'self-approval',
  'concerned-party',
  'requester-unverified',
  'stale',
  'not-in-plan',
  'reused',
  'lock-not-held',
] as const;
export type ProofRefusalReason = (typeof proofRefusalReasons)[number];

export type ProofCheck =
  | { ok: true; approvers: string[]; quorumAt: string }
  | { ok: false; reason: ProofRefusalReason; message: string };

const refuse = (reason: ProofRefusalReason, message: string): ProofCheck => ({ ok: false, reason, message });

const runRefSchema = z
  .object({
    namespace: z.string().min(1).max(255),
    workflowId: z.string().min(1).max(255),
    runId: z.string().min(1).max(64),
  })
  .strict();

const userId = z.string().min(1).max(64);

export const approvalProofSchema = z
  .object({
    v: z.literal(1),
    run: runRefSchema,
    runbook: z.string().min(1).max(64),
    gateId: z.string().min(1).max(100),
    step: z.string().min(1).max(100),
    plan: z.looseObject({ actions: z.array(z.looseObject({})) }),
    decisions: z.array(signedDecisionSchema).min(1).max(9),
    requester: z.discriminatedUnion('via', [
      z.object({ user: userId, via: z.literal('start'), evidence: signedStartSchema }).strict(),
      z.object({ user: userId, via: z.literal('claim'), evidence: signedClaimSchema }).strict(),
      z.object({ user: userId, via: z.literal('unverified') }).strict(),
    ]),
  })
  .strict();

/** The proof's shape, or why it is not one. */
export function parseProof(
  raw: unknown,
): { ok: true; proof: ApprovalProof } | { ok: false; reason: 'malformed'; message: string } {
  const parsed = approvalProofSchema.safeParse(raw);
  if (parsed.success) {
    // The schema checks the plan's shape only as far as this module reads it; the digest binds the rest.
    return { ok: true, proof: parsed.data as unknown as ApprovalProof };
  }
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    reason: 'malformed',
    message: `proof.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
  };
}

/** Every check of the proof that needs no I/O, cheapest-trust-first; see the module header. */
export function verifyProof(raw: unknown, ctx: ProofContext): ProofCheck {
  const parsed = parseProof(raw);
  if (!parsed.ok) return parsed;
  const { proof } = parsed;
  const { run } = proof;
  const { caller } = ctx;

  const isRun = (r: { workflowId: string; runId: string } | undefined) =>
    r?.workflowId === run.workflowId && r.runId === run.runId;
  if (caller.namespace !== run.namespace || !(isRun(caller) || isRun(caller.parent)))
    return refuse(
      'wrong-run',
      `approved for ${run.workflowId} run ${run.runId}; scheduled by ${caller.workflowId} run ${caller.runId}`,
    );

  if (proof.runbook !== proof.plan.runbook)
    return refuse('not-bound', `the proof names runbook ${proof.runbook}, its plan ${proof.plan.runbook}`);
  for (const d of proof.decisions) {
    const c = d.claims;
    if (
      c.namespace !== run.namespace ||
      c.workflowId !== run.workflowId ||
      c.runId !== run.runId ||
      c.gateId !== proof.gateId ||
      c.step !== proof.step
    )
      return refuse('not-bound', `decision ${c.nonce} is for ${c.workflowId} ${c.gateId}, not this approval`);
    const signature = verifyDecisionSignature(d, ctx.signers);
    if (signature !== 'ok')
      return refuse(
        signature,
        `decision ${c.nonce}: ${signature === 'unknown-key' ? `no trusted key ${d.keyId}` : 'the signature does not match'}`,
      );
  }

  const digest = planDigest(proof.plan);
  if (proof.decisions.some((d) => d.claims.planDigest !== digest))
    return refuse(
      'wrong-plan',
      `the decisions approve another plan than the one carried (${digest.slice(0, 12)}…)`,
    );
  const rejection = proof.decisions.find((d) => d.claims.verdict !== 'approve');
  if (rejection) return refuse('rejected', `${rejection.claims.user} rejected this plan`);

  const allowed = new Set([...ctx.policy.roles, ...ctx.policy.deputyRoles]);
  const approvers = new Map<string, SignedDecision>();
  for (const d of proof.decisions) {
    const user = ctx.users.find((u) => u.id === d.claims.user);
    if (!user) return refuse('unknown-user', `${d.claims.user} is not in the user directory`);
    if (!user.roles.some((r) => allowed.has(r)))
      return refuse('wrong-role', `${d.claims.user} holds none of the roles ${[...allowed].join(', ')}`);
    if (!approvers.has(d.claims.user)) approvers.set(d.claims.user, d);
  }
  if (approvers.size < ctx.policy.quorum)
    return refuse(
      'no-quorum',
      `${approvers.size} distinct approvers; the policy asks for ${ctx.policy.quorum}`,
    );

  const requester = checkRequester(proof, ctx);
  if (requester) return requester;
  if (approvers.has(proof.requester.user))
    return refuse('self-approval', `${proof.requester.user} requested this run and approved it`);
  const concerned = proof.plan.concerns?.find((user) => approvers.has(user));
  if (concerned !== undefined)
    return refuse('concerned-party', `${concerned} approved a plan that changes their own access`);

  const times = [...approvers.values()].map((d) => d.claims.issuedAt).sort();
  const quorumAt = times[ctx.policy.quorum - 1] as string;
  if (ctx.nowMs - Date.parse(quorumAt) > ctx.maxAgeMs)
    return refuse(
      'stale',
      `the approval completed at ${quorumAt} is older than ${Math.round(ctx.maxAgeMs / 1000)} s; plan and ask again`,
    );

  for (const action of ctx.actions) {
    const missing = notInPlan(proof.plan, action);
    if (missing) return refuse('not-in-plan', missing);
  }
  return { ok: true, approvers: [...approvers.keys()], quorumAt };
}

/** The requester's evidence, checked as strictly as the approvals: signed, for this run, by a starter. */
function checkRequester(proof: ApprovalProof, ctx: ProofContext): ProofCheck | undefined {
  const r = proof.requester;
  // Only runs begun before requesters were verified have none; their proofs no longer hold.
  if (r.via === 'unverified')
    return refuse('requester-unverified', `requester ${r.user}: nobody signed for this run; claim it first`);
  const check =
    r.via === 'start'
      ? verifyStartSignature(r.evidence, ctx.signers)
      : verifyClaimSignature(r.evidence, ctx.signers);
  const c = r.evidence.claims;
  const unverified = (why: string) => refuse('requester-unverified', `requester ${r.user}: ${why}`);
  if (check !== 'ok')
    return unverified(
      `the ${r.via} evidence ${check === 'unknown-key' ? 'names an unknown key' : 'is not signed by the front door'}`,
    );
  if (c.user !== r.user) return unverified(`the evidence names ${c.user}`);
  if (c.namespace !== proof.run.namespace || c.workflowId !== proof.run.workflowId)
    return unverified(`the evidence is for ${c.workflowId}`);
  if (c.kind === 'claim' && c.runId !== proof.run.runId && c.runId !== ctx.approvedOriginalRunId)
    return unverified(`the claim is for run ${c.runId}`);
  const user = ctx.users.find((u) => u.id === c.user);
  if (!user?.roles.some((role) => ctx.startRoles.includes(role)))
    return unverified(`${c.user} holds none of the roles that may start runbooks`);
  return undefined;
}

/** Why `action` is not covered by the plan, or undefined when it is. */
function notInPlan(plan: ApprovalPlan, action: ProofAction): string | undefined {
  const listName = 'list' in action ? action.list : undefined;
  const found = plan.actions.some(
    (a) =>
      a.kind === action.kind &&
      a.target === action.target &&
      a.command === action.command &&
      a.list === listName,
  );
  if (!found) return `${action.kind} on ${action.target} is not in the plan: ${action.command}`;
  if (!('list' in action)) return undefined;
  const listed = plan.lists?.find((l) => l.name === action.list);
  if (!listed) return `the plan has no list ${action.list}`;
  const m = action.membership;
  if (listDigest(m.parts) !== listed.digest)
    return `the parts shown are not the approved list ${action.list}`;
  if (m.parts[m.index] !== planDigest(m.part))
    return `part ${m.index} is not part of the approved list ${action.list}`;
  const inPart = new Set(m.part);
  const stray = action.items.find((item) => !inPart.has(item));
  return stray === undefined ? undefined : `${stray} is not in the approved list ${action.list}`;
}
