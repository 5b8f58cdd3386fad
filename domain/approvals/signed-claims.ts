/**
 * What the front door (the inbox and its API, used by the CLI) signs for the engine, besides
 * approval decisions (domain/approvals/decision.ts): who started a run, and who claimed a run that was
 * started without a verified requester (from the Temporal UI, a schedule, the inspection's
 * follow-ups). Each is canonical JSON behind a domain prefix, signed with the front door's
 * Ed25519 key, so neither can be replayed as the other or as a decision. Pure code: it runs
 * inside workflows as well as in the front doors and the workers.
 *
 * The contract between the front door and the runbooks:
 * - a start carries its signed assertion in the workflow's memo under `startAssertionMemoKey`;
 *   the assertion binds the namespace, workflow id, workflow type, task queue and the digest of
 *   the input (planDigest of the input object), so it cannot start anything else;
 * - a run without one asks to be claimed before its first change: the `claimRun` update takes
 *   a signed claim bound to the namespace, workflow id and run id;
 * - each nonce is used once: the engine records it in its SQL nonce ledger at first use.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import type { SignerKey } from './decision.ts';

export const startAssertionMemoKey = 'jincaiStartAssertion';

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lower-case hex`);
const userId = z.string().min(1).max(64);
const via = z.enum(['inbox', 'cli']);

export const startClaimsSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('start'),
    namespace: z.string().min(1).max(255),
    workflowId: z.string().min(1).max(255),
    workflowType: z.string().min(1).max(100),
    taskQueue: z.string().min(1).max(255),
    /** planDigest() of the workflow's input object, as started. */
    inputDigest: hex(32),
    user: userId,
    via,
    issuedAt: z.iso.datetime(),
    nonce: hex(16),
  })
  .strict();
export type StartClaims = z.infer<typeof startClaimsSchema>;

export const claimClaimsSchema = z
  .object({
    v: z.literal(1),
    kind: z.literal('claim'),
    namespace: z.string().min(1).max(255),
    workflowId: z.string().min(1).max(255),
    runId: z.string().min(1).max(64),
    user: userId,
    via,
    /** Why this person takes the run over (optional). */
    reason: z.string().max(1000).optional(),
    issuedAt: z.iso.datetime(),
    nonce: hex(16),
  })
  .strict();
export type ClaimClaims = z.infer<typeof claimClaimsSchema>;

const envelope = <T extends z.ZodType>(claims: T) =>
  z.object({ claims, keyId: z.string().min(1).max(64), signature: hex(64) }).strict();

export const signedStartSchema = envelope(startClaimsSchema);
export type SignedStart = z.infer<typeof signedStartSchema>;
export const signedClaimSchema = envelope(claimClaimsSchema);
export type SignedClaim = z.infer<typeof signedClaimSchema>;

/** The exact bytes a front door signs for a start or a claim. */
export function startMessage(claims: StartClaims): Uint8Array {
  return utf8ToBytes(`jincai-run-start/v1\n${canonicalJson(claims)}`);
}
export function claimMessage(claims: ClaimClaims): Uint8Array {
  return utf8ToBytes(`jincai-run-claim/v1\n${canonicalJson(claims)}`);
}

export type EnvelopeCheck = 'ok' | 'unknown-key' | 'bad-signature';

/** Checks a front door's Ed25519 signature over `message` with the key the envelope names. */
export function verifyEnvelope(
  message: Uint8Array,
  signed: { keyId: string; signature: string },
  signers: readonly SignerKey[],
): EnvelopeCheck {
  const signer = signers.find((k) => k.keyId === signed.keyId);
  if (!signer) return 'unknown-key';
  try {
    const ok = ed25519.verify(hexToBytes(signed.signature), message, hexToBytes(signer.publicKeyHex));
    return ok ? 'ok' : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
}

export function verifyStartSignature(signed: SignedStart, signers: readonly SignerKey[]): EnvelopeCheck {
  return verifyEnvelope(startMessage(signed.claims), signed, signers);
}
export function verifyClaimSignature(signed: SignedClaim, signers: readonly SignerKey[]): EnvelopeCheck {
  return verifyEnvelope(claimMessage(signed.claims), signed, signers);
}

/** Who asked for a run, as the gate and the approval proof know it. */
export type VerifiedRequester =
  | { user: string; via: 'start'; evidence: SignedStart }
  | { user: string; via: 'claim'; evidence: SignedClaim };
