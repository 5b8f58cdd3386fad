/**
 * The AES-256 keys of the payload codec, taken from one environment variable (named by the site's
 * `codec.keysEnv`): `keyId:base64(32 bytes)[,keyId:base64…]`. The first key encrypts, every key
 * decrypts, so a key is rotated by putting a new one first and keeping the old ones listed until
 * no history needs them. Error messages name the variable and the entry, never key material.
 */
import { randomBytes } from 'node:crypto';

export const defaultPayloadKeysEnv = 'JINCAI_PAYLOAD_KEYS';

// At most 32 characters, so a key pasted where its id belongs (44 characters) is never echoed.
const keyIdPattern = /^[A-Za-z0-9._-]{1,32}$/;
const base64Pattern = /^[A-Za-z0-9+/_-]+={0,2}$/;
const KEY_BYTES = 32;

export interface PayloadKeys {
  /** Where the keys came from (an env var name), for error messages. */
  source: string;
  /** The key new payloads are encrypted with. */
  encryptKeyId: string;
  /** Every key that may decrypt, by id. */
  keys: ReadonlyMap<string, Buffer>;
}

export class PayloadKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadKeysError';
  }
}

const expected = `keyId:base64key[,keyId:base64key…], each key 32 random bytes in base64 (the first encrypts)`;

/** Parses the keys text; `source` names where it came from in errors. */
export function parsePayloadKeys(text: string | undefined, source = defaultPayloadKeysEnv): PayloadKeys {
  if (text === undefined || text.trim() === '') {
    throw new PayloadKeysError(`${source} is not set; expected ${expected}`);
  }
  const keys = new Map<string, Buffer>();
  const entries = text.split(',').map((e) => e.trim());
  entries.forEach((entry, i) => {
    const where = `${source}: entry ${i + 1} of ${entries.length}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new PayloadKeysError(`${where} has no ":"; expected ${expected}`);
    const id = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!keyIdPattern.test(id)) {
      throw new PayloadKeysError(`${where}: the key id must be 1–32 letters, digits, . _ or -`);
    }
    if (keys.has(id)) throw new PayloadKeysError(`${where}: key id "${id}" is listed twice`);
    const key = base64Pattern.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (key?.length !== KEY_BYTES) {
      const got = key ? `${key.length} bytes` : 'text that is not base64';
      throw new PayloadKeysError(
        `${where} (key id "${id}"): expected base64 of ${KEY_BYTES} bytes, got ${got}`,
      );
    }
    keys.set(id, key);
  });
  const [encryptKeyId] = keys.keys();
  if (encryptKeyId === undefined) throw new PayloadKeysError(`${source} lists no key; expected ${expected}`);
  // Logged or inspected by mistake, the keys show their ids only.
  const shown = () => ({ source, encryptKeyId, keyIds: [...keys.keys()] });
  return Object.defineProperties(
    { source, encryptKeyId, keys },
    { toJSON: { value: shown }, [Symbol.for('nodejs.util.inspect.custom')]: { value: shown } },
  );
}

/** The keys in the environment variable `name`. */
export function payloadKeysFromEnv(
  name = defaultPayloadKeysEnv,
  env: NodeJS.ProcessEnv = process.env,
): PayloadKeys {
  return parsePayloadKeys(env[name], name);
}

/** A fresh `keyId:base64` entry: for the embedded stack, tests, and operators rotating keys. */
export function generatePayloadKeys(
  keyId = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`,
): string {
  if (!keyIdPattern.test(keyId)) {
    throw new PayloadKeysError(`key id "${keyId}": expected 1–32 letters, digits, . _ or -`);
  }
  return `${keyId}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
