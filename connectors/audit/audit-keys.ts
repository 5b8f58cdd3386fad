/**
 * The audit trail's signatures. The appending worker signs each record's hash and the chain head
 * with the audit key (`audit.signingKey`), which the audit database never holds; verification
 * needs only the public keys (`audit.signers`, old ones kept listed after a rotation), so whoever
 * verifies cannot forge. Domain prefixes keep a record signature from passing for a head's, or
 * for anything else signed with the same key.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { SignerKey } from '../../domain/approvals/decision.ts';
import type { SigningKey } from '../approvals/signing-keys.ts';

export type AuditSignatureCheck = 'ok' | 'unsigned' | 'unknown-key' | 'bad-signature';

/** The public keys records and heads are checked with, by key id. */
export class AuditKeyRing {
  private readonly keys = new Map<string, KeyObject>();

  constructor(signers: readonly SignerKey[]) {
    for (const { keyId, publicKeyHex } of signers) {
      const x = Buffer.from(publicKeyHex, 'hex').toString('base64url');
      this.keys.set(keyId, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }));
    }
  }

  check(message: Buffer, keyId: string | null, signature: string | null): AuditSignatureCheck {
    if (!keyId || !signature) return 'unsigned';
    const key = this.keys.get(keyId);
    if (!key) return 'unknown-key';
    if (!/^[0-9a-f]{128}$/.test(signature)) return 'bad-signature';
    return verify(null, message, key, Buffer.from(signature, 'hex')) ? 'ok' : 'bad-signature';
  }
}

/** What a record's signature covers: its hash, which covers its content and the one before it. */
export function recordMessage(hash: string): Buffer {
  return Buffer.from(`jincai-audit-record/v1\n${hash}`, 'utf8');
}

export function signMessage(message: Buffer, key: SigningKey): string {
  return sign(null, message, key.privateKey).toString('hex');
}

/** Why a signature check failed, in words for a problem report. */
export function signatureFailure(check: Exclude<AuditSignatureCheck, 'ok'>, keyId: string | null): string {
  switch (check) {
    case 'unsigned':
      return 'carries no audit signature';
    case 'unknown-key':
      return `is signed with key "${keyId}", which is not among audit.signers`;
    case 'bad-signature':
      return `has a signature that does not verify with audit key "${keyId}"`;
  }
}
