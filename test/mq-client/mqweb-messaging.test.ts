import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MqwebMessaging } from '../../connectors/mq/mqweb-messaging.ts';
import { MqInvalidNameError, MqwebApiError } from '../../connectors/mq/errors.ts';
import {
  password,
  startFakeMqweb,
  user,
  type FakeMqweb,
  type RecordedRequest,
  type Reply,
} from './mqweb-server.ts';

// Behaviour per IBM's messaging REST API pages (POST / DELETE …/message): POST answers 201 with
// ibm-mq-md-messageId; DELETE answers 200 with the body and ibm-mq-md-* headers, or 204 when
// the queue is empty; ids are 48 hex digits in v2.
const queue: { body: string; messageId: string; correlationId: string }[] = [];
let sequence = 0;
let server: FakeMqweb;
const base = '/ibmmq/rest/v2/messaging/qmgr/QM%2ECZ/queue/PAY.TO.ICBC/message';
const none = '0'.repeat(48);

function route(req: RecordedRequest): Reply {
  const url = new URL(req.path, 'http://x');
  if (url.pathname !== base) {
    return { status: 404, body: { error: [{ msgId: 'MQWB0009E', message: 'no such queue manager' }] } };
  }
  if (req.method === 'POST') {
    const messageId = (0x414d5120 + ++sequence).toString(16).padStart(48, '0');
    queue.push({
      body: req.body,
      messageId,
      correlationId: String(req.headers['ibm-mq-md-correlationid'] ?? none),
    });
    return { status: 201, body: '', headers: { 'ibm-mq-md-messageId': messageId } };
  }
  const wanted = url.searchParams.get('correlationId');
  const index = queue.findIndex((m) => !wanted || m.correlationId.toUpperCase() === wanted.toUpperCase());
  if (index < 0) return { status: 204 };
  const [m] = queue.splice(index, 1);
  return {
    status: 200,
    body: m?.body ?? '',
    headers: {
      'ibm-mq-md-messageId': m?.messageId ?? '',
      'ibm-mq-md-correlationId': m?.correlationId ?? none,
      'ibm-mq-md-persistence': 'persistent',
    },
  };
}

before(async () => {
  server = await startFakeMqweb(route);
});
after(() => server.close());

const messaging = () => new MqwebMessaging({ baseUrl: server.url, user, password, timeoutMs: 2000 });

test('put sends a text/plain body with MQMD headers and returns the message id', async () => {
  const before = server.requests.length;
  const body = JSON.stringify({ head: { msgType: 'status_query', serialNo: 7, sender: 'CZ' }, body: {} });
  const correlationId = 'AB'.repeat(24);
  const put = await messaging().put('QM.CZ', 'PAY.TO.ICBC', body, { correlationId, expiryMs: 60_000 });
  const req = server.requests[before];
  assert.equal(req?.method, 'POST');
  assert.equal(req?.path, base);
  assert.equal(req?.body, body);
  assert.match(String(req?.headers['content-type']), /^text\/plain/);
  assert.equal(req?.headers['ibm-mq-md-persistence'], 'persistent');
  assert.equal(req?.headers['ibm-mq-md-expiry'], '60000');
  assert.equal(req?.headers['ibm-mq-md-correlationid'], correlationId);
  assert.ok(req?.headers['ibm-mq-rest-csrf-token']);
  assert.match(put.messageId, /^[0-9A-F]{48}$/);
  assert.equal(put.correlationId, correlationId);
});

test('get removes the matching message; an empty queue answers null', async () => {
  queue.length = 0;
  const m = messaging();
  await m.put('QM.CZ', 'PAY.TO.ICBC', 'first');
  const second = await m.put('QM.CZ', 'PAY.TO.ICBC', 'second', { correlationId: 'CD'.repeat(24) });
  const before = server.requests.length;
  const got = await m.get('QM.CZ', 'PAY.TO.ICBC', { correlationId: 'cd'.repeat(24), waitMs: 500 });
  const req = server.requests[before];
  assert.equal(req?.method, 'DELETE');
  assert.equal(req?.path, `${base}?wait=500&correlationId=${'CD'.repeat(24)}`);
  assert.equal(got?.body, 'second');
  assert.equal(got?.messageId, second.messageId);
  assert.equal(got?.correlationId, 'CD'.repeat(24));
  assert.equal(got?.persistent, true);

  const rest = [await m.get('QM.CZ', 'PAY.TO.ICBC'), await m.get('QM.CZ', 'PAY.TO.ICBC')];
  assert.equal(rest[0]?.body, 'first');
  assert.equal(rest[0]?.correlationId, undefined, 'an all-zero correlation id means none');
  assert.equal(rest[1], null);
});

test('errors and bad names', async () => {
  await assert.rejects(
    messaging().get('QM.NOPE', 'PAY.TO.ICBC'),
    (err) => err instanceof MqwebApiError && err.status === 404,
  );
  await assert.rejects(
    messaging().put('QM.CZ', 'PAY.TO.ICBC', 'x', { correlationId: 'nothex' }),
    MqInvalidNameError,
  );
  await assert.rejects(messaging().put('QM.CZ', '../admin', 'x'), MqInvalidNameError);
});
