import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqwebAdmin } from '../../connectors/mq/mqweb-admin.ts';
import { MqAuthError, MqUnreachableError } from '../../connectors/mq/port.ts';
import { MqInvalidNameError, MqwebApiError } from '../../connectors/mq/errors.ts';
import { closedPort, password, startFakeMqweb, user, type FakeMqweb, type Reply } from './mqweb-server.ts';
import {
  mqwebChstatusNotFound,
  mqwebDefineChannel,
  mqwebDisplayChstatus,
  mqwebJsonChstatus,
  mqwebJsonUnknownQueue,
  mqwebUnknownQmgr,
} from './fixtures.ts';

const mqscPath = '/ibmmq/rest/v2/admin/action/qmgr/QM%2ECZ/mqsc';
let server: FakeMqweb;

function route(req: { path: string; body: string }): Reply | 'hang' {
  if (req.path === '/ibmmq/rest/v2/admin/action/qmgr/QM%2ENOPE/mqsc')
    return { status: 404, body: mqwebUnknownQmgr };
  if (req.path !== mqscPath) return { status: 500, body: 'unexpected path' };
  const body = JSON.parse(req.body) as { type: string; parameters?: { command?: string }; name?: string };
  if (body.type === 'runCommandJSON') {
    return { status: 200, body: body.name === 'NO.SUCH.QUEUE' ? mqwebJsonUnknownQueue : mqwebJsonChstatus };
  }
  switch (body.parameters?.command) {
    case 'DISPLAY CHSTATUS(CZ.TO.ICBC) ALL':
      return { status: 200, body: mqwebDisplayChstatus };
    case 'DISPLAY CHSTATUS(CZ.TO.RCB) ALL':
      return { status: 200, body: mqwebChstatusNotFound };
    case 'DEFINE CHANNEL(NEWSVRCONN) CHLTYPE(SVRCONN)':
      return { status: 200, body: mqwebDefineChannel };
    case 'PING CHANNEL(SLOW)':
      return 'hang';
    default:
      return { status: 500, body: 'unexpected command' };
  }
}

before(async () => {
  server = await startFakeMqweb(route);
});
after(() => server.close());

const admin = () => new MqwebAdmin({ baseUrl: server.url, user, password, timeoutMs: 2000 });

test('runCommand posts the MQSC text with basic auth and the CSRF header', async () => {
  const before = server.requests.length;
  const result = await admin().runMqsc('QM.CZ', 'DISPLAY CHSTATUS(CZ.TO.ICBC) ALL');
  const req = server.requests[before];
  assert.equal(req?.method, 'POST');
  assert.equal(req?.path, mqscPath, 'the period of QM.CZ is encoded as IBM requires');
  assert.ok(req?.headers['ibm-mq-rest-csrf-token'], 'CSRF header sent');
  assert.equal(req?.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(req?.body ?? ''), {
    type: 'runCommand',
    parameters: { command: 'DISPLAY CHSTATUS(CZ.TO.ICBC) ALL' },
  });
  assert.equal(result.qmgr, 'QM.CZ');
  assert.equal(result.command, 'DISPLAY CHSTATUS(CZ.TO.ICBC) ALL');
  assert.equal(result.overallCompletionCode, 0);
  assert.equal(result.responses.length, 1);
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ8417I']);
  assert.equal(result.responses[0]?.attributes.STATUS, 'RUNNING');
  assert.equal(result.responses[0]?.attributes.CONNAME, '10.8.1.21(1414)');
});

test('the fake rejects a request without the CSRF header, so passing requests prove the client sends it', async () => {
  const res = await fetch(server.url + mqscPath, {
    method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') },
    body: JSON.stringify({ type: 'runCommand', parameters: { command: 'DISPLAY QMGR' } }),
  });
  assert.equal(res.status, 403);
  const result = await admin().runMqsc('QM.CZ', 'DEFINE CHANNEL(NEWSVRCONN) CHLTYPE(SVRCONN)');
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ8014I']);
  assert.deepEqual(result.responses[0]?.attributes, {});
});

test('per-object failure codes are kept: channel status not found', async () => {
  const result = await admin().runMqsc('QM.CZ', 'DISPLAY CHSTATUS(CZ.TO.RCB) ALL');
  assert.equal(result.overallCompletionCode, 2);
  assert.equal(result.overallReasonCode, 3008);
  assert.equal(result.responses[0]?.completionCode, 2);
  assert.equal(result.responses[0]?.reasonCode, 3065);
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ8420I']);
});

