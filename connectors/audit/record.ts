/**
 * The audit record: what a runbook appends (an entry), what the trail stores (a record), the
 * hash that chains each record to the one before it, and the signature the appending worker puts
 * on that hash. The rules are written out in `hashRule` and `signatureRule` too, because an
 * evidence bundle must let a reader re-check them without this code.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../domain/canonical-json.ts';
import { mutationRecordSchema } from '../../domain/mutation-record.ts';

export const auditKinds = [
  'run-started',
  'plan',
  'decision',
  'mutation',
  'outcome',
  'escalation',
  'proof-used',
  'run-claimed',
  'lock-refused',
  'bank-request',
  'step-paused',
  'hand-decision',
] as const;
export type AuditKind = (typeof auditKinds)[number];

export const GENESIS_HASH = '0'.repeat(64);

export const hashRule =
  'hash = sha256_hex(prev_hash + canonical_json({seq, recorded_at, workflow_id, run_id, runbook, kind, ' +
  'actor, subject, payload, idempotency_key})); canonical JSON = object keys sorted by code unit, no ' +
  'whitespace; payload is the stored JSON text (a string); the first record has prev_hash = 64 zeros.';

/** What a caller appends; seq, time and hashes are the trail's to assign. */
export interface AuditEntryInput {
  workflowId: string;
  runId?: string;
  runbook: string;
  kind: AuditKind;
  /** The user id behind the step, or 'system'. */
  actor: string;
  /** What the step is about: a channel name, a bank code, an approval gate. */
  subject?: string;
  /** Validated per kind (see `payloadSchemas`), stored as canonical JSON. */
  payload: unknown;
  /** Unique per event: a retried activity passing the same key gets the existing record back. */
  idempotencyKey: string;
}

export const signatureRule =
  'signature = hex(Ed25519 signature by the audit key key_id over the UTF-8 bytes of ' +
  '"jincai-audit-record/v1\\n" + hash); the public keys are the site file\'s audit.signers. Records ' +
  "written before records were signed (seq <= the signed head's legacyUntil) carry none.";

/** A record exactly as stored (column names, payload as its JSON text). */
export interface AuditRecord {
  seq: number;
  recorded_at: string;
  workflow_id: string;
  run_id: string | null;
  runbook: string;
  kind: AuditKind;
  actor: string;
  subject: string | null;
  payload: string;
  idempotency_key: string;
  prev_hash: string;
  hash: string;
  /** The audit key that signed `hash` (null only on records written before records were signed). */
  key_id: string | null;
  signature: string | null;
}

/** A place in the chain: a record's seq and hash (seq 0 and the genesis hash before the first). */
export interface ChainPoint {
  seq: number;
  hash: string;
}

/** What the hash covers. */
export type AuditRecordContent = Omit<AuditRecord, 'prev_hash' | 'hash' | 'key_id' | 'signature'>;

