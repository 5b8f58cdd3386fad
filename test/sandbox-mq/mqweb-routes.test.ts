import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { basicAuth, makeEstate, startMqweb } from './helpers.ts';
import type { MqEstate } from '../../sandbox/mq/estate.ts';

let estate: MqEstate;
let server: Awaited<ReturnType<typeof startMqweb>>;

before(async () => {
  estate = await makeEstate(['ICBC']);
  server = await startMqweb(estate);
});
after(async () => {
  await server.close();
});

const mqsc = (qmgr: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/ibmmq/rest/v2/admin/action/qmgr/${qmgr}/mqsc`, {
    method: 'POST',
    headers: {
      Authorization: basicAuth,
      'ibm-mq-rest-csrf-token': 'x',
      'Content-Type': 'application/json',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

test('requests without or with wrong credentials get 401 and WWW-Authenticate', async () => {
  const none = await fetch(`${server.url}/ibmmq/rest/v2/admin/action/qmgr/QM.CZ/mqsc`, { method: 'POST' });
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Basic realm=/);
  const wrong = await mqsc(
    'QM.CZ',
    {},
    { Authorization: `Basic ${Buffer.from('mqadmin:nope').toString('base64')}` },
  );
  assert.equal(wrong.status, 401);
  const body = (await wrong.json()) as { error: Array<{ msgId: string }> };
  assert.equal(body.error[0]?.msgId, 'MQWB0104E');
});

test('POST without the CSRF header is refused with 403 MQWB0100E', async () => {
  const res = await fetch(`${server.url}/ibmmq/rest/v2/admin/action/qmgr/QM.CZ/mqsc`, {
    method: 'POST',
    headers: { Authorization: basicAuth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'runCommand', parameters: { command: 'DIS QMGR' } }),
  });
  assert.equal(res.status, 403);
  const body = (await res.json()) as { error: Array<{ msgId: string }> };
  assert.equal(body.error[0]?.msgId, 'MQWB0100E');
});

test('unknown queue manager → 404 MQWB0009E', async () => {
  const res = await mqsc('QM.NOPE', { type: 'runCommand', parameters: { command: 'DIS QMGR' } });
  assert.equal(res.status, 404);
  const body = (await res.json()) as { error: Array<{ msgId: string; message: string }> };
  assert.equal(body.error[0]?.msgId, 'MQWB0009E');
  assert.match(body.error[0]?.message ?? '', /QM\.NOPE/);
});

test('malformed bodies → 400 naming the problem', async () => {
  const notJson = await mqsc('QM.CZ', '{not json');
  assert.equal(notJson.status, 400);
  assert.match(
    ((await notJson.json()) as { error: Array<{ message: string }> }).error[0]?.message ?? '',
    /not JSON/,
  );
  const noCommand = await mqsc('QM.CZ', { type: 'runCommand', parameters: {} });
  assert.equal(noCommand.status, 400);
  assert.match(
    ((await noCommand.json()) as { error: Array<{ message: string }> }).error[0]?.message ?? '',
    /parameters\.command/,
  );
  const badType = await mqsc('QM.CZ', { type: 'runSomething' });
  assert.equal(badType.status, 400);
});

test('runCommand returns the text lines and overall codes', async () => {
  const res = await mqsc('QM.CZ', {
    type: 'runCommand',
    parameters: { command: 'DIS CHS(CZ.TO.ICBC) LSTSEQNO' },
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    commandResponse: Array<{ completionCode: number; reasonCode: number; text: string[] }>;
    overallCompletionCode: number;
    overallReasonCode: number;
  };
  assert.equal(body.overallCompletionCode, 0);
  assert.equal(body.overallReasonCode, 0);
  assert.equal(body.commandResponse[0]?.text[0], 'AMQ8417I: Display Channel Status details.');
  assert.ok(body.commandResponse[0]?.text.some((l) => l.includes('LSTSEQNO(0)')));
  const missing = await mqsc('QM.CZ', { type: 'runCommand', parameters: { command: 'DIS CHS(NOPE)' } });
  assert.deepEqual(await missing.json(), {
    commandResponse: [{ completionCode: 2, reasonCode: 3065, text: ['AMQ8420I: Channel Status not found.'] }],
    overallCompletionCode: 2,
    overallReasonCode: 3008,
  });
});

test('runCommandJSON returns parameters objects', async () => {
  const res = await mqsc('QM.CZ', {
    type: 'runCommandJSON',
    command: 'display',
    qualifier: 'qlocal',
    name: 'QM.ICBC',
    responseParameters: ['curdepth', 'usage'],
  });
  const body = (await res.json()) as { commandResponse: Array<{ parameters: Record<string, unknown> }> };
  assert.deepEqual(body.commandResponse[0]?.parameters, {
    queue: 'QM.ICBC',
    type: 'QLOCAL',
    curdepth: 0,
    usage: 'XMITQ',
  });
  const bad = await mqsc('QM.CZ', { type: 'runCommandJSON', qualifier: 'qlocal' });
  assert.equal(bad.status, 400);
});

test('messaging API: POST puts (201 + message id), DELETE gets destructively, 204 when empty', async () => {
  const base = `${server.url}/ibmmq/rest/v2/messaging/qmgr/QM.CZ/queue/PAY.FROM.ICBC/message`;
  const put = await fetch(base, {
    method: 'POST',
    headers: {
      Authorization: basicAuth,
      'ibm-mq-rest-csrf-token': '',
      'Content-Type': 'text/plain;charset=utf-8',
    },
    body: '{"head":{"msgType":"receipt"}}',
  });
  assert.equal(put.status, 201);
  const msgId = put.headers.get('ibm-mq-md-messageId');
  assert.match(msgId ?? '', /^[0-9A-F]{48}$/);
  const got = await fetch(base, {
    method: 'DELETE',
    headers: { Authorization: basicAuth, 'ibm-mq-rest-csrf-token': '' },
  });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('ibm-mq-md-messageId'), msgId);
  assert.equal(await got.text(), '{"head":{"msgType":"receipt"}}');
  const empty = await fetch(base, {
    method: 'DELETE',
    headers: { Authorization: basicAuth, 'ibm-mq-rest-csrf-token': '' },
  });
  assert.equal(empty.status, 204);
  const unknownQ = await fetch(`${server.url}/ibmmq/rest/v2/messaging/qmgr/QM.CZ/queue/NOPE/message`, {
    method: 'DELETE',
    headers: { Authorization: basicAuth, 'ibm-mq-rest-csrf-token': '' },
  });
  assert.equal(unknownQ.status, 404);
});

test('a remote queue put over REST travels the channel to the bank', async () => {
  const res = await fetch(`${server.url}/ibmmq/rest/v2/messaging/qmgr/QM.CZ/queue/PAY.TO.ICBC/message`, {
    method: 'POST',
    headers: {
      Authorization: basicAuth,
      'ibm-mq-rest-csrf-token': '',
      'Content-Type': 'text/plain',
      'ibm-mq-md-correlationId': 'V-1',
    },
    body: 'voucher',
  });
  assert.equal(res.status, 201);
  estate.drain();
  assert.equal(estate.get('QM.ICBC', 'PAY.IN', { correlId: 'V-1' })?.body, 'voucher');
});

test('paths outside /ibmmq are left to the caller', async () => {
  const res = await fetch(`${server.url}/other`);
  assert.equal(res.status, 404);
});
