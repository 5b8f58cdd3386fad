import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCodecEndpoint } from '../../connectors/codec/codec-endpoint.ts';
import { AesGcmPayloadCodec } from '../../connectors/codec/payload-codec.ts';
import { createLogger } from '../../connectors/logging/logger.ts';
import { startApprovalTestbed, type ApprovalTestbed } from '../support/approval-testbed.ts';
import { testPayloadKeys } from '../support/codec.ts';
import { Agent, api } from './helpers.ts';

const uiOrigin = 'http://localhost:8233';
const codec = new AesGcmPayloadCodec(testPayloadKeys());
let tb: ApprovalTestbed;
let encrypted: { metadata: Record<string, string>; data: string };

before(async () => {
  tb = await startApprovalTestbed({
    // Finance approvers may read payloads at this site; encoding stays with the engineers.
    editSite: (site) => ({
      ...site,
      codec: { ...site.codec, decodeRoles: ['engineer', 'finance-director'] },
    }),
    codecHandler: (authorize) =>
      createCodecEndpoint({
        codec,
        uiOrigins: [uiOrigin],
        authorize,
        log: createLogger('codec-test', 'silent'),
      }),
  });
  const [payload] = await codec.encode([
    {
      metadata: { encoding: Buffer.from('json/plain') },
      data: Buffer.from('{"payeeAccount":"6222020200112233445"}'),
    },
  ]);
  encrypted = {
    metadata: Object.fromEntries(
      Object.entries(payload!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(payload!.data!).toString('base64'),
  };
});
after(async () => {
  await tb?.stop();
});

async function decode(agent: Agent, operation: 'decode' | 'encode' = 'decode') {
  const hop = await agent.request('POST', `/codec/${operation}`, {
    body: JSON.stringify({ payloads: [encrypted] }),
    headers: { 'content-type': 'application/json', origin: uiOrigin },
  });
  return { status: hop.status, body: hop.body, allowOrigin: hop.headers.get('access-control-allow-origin') };
}

test('the codec endpoint under /codec/ decodes for a signed-in user with a decode role only', async () => {
  const engineer = new Agent(tb.inbox.url);
  await engineer.signIn(tb.people.approver2.id, tb.people.approver2.password);
  const ok = await decode(engineer);
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.allowOrigin, uiOrigin);
  const data = (JSON.parse(ok.body) as { payloads: { data: string }[] }).payloads[0]!.data;
  assert.equal(Buffer.from(data, 'base64').toString(), '{"payeeAccount":"6222020200112233445"}');

  const approverOnly = new Agent(tb.inbox.url);
  await approverOnly.signIn(tb.people.approver.id, tb.people.approver.password);
  assert.equal((await decode(approverOnly)).status, 401, 'finance-approver is not a decode role');
  assert.equal((await decode(new Agent(tb.inbox.url))).status, 401, 'not signed in');
});

test('a bearer token of an engineer works too (temporal --codec-auth)', async () => {
  const { approver2 } = tb.people;
  const session = await api(tb.inbox.url, 'POST', '/api/session', {
    body: { user: approver2.id, password: approver2.password },
  });
  const res = await api(tb.inbox.url, 'POST', '/codec/decode', {
    token: session.json.token as string,
    body: { payloads: [encrypted] },
  });
  assert.equal(res.status, 200);
});

test('encoding, which makes a payload the workers accept, is for signed-in engineers only', async () => {
  const engineer = new Agent(tb.inbox.url);
  await engineer.signIn(tb.people.requester.id, tb.people.requester.password);
  const encoded = await decode(engineer, 'encode');
  assert.equal(encoded.status, 200, encoded.body);
  const payload = (JSON.parse(encoded.body) as { payloads: { metadata: Record<string, string> }[] })
    .payloads[0]!;
  assert.equal(Buffer.from(payload.metadata.encoding!, 'base64').toString(), 'binary/encrypted');

  const director = new Agent(tb.inbox.url);
  await director.signIn(tb.people.director.id, tb.people.director.password);
  assert.equal((await decode(director)).status, 200, 'the site lets directors decode');
  assert.equal((await decode(director, 'encode')).status, 401, 'but not encode');
  assert.equal((await decode(new Agent(tb.inbox.url), 'encode')).status, 401, 'not signed in');
});
