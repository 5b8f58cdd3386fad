/**
 * The front door's signatures on who started a run and who claimed one (the contract in
 * domain/approvals/signed-claims.ts), and on an operator's decision on a paused step
 * (domain/approvals/hand-decision.ts), made with the same Ed25519 key as its decisions; the
 * domain prefix in each message keeps one from passing for another.
 */
import { sign } from 'node:crypto';
import {
  claimMessage,
  startMessage,
  type ClaimClaims,
  type SignedClaim,
  type SignedStart,
  type StartClaims,
} from '../../domain/approvals/signed-claims.ts';
import {
  handMessage,
  type HandClaims,
  type SignedHandDecision,
} from '../../domain/approvals/hand-decision.ts';
import type { SigningKey } from './signing-keys.ts';

export function signStart(claims: StartClaims, key: SigningKey): SignedStart {
  return {
    claims,
    keyId: key.keyId,
    signature: sign(null, startMessage(claims), key.privateKey).toString('hex'),
  };
}

export function signClaim(claims: ClaimClaims, key: SigningKey): SignedClaim {
  return {
    claims,
    keyId: key.keyId,
    signature: sign(null, claimMessage(claims), key.privateKey).toString('hex'),
  };
}

export function signHandDecision(claims: HandClaims, key: SigningKey): SignedHandDecision {
  return {
    claims,
    keyId: key.keyId,
    signature: sign(null, handMessage(claims), key.privateKey).toString('hex'),
  };
}
