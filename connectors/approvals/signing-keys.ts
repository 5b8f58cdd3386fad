/**
 * Ed25519 keys named by the site file: the front door's (the private key the inbox signs
 * decisions with, the public keys workers trust) and the audit trail's (the appending workers'
 * private key, the public keys `audit verify` checks records with). Public keys are configured as
 * raw 32 bytes in base64 (or a SPKI PEM file); a private key comes from an env var or a mode-600
 * file, never from the site file itself.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  decisionMessage,
  type DecisionClaims,
  type DecisionClaimsV1,
  type SignerKey,
} from '../../domain/approvals/decision.ts';
import type { PrivateKeyConfig, PublicKeyConfig } from '../../temporal.config.ts';
import { secretFromEnv } from '../../temporal.config.ts';

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

/** The site file section holding the keys, named in errors. */
type KeySection = 'approvals' | 'audit' | 'releases';

/** Raw public key bytes (32) from base64 raw or PEM text. */
function rawPublicKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    const jwk = createPublicKey(trimmed).export({ format: 'jwk' });
    if (jwk.crv !== 'Ed25519' || !jwk.x) throw new Error(`${where}: not an Ed25519 public key`);
    return Buffer.from(jwk.x, 'base64url');
  }
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.length !== 32) throw new Error(`${where}: expected a raw Ed25519 public key, 32 bytes in base64`);
  return raw;
}

/** The public keys a process trusts, read when it starts. */
export function loadSignerKeys(
  keys: { signers: PublicKeyConfig[] },
  section: KeySection = 'approvals',
): SignerKey[] {
  return keys.signers.map((k, i) => {
    const where = `${section}.signers[${i}]`;
    let text = k.publicKey;
    if (k.publicKeyFile) {
      try {
        text = readFileSync(k.publicKeyFile, 'utf8');
      } catch (err) {
        throw new Error(`${where}.publicKeyFile: cannot be read (${(err as Error).message})`);
      }
    }
    return { keyId: k.keyId, publicKeyHex: rawPublicKey(text ?? '', where).toString('hex') };
  });
}

/** A private key: the front door's (the inbox process only) or the audit's (appending workers only). */
export function loadSigningKey(
  keys: { signingKey: PrivateKeyConfig },
  section: KeySection = 'approvals',
  env: NodeJS.ProcessEnv = process.env,
): SigningKey {
  const { keyId, privateKeyEnv, privateKeyFile } = keys.signingKey;
  const text = privateKeyEnv ? secretFromEnv(privateKeyEnv, env) : readFileSync(privateKeyFile ?? '', 'utf8');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch (err) {
    throw new Error(
      `${section}.signingKey: expected an Ed25519 private key in PKCS#8 PEM (${(err as Error).message})`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`${section}.signingKey: not an Ed25519 private key`);
  return { keyId, privateKey };
}

/** A decision (v2; v1 only to make records as old runs wrote them). */
export function signDecision<C extends DecisionClaims | DecisionClaimsV1>(
  claims: C,
  key: SigningKey,
): { claims: C; keyId: string; signature: string } {
  return {
    claims,
    keyId: key.keyId,
    signature: sign(null, decisionMessage(claims), key.privateKey).toString('hex'),
  };
}

/** A fresh nonce for a decision's claims. */
export function decisionNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Creates a key pair on first use (the embedded stack): private key PEM (mode 600) and the raw
 * public key in base64 beside it. Existing files are kept, so restarts keep trusting old decisions.
 */
export function ensureSigningKeyPair(privateKeyFile: string, publicKeyFile: string): void {
  if (existsSync(privateKeyFile) && existsSync(publicKeyFile)) return;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(privateKeyFile), { recursive: true, mode: 0o700 });
  writeFileSync(privateKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  writeFileSync(publicKeyFile, `${Buffer.from(x, 'base64url').toString('base64')}\n`);
}
