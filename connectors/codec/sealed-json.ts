/**
 * Evidence kept sealed where it is stored: a JSON value encrypted with the site's payload key
 * (AES-256-GCM, as the payload codec encrypts Temporal's history), as one line of text —
 * `sealed:v1:<key id>:<base64 of IV ‖ ciphertext ‖ tag>`. A data fix keeps the rows it changed
 * this way, personal data included, so whoever reads the treasury database sees no payee's
 * account or name in it, and whoever holds the key can open it. The key id and the format are
 * the GCM additional data: a relabelled or altered seal does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { canonicalJson } from '../../domain/canonical-json.ts';
import type { PayloadKeys } from './payload-keys.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const prefix = 'sealed:v1';

export interface Sealer {
  seal(value: unknown): string;
  open(sealed: string): unknown;
}

export function createSealer(keys: PayloadKeys): Sealer {
  return {
    seal(value) {
      const keyId = keys.encryptKeyId;
      const key = keys.keys.get(keyId) as Buffer;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(`${prefix}:${keyId}`));
      const body = Buffer.concat([cipher.update(canonicalJson(value), 'utf8'), cipher.final()]);
      return `${prefix}:${keyId}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
    },
    open(sealed) {
      const [p1, p2, keyId, data] = sealed.split(':');
      if (`${p1}:${p2}` !== prefix || !keyId || !data) throw new Error('not a sealed value');
      const key = keys.keys.get(keyId);
      if (!key) throw new Error(`sealed with key id "${keyId}", which ${keys.source} does not hold`);
      const bytes = Buffer.from(data, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(`${prefix}:${keyId}`));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const text = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return JSON.parse(text.toString('utf8'));
    },
  };
}