export function recordHash(prevHash: string, content: AuditRecordContent): string {
  const fields: Record<keyof AuditRecordContent, unknown> = {
    seq: content.seq,
    recorded_at: content.recorded_at,
    workflow_id: content.workflow_id,
    run_id: content.run_id,
    runbook: content.runbook,
    kind: content.kind,
    actor: content.actor,
    subject: content.subject,
    payload: content.payload,
    idempotency_key: content.idempotency_key,
  };
  return sha256Hex(prevHash + canonicalJson(fields));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest as 64 lower-case hex digits');
const present = (what: string) =>
  z.unknown().refine((v) => v !== undefined, { message: `required: ${what} (null when there is none)` });

/**
 * The least each kind must say. run-started is closed, so a raw runbook input (which may hold
 * payee data) cannot ride along; a change is the one mutation record, exactly
 * (domain/mutation-record.ts); the others accept extra fields (a vote's display name, a step).
 */
export const payloadSchemas = {
  'run-started': z
    .object({
      requester: z.string().min(1).max(64),
      inputDigest: hex64,
      // How the requester is known (records of runs begun before requesters were verified have none).
      via: z.enum(['start', 'claim', 'unverified']).optional(),
      unverified: z.string().max(1000).optional(),
    })
    .strict(),
  plan: z.looseObject({ planDigest: hex64, plan: present('the plan') }),
  // `claims` with keyId and signature is the front door's signed decision, re-checked by verify
  // (which names a decision without it; a run that decided before the gate recorded claims has none).
  decision: z.looseObject({
    user: z.string().min(1).max(64),
    verdict: z.enum(['approve', 'reject']),
    reason: z.string().max(1000).optional(),
    planDigest: hex64,
    keyId: z.string().min(1).max(64),
    signature: z.string().regex(/^[0-9a-f]{128}$/, 'an Ed25519 signature as 128 lower-case hex digits'),
  }),
  mutation: mutationRecordSchema,
  outcome: z.looseObject({ result: present('the result') }),
  escalation: z.looseObject({}),
  /** The front door's signed claim that made its user the requester of a run started without one. */
  'run-claimed': z.looseObject({
    claimant: z.string().min(1).max(64),
    claims: z.looseObject({ kind: z.literal('claim'), nonce: z.string().min(1) }),
    keyId: z.string().min(1).max(64),
    signature: z.string().regex(/^[0-9a-f]{128}$/, 'an Ed25519 signature as 128 lower-case hex digits'),
  }),
  /** Written by a worker the first time an activity acts on an approval (workers/proof-check.ts). */
  'proof-used': z.looseObject({
    gateId: z.string().min(1),
    planDigest: hex64,
    approvers: z.array(z.string()),
  }),
  /** Written by a worker when a runbook finds its lock id taken by a workflow not of this site's runs (activities/locks.ts). */
  'lock-refused': z.looseObject({
    lockId: z.string().min(1),
    runId: z.string().min(1),
    workflowType: z.string(),
    taskQueue: z.string(),
  }),
  /** A request put to a bank that needs no approval (a report the bank owes, asked for again). */
  'bank-request': z
    .object({
      action: z.string().min(1),
      target: z.string().min(1),
      before: present('the state before'),
      after: present('the state after'),
    })
    .strict(),
  /** A step that failed past its retry profile, or found a state it did not expect, waits for an operator. */
  'step-paused': z.looseObject({
    step: z.string().min(1),
    trouble: z.looseObject({
      cause: z.enum(['failed', 'unexpected']),
      type: z.string(),
      message: z.string(),
    }),
    choices: z.array(z.enum(['retry', 'skip', 'abort'])).min(1),
  }),
  /** The front door's signed hand decision on a paused step, whole, re-checked by verify. */
  'hand-decision': z.looseObject({
    action: z.enum(['retry', 'skip', 'abort']),
    claims: z.looseObject({ kind: z.literal('hand'), nonce: z.string().min(1) }),
    keyId: z.string().min(1).max(64),
    signature: z.string().regex(/^[0-9a-f]{128}$/, 'an Ed25519 signature as 128 lower-case hex digits'),
  }),
} satisfies Record<AuditKind, z.ZodType>;

// Lengths fit Oracle VARCHAR2 in characters; Oracle stores '' as NULL, so optional text is null, never ''.
const entrySchema = z
  .object({
    workflowId: z.string().min(1).max(255),
    runId: z.string().min(1).max(64).optional(),
    runbook: z.string().min(1).max(64),
    kind: z.enum(auditKinds),
    actor: z.string().min(1).max(64),
    subject: z.string().max(200).optional(),
    payload: z.unknown(),
    idempotencyKey: z.string().min(1).max(400),
  })
  .strict();

export class AuditEntryError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid audit entry: ${problems.join('; ')}`);
    this.name = 'AuditEntryError';
  }
}

/** The entry in stored form (payload as canonical JSON text), or AuditEntryError naming each field. */
export function normalizeEntry(entry: AuditEntryInput): Omit<AuditRecordContent, 'seq' | 'recorded_at'> {
  const parsed = entrySchema.safeParse(entry);
  if (!parsed.success) throw new AuditEntryError(issues(parsed.error, 'entry'));
  const e = parsed.data;
  const payload = payloadSchemas[e.kind].safeParse(e.payload);
  if (!payload.success) throw new AuditEntryError(issues(payload.error, 'entry.payload'));
  let text: string;
  try {
    text = canonicalJson(e.payload);
  } catch (err) {
    throw new AuditEntryError([`entry.payload: not representable as JSON (${(err as Error).message})`]);
  }
  if (e.kind === 'plan') {
    const { planDigest, plan } = e.payload as { planDigest: string; plan: unknown };
    if (sha256Hex(canonicalJson(plan)) !== planDigest)
      throw new AuditEntryError([
        'entry.payload.planDigest: is not the SHA-256 of the plan’s canonical JSON',
      ]);
  }
  return {
    workflow_id: e.workflowId,
    run_id: e.runId || null,
    runbook: e.runbook,
    kind: e.kind,
    actor: e.actor,
    subject: e.subject || null,
    payload: text,
    idempotency_key: e.idempotencyKey,
  };
}

function issues(error: z.ZodError, root: string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`),
      root,
    );
    return `${path}: ${issue.message}`;
  });
}
