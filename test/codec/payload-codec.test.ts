import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  METADATA_ENCRYPTION_KEY_ID,
} from '../../connectors/codec/payload-codec.ts';
import {
  generatePayloadKeys,
  parsePayloadKeys,
  PayloadKeysError,
  payloadKeysFromEnv,
} from '../../connectors/codec/payload-keys.ts';

const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const line = {
  payeeAccountNo: '6222020200112233445',
  payeeAccountName: '县宏达建筑工程有限公司',
  amountFen: 1250000,
};

function codecWith(keys: string): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(parsePayloadKeys(keys, 'TEST_KEYS'));
}

test('round trip: the payload comes back whole, and what is stored hides it', async () => {
  const codec = codecWith(generatePayloadKeys('k1'));
  const original = defaultPayloadConverter.toPayload(line);
  const [encrypted] = await codec.encode([original]);
  assert.ok(encrypted);
  assert.equal(text(encrypted.metadata?.[METADATA_ENCODING_KEY]), ENCRYPTED_ENCODING);
  assert.equal(text(encrypted.metadata?.[METADATA_ENCRYPTION_KEY_ID]), 'k1');
  const stored = Buffer.from(encrypted.data ?? []);
  for (const needle of [line.payeeAccountNo, line.payeeAccountName, 'json/plain']) {
    assert.equal(stored.includes(Buffer.from(needle)), false, `${needle} must not be readable`);
  }
  const [decoded] = await codec.decode([encrypted]);
  assert.ok(decoded);
  assert.equal(text(decoded.metadata?.[METADATA_ENCODING_KEY]), 'json/plain');
  assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), line);
});

test('each encryption uses a fresh IV: the same payload twice gives different ciphertexts', async () => {
  const codec = codecWith(generatePayloadKeys('k1'));
  const payload = defaultPayloadConverter.toPayload(line);
  const [a, b] = await codec.encode([payload, payload]);
  assert.notDeepEqual(Buffer.from(a?.data ?? []), Buffer.from(b?.data ?? []));
});

test('payloads that are not encrypted are refused on decode, with the reason', async () => {
  const codec = codecWith(generatePayloadKeys('k1'));
  const plain = defaultPayloadConverter.toPayload({ hello: 'world' });
  await assert.rejects(codec.decode([plain]), /Payload refused: it is not encrypted .*json\/plain/);
});

test('a payload under a key id the site does not hold is refused on decode', async () => {
  const [foreign] = await codecWith(generatePayloadKeys('other')).encode([
    defaultPayloadConverter.toPayload(line),
  ]);
  await assert.rejects(codecWith(generatePayloadKeys('k1')).decode([foreign!]), /key id "other"/);
});

test('tampering is detected: a flipped byte anywhere in the data fails decode', async () => {
  const codec = codecWith(generatePayloadKeys('k1'));
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(line)]);
  const data = Buffer.from(encrypted?.data ?? []);
  // IV, ciphertext and tag alike.
  for (const index of [0, 12, Math.floor(data.length / 2), data.length - 1]) {
    const altered = Buffer.from(data);
    altered[index] = (altered[index] ?? 0) ^ 0x01;
    await assert.rejects(codec.decode([{ ...encrypted, data: altered }]), /authentication failed/);
  }
});

test('the key id is authenticated: relabelling a payload with another known key id fails', async () => {
  const codec = codecWith(`${generatePayloadKeys('k2')},${generatePayloadKeys('k1')}`);
  const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(line)]);
  assert.ok(encrypted);
  const relabelled: Payload = {
    ...encrypted,
    metadata: { ...encrypted.metadata, [METADATA_ENCRYPTION_KEY_ID]: new TextEncoder().encode('k1') },
  };
  await assert.rejects(codec.decode([relabelled]), /authentication failed/);
});

test('rotation: with a new key first, old payloads still decode and new ones use the new key id', async () => {
  const oldKey = generatePayloadKeys('2026-01');
  const before = codecWith(oldKey);
  const [old] = await before.encode([defaultPayloadConverter.toPayload(line)]);
  assert.ok(old);

  const after = codecWith(`${generatePayloadKeys('2026-07')},${oldKey}`);
  const [decoded] = await after.decode([old]);
  assert.ok(decoded);
  assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), line);
  const [fresh] = await after.encode([defaultPayloadConverter.toPayload(line)]);
  assert.equal(text(fresh?.metadata?.[METADATA_ENCRYPTION_KEY_ID]), '2026-07');
  // The old side cannot read what the new key wrote: it names the key id it lacks.
  await assert.rejects(before.decode([fresh as Payload]), /key id "2026-07".*TEST_KEYS holds only 2026-01/);
});

test('a payload encrypted with a key that is no longer listed fails clearly', async () => {
  const [encrypted] = await codecWith(generatePayloadKeys('gone')).encode([
    defaultPayloadConverter.toPayload(line),
  ]);
  await assert.rejects(codecWith(generatePayloadKeys('k1')).decode([encrypted as Payload]), (err: Error) => {
    assert.match(err.message, /encrypted with key id "gone"/);
    assert.match(err.message, /TEST_KEYS holds only k1/);
    return true;
  });
});

test('bad key settings: clear errors naming the variable, never the key material', () => {
  const good = generatePayloadKeys('k1');
  const material = good.split(':')[1] as string;
  const cases: [string | undefined, RegExp][] = [
    [undefined, /^JINCAI_PAYLOAD_KEYS is not set; expected keyId:base64key/],
    ['   ', /^JINCAI_PAYLOAD_KEYS is not set/],
    [material, /JINCAI_PAYLOAD_KEYS: entry 1 of 1 has no ":"; expected keyId:base64key/],
    [
      `k1:${Buffer.alloc(16).toString('base64')}`,
      /entry 1 of 1 \(key id "k1"\): expected base64 of 32 bytes, got 16 bytes/,
    ],
    ['k1:not base64!', /expected base64 of 32 bytes, got text that is not base64/],
    [`${good},${good}`, /entry 2 of 2: key id "k1" is listed twice/],
    [`bad id:${material}`, /entry 1 of 1: the key id must be 1–32 letters/],
    [`${material}:${material}`, /entry 1 of 1: the key id must be/],
  ];
  for (const [value, expected] of cases) {
    assert.throws(
      () => payloadKeysFromEnv('JINCAI_PAYLOAD_KEYS', { JINCAI_PAYLOAD_KEYS: value }),
      (err: Error) => {
        assert.ok(err instanceof PayloadKeysError);
        assert.match(err.message, expected);
        assert.equal(err.message.includes(material), false, 'the key never appears in the message');
        return true;
      },
    );
  }
});

test('keys print their ids only', () => {
  const keys = parsePayloadKeys(`${generatePayloadKeys('a')},${generatePayloadKeys('b')}`);
  const material = [...keys.keys.values()].map((k) => k.toString('base64'));
  const shown = [
    JSON.stringify({ keys }),
    inspect(keys, { depth: 5 }),
    inspect(new AesGcmPayloadCodec(keys), { depth: 5, showHidden: true }),
  ];
  for (const s of shown) for (const m of material) assert.equal(s.includes(m), false);
  assert.match(JSON.stringify(keys), /"keyIds":\["a","b"\]/);
});
