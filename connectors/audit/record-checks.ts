/**
 * The checks a record must pass beyond the hash chain: its audit signature (so a record written
 * straight into the store, or rewritten and re-hashed, shows), and for a decision, the front
 * door's signed decision it carries — its signature against `approvals.signers` (any claims
 * version `domain/approvals/decision.ts` accepts), the record's fields against the signed claims, and the
 * approved plan digest against the plan record of the same run and gate.
 */
import {
  recordedDecisionSchema,
  verifyDecisionSignature,
  type SignerKey,
} from '../../domain/approvals/decision.ts';
import { signedHandDecisionSchema, verifyHandSignature } from '../../domain/approvals/hand-decision.ts';
import { recordMessage, signatureFailure, type AuditKeyRing } from './audit-keys.ts';
import type { AuditRecord } from './record.ts';
import type { AuditProblem } from './verify.ts';

export interface TrailKeys {
  /** audit.signers: the keys records and heads are signed with. */
  audit: AuditKeyRing;
  /** approvals.signers: the front doors' keys decisions are signed with. */
  decisions: readonly SignerKey[];
}

export interface RecordCheckOptions {
  keys: TrailKeys;
  /** Records up to this seq were written before records were signed (from the signed head). */
  legacyUntil: number;
  /** Whether every plan record precedes the walk (the whole trail), so a missing one is a problem. */
  plansKnown: boolean;
}

interface FailedRun {
  from: number;
  to: number;
  failure: string;
}

export class RecordChecker {
  private readonly problems: AuditProblem[] = [];
  private readonly plans = new Map<string, { seq: number; digest: unknown }>();
  private failed: FailedRun | null = null;
  /** Records accepted without a signature because they predate signing. */
  legacy = 0;

  constructor(private readonly options: RecordCheckOptions) {}

  push(r: AuditRecord): void {
    this.signature(r);
    if (r.kind === 'plan') {
      const p = payloadOf(r);
      this.plans.set(gateKey(r), { seq: r.seq, digest: p?.planDigest });
    } else if (r.kind === 'decision') {
      this.decision(r);
    } else if (r.kind === 'hand-decision') {
      this.handDecision(r);
    }
  }

  finish(): AuditProblem[] {
    this.closeFailedRun();
    return this.problems;
  }

  /** Consecutive records failing the same way are one problem: a re-hashed tail reads as one. */
  private signature(r: AuditRecord): void {
    const check = this.options.keys.audit.check(recordMessage(r.hash), r.key_id, r.signature);
    if (check === 'unsigned' && r.seq <= this.options.legacyUntil) {
      this.legacy++;
      return;
    }
    if (check === 'ok') return this.closeFailedRun();
    const failure = signatureFailure(check, r.key_id);
    if (this.failed && this.failed.failure === failure && this.failed.to === r.seq - 1) {
      this.failed.to = r.seq;
      return;
    }
    this.closeFailedRun();
    this.failed = { from: r.seq, to: r.seq, failure };
  }

  private closeFailedRun(): void {
    const run = this.failed;
    if (!run) return;
    this.failed = null;
    const which = run.from === run.to ? `seq ${run.from}` : `seq ${run.from}–${run.to} (each)`;
    this.problems.push({
      seq: run.from,
      kind: 'signature',
      problem: `${which} ${run.failure}: written without the audit key, or rewritten and re-hashed`,
    });
  }

