/**
 * The signed approval decision: what a front door (the inbox, or its API used by the CLI) sends
 * to a waiting runbook after it has authenticated the approver. The claims (v2) bind the decision
 * to one namespace, one run (workflow id and run id), one gate and step, and one plan digest; the
 * Ed25519 signature over their canonical JSON lets the workflow — and every activity that acts on
 * the approval (domain/approvals/proof.ts) — tell a front door's decision from one sent by anyone with raw
 * Temporal access. v1 claims (no namespace, run id or step) are refused by the `decide` validator
 * and read only when recorded histories replay. Pure code (no Node built-ins): it runs inside
 * workflows as well as in the front doors and the workers.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { canonicalJson } from '../canonical-json.ts';

const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes as lower-case hex`);

const claimsV1Shape = {
  workflowId: z.string().min(1).max(255),
  gateId: z.string().min(1).max(100),
  planDigest: hex(32),
  verdict: z.enum(['approve', 'reject']),
  /** Required on rejection; an optional comment on approval. */
  reason: z.string().max(1000).optional(),
  user: z.string().min(1).max(64),
  via: z.enum(['inbox', 'cli']),
  issuedAt: z.iso.datetime(),
  nonce: hex(16),
};

/** What a front door signs today: the decision bound to the namespace, the run and the gate's step. */
export const decisionClaimsSchema = z
  .object({
    v: z.literal(2),
    namespace: z.string().min(1).max(255),
    ...claimsV1Shape,
    runId: z.string().min(1).max(64),
    step: z.string().min(1).max(100),
  })
  .strict();
export type DecisionClaims = z.infer<typeof decisionClaimsSchema>;

/** Decisions signed before claims named the run: only ever read from recorded histories. */
const decisionClaimsV1Schema = z.object({ v: z.literal(1), ...claimsV1Shape }).strict();
export type DecisionClaimsV1 = z.infer<typeof decisionClaimsV1Schema>;

const envelope = <T extends z.ZodType>(claims: T) =>
  z.object({ claims, keyId: z.string().min(1).max(64), signature: hex(64) }).strict();

export const signedDecisionSchema = envelope(decisionClaimsSchema);
export type SignedDecision = z.infer<typeof signedDecisionSchema>;

/** A decision as a history may hold it: v2, or v1 from before the claims named the run. */
export const recordedDecisionSchema = envelope(
  z.discriminatedUnion('v', [decisionClaimsV1Schema, decisionClaimsSchema]),
);
export type RecordedDecision = z.infer<typeof recordedDecisionSchema>;

export interface SignerKey {
  keyId: string;
  /** Raw 32-byte Ed25519 public key, lower-case hex. */
  publicKeyHex: string;
}

/** The exact bytes a front door signs; the domain prefix keeps them from meaning anything else. */
export function decisionMessage(claims: DecisionClaims | DecisionClaimsV1): Uint8Array {
  return utf8ToBytes(`jincai-approval-decision/v1\n${canonicalJson(claims)}`);
}

/** SHA-256 (hex) of a plan's canonical JSON: what an approval binds to. */
export function planDigest(plan: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(plan))));
}

export type SignatureCheck = 'ok' | 'unknown-key' | 'bad-signature';

export function verifyDecisionSignature(
  decision: SignedDecision | RecordedDecision,
  signers: readonly SignerKey[],
): SignatureCheck {
  const signer = signers.find((k) => k.keyId === decision.keyId);
  if (!signer) return 'unknown-key';
  try {
    const ok = ed25519.verify(
      hexToBytes(decision.signature),
      decisionMessage(decision.claims),
      hexToBytes(signer.publicKeyHex),
    );
    return ok ? 'ok' : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
}
