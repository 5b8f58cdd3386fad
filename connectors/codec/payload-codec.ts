/**
 * The payload codec that keeps payee accounts, names and secrets out of Temporal's history:
 * every payload is replaced by an AES-256-GCM encryption of the whole original Payload message
 * (metadata included, so the encoding stays private too), tagged with the key id. Clients,
 * workers and the codec endpoint share it; the Temporal server only ever stores ciphertext.
 *
 * Encrypted payload: metadata `encoding: binary/encrypted`, `encryption-key-id: <id>`;
 * data = IV (12 random bytes) ‖ ciphertext ‖ GCM tag (16 bytes). The key id is the GCM
 * additional data, so relabelling a payload with another key id fails authentication.
 *
 * Decoding is strict: a payload that is not encrypted, or encrypted under a key id the site does
 * not hold, is refused with an error saying so — so nobody without the key can hand a worker an
 * input, a signal or an update, nor a client a result.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadKeys } from './payload-keys.ts';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
// CommonJS module: its namespaces are not visible to ESM named imports.
const ProtoPayload = proto.temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class AesGcmPayloadCodec implements PayloadCodec {
  // Private fields, so a codec that ends up in a log line does not carry its keys along.
  readonly #keys: PayloadKeys;
  readonly #encryptKey: Buffer;

  constructor(keys: PayloadKeys) {
    const key = keys.keys.get(keys.encryptKeyId);
    if (!key) throw new ValueError(`${keys.source}: the encrypting key "${keys.encryptKeyId}" is missing`);
    this.#keys = keys;
    this.#encryptKey = key;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (isEncrypted(payload)) return this.decrypt(payload);
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      throw new ValueError(
        `Payload refused: it is not encrypted with this site's payload keys (encoding ${encoding ? fromUtf8.decode(encoding) : 'none'}); only the site's clients, workers and front door may send payloads`,
      );
    });
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.#keys.encryptKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#encryptKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(utf8.encode(keyId));
    const plaintext = ProtoPayload.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING),
        [METADATA_ENCRYPTION_KEY_ID]: utf8.encode(keyId),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    if (!keyIdBytes) throw new ValueError(`Encrypted payload has no ${METADATA_ENCRYPTION_KEY_ID} metadata`);
    const keyId = fromUtf8.decode(keyIdBytes);
    const key = this.#keys.keys.get(keyId);
    if (!key) {
      throw new ValueError(
        `Cannot decrypt a payload encrypted with key id "${keyId}": ${this.#keys.source} holds only ${[...this.#keys.keys.keys()].join(', ')}`,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new ValueError(
        `Encrypted payload (key id "${keyId}") is too short to be one: ${data.length} bytes`,
      );
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(keyIdBytes);
    decipher.setAuthTag(tag);
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new ValueError(
        `Cannot decrypt a payload with key id "${keyId}": authentication failed (the payload was altered, or the key with that id is not the one that encrypted it)`,
      );
    }
    const original = ProtoPayload.decode(plaintext);
    return { metadata: original.metadata, data: original.data };
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && fromUtf8.decode(encoding) === ENCRYPTED_ENCODING;
}