  private decision(r: AuditRecord): void {
    const problem = (text: string) =>
      this.problems.push({ seq: r.seq, kind: 'decision', problem: `seq ${r.seq}: ${text}` });
    const p = payloadOf(r);
    if (p?.claims === undefined) {
      if (r.seq > this.options.legacyUntil)
        problem('the decision record carries no signed decision to re-check');
      return;
    }
    const parsed = recordedDecisionSchema.safeParse({
      claims: p.claims,
      keyId: p.keyId,
      signature: p.signature,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problem(
        `the decision record does not hold a well-formed signed decision (${issue?.path.join('.')}: ${issue?.message})`,
      );
      return;
    }
    const signed = parsed.data;
    const { claims } = signed;
    const who = `the decision by ${claims.user} on gate ${claims.gateId}`;
    const check = verifyDecisionSignature(signed, this.options.keys.decisions);
    if (check === 'unknown-key')
      problem(`${who} is signed with front-door key "${signed.keyId}", which is not among approvals.signers`);
    else if (check === 'bad-signature')
      problem(
        `${who} has a signature that does not verify with approvals.signers (key "${signed.keyId}"): no front door made it`,
      );
    const differing = differingFields(r, p, claims);
    if (differing.length) problem(`the record's ${differing.join(', ')} differ from the signed decision`);
    const plan = this.plans.get(gateKey(r));
    if (!plan) {
      if (this.options.plansKnown)
        problem(`no plan record of gate ${claims.gateId} in this run precedes ${who}`);
    } else if (plan.digest !== claims.planDigest) {
      problem(
        `${who} approves plan digest ${claims.planDigest}, but the gate's plan (seq ${plan.seq}) has digest ${String(plan.digest)}`,
      );
    }
  }

  /** An operator's decision on a paused step: the front door's signature, and the record saying what it signed. */
  private handDecision(r: AuditRecord): void {
    const problem = (text: string) =>
      this.problems.push({ seq: r.seq, kind: 'decision', problem: `seq ${r.seq}: ${text}` });
    const p = payloadOf(r);
    const parsed = signedHandDecisionSchema.safeParse({
      claims: p?.claims,
      keyId: p?.keyId,
      signature: p?.signature,
    });
    if (!parsed.success) {
      problem('the hand decision record does not hold a well-formed signed hand decision');
      return;
    }
    const { claims } = parsed.data;
    const check = verifyHandSignature(parsed.data, this.options.keys.decisions);
    if (check !== 'ok')
      problem(
        `the hand decision by ${claims.user} on pause ${claims.pauseId} does not verify with approvals.signers (key "${parsed.data.keyId}", ${check}): no front door made it`,
      );
    const pairs: [string, unknown, unknown][] = [
      ['workflow_id', r.workflow_id, claims.workflowId],
      ['run_id', r.run_id, claims.runId],
      ['subject', r.subject, claims.pauseId],
      ['actor', r.actor, claims.user],
      ['payload.action', p?.action, claims.action],
      ['payload.reason', p?.reason, claims.reason],
      ['payload.nonce', p?.nonce, claims.nonce],
    ];
    const differing = pairs.filter(([, recorded, signed]) => recorded !== signed).map(([field]) => field);
    if (differing.length)
      problem(`the record's ${differing.join(', ')} differ from the signed hand decision`);
  }
}

type SignedClaims = NonNullable<ReturnType<typeof recordedDecisionSchema.safeParse>['data']>['claims'];

/** Fields of the record that must say what the signed claims say. */
function differingFields(r: AuditRecord, p: Record<string, unknown>, claims: SignedClaims): string[] {
  const pairs: [string, unknown, unknown][] = [
    ['workflow_id', r.workflow_id, claims.workflowId],
    ['subject', r.subject, claims.gateId],
    ['actor', r.actor, claims.user],
    ['payload.user', p.user, claims.user],
    ['payload.verdict', p.verdict, claims.verdict],
    ['payload.reason', p.reason, claims.reason],
    ['payload.planDigest', p.planDigest, claims.planDigest],
    ['payload.at', p.at, claims.issuedAt],
    ['payload.via', p.via, claims.via],
    ['payload.nonce', p.nonce, claims.nonce],
  ];
  const runId = (claims as { runId?: unknown }).runId;
  if (runId !== undefined) pairs.push(['run_id', r.run_id, runId]);
  return pairs.filter(([, recorded, signed]) => recorded !== signed).map(([field]) => field);
}

/** A gate is named by its subject within one run. */
function gateKey(r: AuditRecord): string {
  return JSON.stringify([r.workflow_id, r.run_id, r.subject]);
}

function payloadOf(r: AuditRecord): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(r.payload);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    // An altered payload that no longer parses is reported by the hash check.
    return undefined;
  }
}