test('runCommandJSON maps lower-case parameters to upper-case attributes', async () => {
  const before = server.requests.length;
  const result = await admin().runCommandJson('QM.CZ', {
    command: 'display',
    qualifier: 'chstatus',
    name: 'CZ.TO.ICBC',
    responseParameters: ['all'],
  });
  assert.deepEqual(JSON.parse(server.requests[before]?.body ?? ''), {
    type: 'runCommandJSON',
    command: 'display',
    qualifier: 'chstatus',
    name: 'CZ.TO.ICBC',
    responseParameters: ['all'],
  });
  assert.equal(result.command, 'DISPLAY CHSTATUS(CZ.TO.ICBC) ALL');
  assert.deepEqual(result.responses[0]?.attributes, {
    CHANNEL: 'CZ.TO.ICBC',
    CHLTYPE: 'SDR',
    STATUS: 'RUNNING',
    SUBSTATE: 'MQGET',
    LSTSEQNO: '42',
    CURSEQNO: '42',
    INDOUBT: 'NO',
    CONNAME: '10.8.1.21(1414)',
    XMITQ: 'QM.ICBC',
  });
});

test('runCommandJSON failure items keep their codes and AMQ ids', async () => {
  const result = await admin().runCommandJson('QM.CZ', {
    command: 'display',
    qualifier: 'qlocal',
    name: 'NO.SUCH.QUEUE',
  });
  assert.equal(result.overallCompletionCode, 2);
  assert.equal(result.responses[0]?.reasonCode, 2085);
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ8147E']);
});

test('wrong credentials → MqAuthError', async () => {
  const bad = new MqwebAdmin({ baseUrl: server.url, user, password: 'wrong', timeoutMs: 2000 });
  await assert.rejects(
    bad.runMqsc('QM.CZ', 'DISPLAY QMGR'),
    (err) => err instanceof MqAuthError && err.qmgr === 'QM.CZ',
  );
});

test('mqweb error document → MqwebApiError with msgId and explanation', async () => {
  await assert.rejects(admin().runMqsc('QM.NOPE', 'DISPLAY QMGR'), (err) => {
    assert.ok(err instanceof MqwebApiError);
    assert.equal(err.status, 404);
    assert.equal(err.msgId, 'MQWB0009E');
    assert.match(err.explanation, /cannot be located/);
    return true;
  });
});

test('connection refused → MqUnreachableError', async () => {
  const port = await closedPort();
  const down = new MqwebAdmin({ baseUrl: `http://127.0.0.1:${port}`, user, password, timeoutMs: 2000 });
  await assert.rejects(down.runMqsc('QM.CZ', 'DISPLAY QMGR'), (err) => {
    assert.ok(err instanceof MqUnreachableError);
    assert.match(err.message, /ECONNREFUSED/);
    return true;
  });
});

test('a request that gets no answer times out → MqUnreachableError', async () => {
  const slow = new MqwebAdmin({ baseUrl: server.url, user, password, timeoutMs: 200 });
  await assert.rejects(slow.runMqsc('QM.CZ', 'PING CHANNEL(SLOW)'), (err) => {
    assert.ok(err instanceof MqUnreachableError);
    assert.match(err.message, /timed out/);
    return true;
  });
});

test('a second command smuggled in on a new line is refused before any request', async () => {
  const before = server.requests.length;
  await assert.rejects(
    admin().runMqsc('QM.CZ', 'DISPLAY QMGR\nDELETE QLOCAL(PAY.FROM.ICBC)'),
    (err) => err instanceof MqInvalidNameError,
  );
  await assert.rejects(
    admin().runMqsc('QM.CZ/../x', 'DISPLAY QMGR'),
    (err) => err instanceof MqInvalidNameError,
  );
  assert.equal(server.requests.length, before);
});

test('https with mq.mqweb.caFile trusts the private CA; without it the certificate is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mqweb-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  } catch {
    t.skip('openssl not available');
    return;
  }
  const { readFileSync } = await import('node:fs');
  const tlsServer = await startFakeMqweb(route, { key: readFileSync(key), cert: readFileSync(cert) });
  t.after(() => tlsServer.close());
  const trusted = new MqwebAdmin({ baseUrl: tlsServer.url, user, password, caFile: cert, timeoutMs: 2000 });
  const result = await trusted.runMqsc('QM.CZ', 'DISPLAY CHSTATUS(CZ.TO.ICBC) ALL');
  assert.equal(result.responses[0]?.attributes.CHANNEL, 'CZ.TO.ICBC');
  assert.ok(tlsServer.requests[0]?.headers['ibm-mq-rest-csrf-token']);
  const untrusted = new MqwebAdmin({ baseUrl: tlsServer.url, user, password, timeoutMs: 2000 });
  await assert.rejects(untrusted.runMqsc('QM.CZ', 'DISPLAY CHSTATUS(CZ.TO.ICBC) ALL'), MqUnreachableError);
});
