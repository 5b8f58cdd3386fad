/**
 * The send/receive programs' MQ connection (sandbox/programs/messaging-client.ts) against the
 * sandbox's MQI stand-in over real HTTP: a batch put is all or none, a browse leaves the messages
 * where they are, a get by message ids takes exactly those.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { MqEstate } from '../../sandbox/mq/estate.ts';
import { createMessagingClient, MessagingError } from '../../sandbox/programs/messaging-client.ts';
import { credentials, makeEstate, startMqweb } from './helpers.ts';

let estate: MqEstate;
let server: Awaited<ReturnType<typeof startMqweb>>;
let mq: ReturnType<typeof createMessagingClient>;

before(async () => {
  estate = await makeEstate(['ICBC']);
  server = await startMqweb(estate);
  mq = createMessagingClient({ baseUrl: server.url, ...credentials });
});
after(async () => {
  await server.close();
});

const queue = 'PAY.FROM.ICBC';

test('a batch is put in order, browsed without being taken, and got by its message ids', async () => {
  const { msgIds } = await mq.putAll('QM.CZ', queue, ['one', 'two', 'three']);
  assert.equal(msgIds.length, 3);
  assert.equal(new Set(msgIds).size, 3);

  const first = await mq.browse('QM.CZ', queue, 2);
  assert.deepEqual(
    first.map((m) => [m.msgId, m.body]),
    [
      [msgIds[0], 'one'],
      [msgIds[1], 'two'],
    ],
  );
  assert.equal(estate.depth('QM.CZ', queue), 3);

  await mq.getAll('QM.CZ', queue, [msgIds[0] as string, msgIds[2] as string]);
  assert.deepEqual(
    (await mq.browse('QM.CZ', queue, 10)).map((m) => m.body),
    ['two'],
  );
  await mq.getAll('QM.CZ', queue, [msgIds[1] as string]);
  assert.equal(estate.depth('QM.CZ', queue), 0);
});

test('a put the queue manager refuses part of takes none of the batch, and says so for certain', async () => {
  const q = estate.queueManager('QM.CZ')?.queues.get(queue);
  assert.ok(q);
  q.maxdepth = 2;
  try {
    await mq.putAll('QM.CZ', queue, ['kept']);
    await assert.rejects(
      mq.putAll('QM.CZ', queue, ['a', 'b']),
      (err: unknown) =>
        err instanceof MessagingError && err.definite && err.status === 409 && /2053/.test(err.message),
    );
    assert.deepEqual(
      (await mq.browse('QM.CZ', queue, 10)).map((m) => m.body),
      ['kept'],
    );
  } finally {
    q.maxdepth = 5000;
    estate.getAll(
      'QM.CZ',
      queue,
      estate.browse('QM.CZ', queue).map((m) => m.msgId),
    );
  }
});

test('a batch to a remote queue goes to the transmission queue, or none of it when that is full', async () => {
  const xmitq = estate.queueManager('QM.CZ')?.queues.get('QM.ICBC');
  assert.ok(xmitq);
  const before = xmitq.messages.length;
  xmitq.maxdepth = before + 1;
  try {
    await assert.rejects(mq.putAll('QM.CZ', 'PAY.TO.ICBC', ['x', 'y']), MessagingError);
    assert.equal(xmitq.messages.length, before);
  } finally {
    xmitq.maxdepth = 5000;
  }
});

test('unknown queues, bad bodies and strangers are refused', async () => {
  await assert.rejects(
    mq.putAll('QM.CZ', 'NO.SUCH.QUEUE', ['x']),
    (err: unknown) => err instanceof MessagingError && err.status === 404,
  );
  await assert.rejects(
    mq.browse('QM.NOPE', queue, 1),
    (err: unknown) => err instanceof MessagingError && err.status === 404,
  );
  const url = `${server.url}/sandbox/mqi/qmgr/QM.CZ/queue/${queue}/put`;
  const stranger = await fetch(url, { method: 'POST', body: JSON.stringify({ messages: ['x'] }) });
  assert.equal(stranger.status, 401);
  const auth = `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`;
  const bad = await fetch(url, {
    method: 'POST',
    headers: { authorization: auth },
    body: JSON.stringify({ messages: [1] }),
  });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /'messages'/);
  assert.equal(estate.depth('QM.CZ', queue), 0);
});
