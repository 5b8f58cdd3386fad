import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { createCodecEndpoint } from '../../connectors/codec/codec-endpoint.ts';
import { AesGcmPayloadCodec } from '../../connectors/codec/payload-codec.ts';
import { generatePayloadKeys, parsePayloadKeys } from '../../connectors/codec/payload-keys.ts';
import { createLogger } from '../../connectors/logging/logger.ts';

const uiOrigin = 'http://localhost:18233';
const token = `t-${process.pid}-${Date.now()}`;
const codec = new AesGcmPayloadCodec(parsePayloadKeys(generatePayloadKeys('k1')));
const logLines: Record<string, unknown>[] = [];
const log = createLogger(
  'codec-endpoint-test',
  'info',
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  }),
);
const handler = createCodecEndpoint({
  codec,
  uiOrigins: [uiOrigin],
  // Stands in for the inbox session: one bearer token that belongs to an engineer.
  authorize: async (req) =>
    req.headers.authorization === `Bearer ${token}` ? { user: 'li.gong' } : undefined,
  log,
});

let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const secret = { payeeAccountNo: '6217000010012345678', payeeAccountName: '王小明' };
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');

async function encryptedJson(value: unknown) {
  const [p] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  return {
    metadata: Object.fromEntries(Object.entries(p?.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
    data: b64(p?.data),
  };
}

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

test('a payload not encrypted with the site key is refused on decode with a clear error', async () => {
  const plain = { metadata: { encoding: b64(Buffer.from('json/plain')) }, data: b64(Buffer.from('"hello"')) };
  const res = await post(
    '/codec/decode',
    { payloads: [plain] },
    { authorization: `Bearer ${token}`, origin: uiOrigin },
  );
  assert.equal(res.status, 422);
  const body = (await res.json()) as { error: string; message: string };
  assert.equal(body.error, 'codec_failed');
  assert.match(body.message, /not encrypted with this site's payload keys/);
});

test('without authorization: 401 with a JSON error, nothing decoded', async () => {
  const res = await post('/codec/decode', { payloads: [await encryptedJson(secret)] }, { origin: uiOrigin });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('access-control-allow-origin'), uiOrigin);
  const body = (await res.json()) as { error: string };
  assert.equal(body.error, 'unauthorized');
  assert.equal(JSON.stringify(body).includes(secret.payeeAccountName), false);
});

test('decode with authorization: the payloads come back readable; the log says who and how many, not what', async () => {
  const res = await post(
    '/codec/decode',
    { payloads: [await encryptedJson(secret), await encryptedJson({ note: 'hello' })] },
    { authorization: `Bearer ${token}`, origin: uiOrigin },
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), uiOrigin);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  assert.equal(body.payloads.length, 2);
  const [first, second] = body.payloads;
  assert.equal(Buffer.from(first?.metadata.encoding ?? '', 'base64').toString(), 'json/plain');
  assert.deepEqual(JSON.parse(Buffer.from(first?.data ?? '', 'base64').toString()), secret);
  assert.deepEqual(JSON.parse(Buffer.from(second?.data ?? '', 'base64').toString()), { note: 'hello' });

  const entry = logLines.find((l) => l.msg === 'codec decode');
  assert.ok(entry, 'the decode is logged');
  assert.equal(entry.user, 'li.gong');
  assert.equal(entry.payloads, 2);
  assert.equal(entry.namespace, 'default');
  assert.equal(JSON.stringify(logLines).includes(secret.payeeAccountName), false);
  assert.equal(JSON.stringify(logLines).includes(secret.payeeAccountNo), false);
});

test('encode then decode round-trips through the endpoint', async () => {
  const plain = { metadata: { encoding: b64(Buffer.from('json/plain')) }, data: b64(Buffer.from('"x"')) };
  const auth = { authorization: `Bearer ${token}` };
  const encoded = (await (await post('/codec/encode', { payloads: [plain] }, auth)).json()) as {
    payloads: { metadata: Record<string, string> }[];
  };
  assert.equal(
    Buffer.from(encoded.payloads[0]?.metadata.encoding ?? '', 'base64').toString(),
    'binary/encrypted',
  );
  const decoded = (await (await post('/codec/decode', encoded, auth)).json()) as { payloads: unknown[] };
  assert.deepEqual(decoded.payloads, [plain]);
});

test('CORS preflight from the Temporal UI: that exact origin, credentials, the headers the UI sends', async () => {
  const res = await fetch(`${base}/codec/decode`, {
    method: 'OPTIONS',
    headers: {
      origin: uiOrigin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-namespace',
    },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), uiOrigin);
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
  assert.match(res.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
  const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
  for (const h of ['content-type', 'x-namespace', 'authorization']) assert.ok(allowed.includes(h), h);
});

test('another origin is refused, preflight and call alike, even with valid authorization', async () => {
  const evil = 'http://localhost:9999';
  const pre = await fetch(`${base}/codec/decode`, {
    method: 'OPTIONS',
    headers: { origin: evil, 'access-control-request-method': 'POST' },
  });
  assert.equal(pre.status, 403);
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
  const res = await post(
    '/codec/decode',
    { payloads: [await encryptedJson(secret)] },
    { origin: evil, authorization: `Bearer ${token}` },
  );
  assert.equal(res.status, 403);
  assert.equal((await res.text()).includes(secret.payeeAccountName), false);
});

test('bad requests: 400 naming the field; wrong media type 415; other paths are left to the caller', async () => {
  const auth = { authorization: `Bearer ${token}` };
  const cases: [string, RegExp][] = [
    ['{not json', /body: expected JSON/],
    ['{"payload": []}', /payloads: expected an array/],
    ['{"payloads": [42]}', /payloads\[0\]: expected an object/],
    [
      '{"payloads": [{"metadata": {"encoding": "@@"}}]}',
      /payloads\[0\]\.metadata\.encoding: expected a base64 string/,
    ],
    ['{"payloads": [{"metadata": {}, "data": 5}]}', /payloads\[0\]\.data: expected a base64 string/],
    ['{"payloads": [{"metadata": []}]}', /payloads\[0\]\.metadata: expected an object/],
  ];
  for (const [body, message] of cases) {
    const res = await post('/codec/decode', body, auth);
    assert.equal(res.status, 400, body);
    const json = (await res.json()) as { error: string; message: string };
    assert.equal(json.error, 'bad_request');
    assert.match(json.message, message);
  }
  const text = await fetch(`${base}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...auth },
    body: '{"payloads":[]}',
  });
  assert.equal(text.status, 415);
  assert.equal((await fetch(`${base}/codec/decode`, { headers: auth })).status, 405);
  assert.equal((await post('/elsewhere', { payloads: [] }, auth)).status, 404);
});

test('a payload that cannot be decrypted: 422 naming the reason', async () => {
  const payload = await encryptedJson(secret);
  const data = Buffer.from(payload.data, 'base64');
  data[20] = (data[20] ?? 0) ^ 0xff;
  const res = await post(
    '/codec/decode',
    { payloads: [{ ...payload, data: data.toString('base64') }] },
    { authorization: `Bearer ${token}` },
  );
  assert.equal(res.status, 422);
  assert.match(((await res.json()) as { message: string }).message, /authentication failed/);
});
