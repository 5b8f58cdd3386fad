/**
 * The reverse proxy in front of the Temporal Web UI, over real HTTP to an upstream that records
 * what reaches it: what is forwarded and what is kept back, redirects, bounded bodies, streamed
 * answers and an upstream that is down. (The real UI behind it: temporal-ui-browser.test.ts.)
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createLogger } from '../../connectors/logging/logger.ts';
import { createTemporalUiProxy } from '../../inbox/temporal-ui-proxy.ts';
import { freePort } from '../../scripts/lib/free-port.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let upstream: Server;
let front: Server;
let base: string;
let upstreamOrigin: string;
const seen: Seen[] = [];

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

before(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === '/temporal') {
        res.writeHead(308, { location: `${upstreamOrigin}/temporal/` }).end();
      } else if (req.url === '/temporal/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: one\n\n');
        setTimeout(() => res.end('data: two\n\n'), 300);
      } else {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': '_csrf=abc; Path=/' });
        res.end(JSON.stringify({ ok: true }));
      }
    });
  });
  upstreamOrigin = await listen(upstream);
  const proxy = createTemporalUiProxy({
    upstream: new URL(upstreamOrigin),
    ownCookies: ['jincai_session', 'jincai_login'],
    log: createLogger('ui-proxy-test', 'silent'),
    maxBodyBytes: 1024,
  });
  front = createServer((req, res) => proxy(req, res));
  base = await listen(front);
});
after(async () => {
  front.closeAllConnections();
  upstream.closeAllConnections();
  await new Promise((r) => front.close(r));
  await new Promise((r) => upstream.close(r));
});

test('a request goes through with its method, path, query and body; the inbox session stays behind', async () => {
  const res = await fetch(`${base}/temporal/api/v1/namespaces/default/workflows/x?a=1`, {
    method: 'POST',
    headers: {
      cookie: 'jincai_session=SECRET-SESSION; _csrf=abc; jincai_login=LOGIN',
      'x-csrf-token': 'abc',
      'content-type': 'application/json',
    },
    body: '{"workflowId":"x"}',
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('set-cookie'), '_csrf=abc; Path=/', "the UI's own cookie comes back");
  const last = seen.at(-1)!;
  assert.equal(last.method, 'POST');
  assert.equal(last.url, '/temporal/api/v1/namespaces/default/workflows/x?a=1');
  assert.equal(last.body, '{"workflowId":"x"}');
  assert.equal(last.headers.cookie, '_csrf=abc');
  assert.equal(last.headers['x-csrf-token'], 'abc');
  assert.equal(last.headers.host, new URL(upstreamOrigin).host);
  assert.equal(last.headers['x-forwarded-host'], new URL(base).host);
  assert.doesNotMatch(JSON.stringify(last.headers), /SECRET-SESSION|LOGIN/);
});

test("the upstream's redirects point at the front door, not at the UI's private address", async () => {
  const res = await fetch(`${base}/temporal`, { redirect: 'manual' });
  assert.equal(res.status, 308);
  assert.equal(res.headers.get('location'), '/temporal/');
});

test('a body over the limit is refused with 413 and never reaches the UI whole', async () => {
  const before = seen.length;
  const declared = await fetch(`${base}/temporal/api/v1/big`, { method: 'POST', body: 'x'.repeat(2048) });
  assert.equal(declared.status, 413);
  const streamed = await fetch(`${base}/temporal/api/v1/big`, {
    method: 'POST',
    body: new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(512)));
        controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
  assert.equal(streamed.status, 413);
  assert.ok(
    seen.slice(before).every((s) => s.body.length <= 1024),
    'no oversized body was handed to the UI',
  );
});

test('server-sent events stream through as they come', async () => {
  const res = await fetch(`${base}/temporal/events`);
  const reader = res.body!.getReader();
  const first = Buffer.from((await reader.read()).value!).toString();
  assert.equal(first, 'data: one\n\n', 'the first event arrives before the answer ends');
  let rest = '';
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
  assert.equal(rest, 'data: two\n\n');
});

test('an upstream that is down is a 502 saying so', async () => {
  const proxy = createTemporalUiProxy({
    upstream: new URL(`http://127.0.0.1:${await freePort()}`),
    ownCookies: [],
    log: createLogger('ui-proxy-test', 'silent'),
  });
  const lonely = createServer((req, res) => proxy(req, res));
  const url = await listen(lonely);
  try {
    const res = await fetch(`${url}/temporal/`);
    assert.equal(res.status, 502);
    assert.match(await res.text(), /cannot be reached/);
  } finally {
    lonely.closeAllConnections();
    await new Promise((r) => lonely.close(r));
  }
});
