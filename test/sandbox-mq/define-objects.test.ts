import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../../scripts/lib/free-port.ts';
import { attrsOf, makeEstate } from './helpers.ts';
import { runMqsc } from '../../sandbox/mq/mqsc/execute.ts';

const text = (out: ReturnType<typeof runMqsc>) => out.items.flatMap((i) => i.text).join('\n');

test('DEFINE QLOCAL / QREMOTE answer as a queue manager does: created, exists, different type', async () => {
  const estate = await makeEstate(['ICBC']);
  const define =
    "DEFINE QLOCAL(QM.HXB) USAGE(XMITQ) DESCR('Transmission queue to HXB') TRIGGER TRIGTYPE(FIRST) TRIGDATA(CZ.TO.HXB) INITQ(SYSTEM.CHANNEL.INITQ)";
  const first = runMqsc(estate, 'QM.CZ', define);
  assert.equal(first.overallCompletionCode, 0);
  assert.equal(text(first), 'AMQ8006I: IBM MQ queue created.');
  const q = attrsOf(estate, 'QM.CZ', 'DISPLAY QLOCAL(QM.HXB) ALL');
  assert.equal(q.USAGE, 'XMITQ');
  assert.equal(q.TRIGDATA, 'CZ.TO.HXB');
  assert.equal(q.DESCR, 'Transmission queue to HXB');

  const again = runMqsc(estate, 'QM.CZ', define);
  assert.equal(again.overallCompletionCode, 2);
  assert.equal(again.items[0]?.reasonCode, 4001);
  assert.equal(text(again), 'AMQ8150E: IBM MQ object already exists.');

  // REPLACE keeps the messages a local queue holds.
  estate.put('QM.CZ', 'QM.HXB', 'held');
  const replaced = runMqsc(estate, 'QM.CZ', `${define} REPLACE`);
  assert.equal(text(replaced), 'AMQ8006I: IBM MQ queue created.');
  assert.equal(estate.depth('QM.CZ', 'QM.HXB'), 1);

  const remote = runMqsc(
    estate,
    'QM.CZ',
    'DEF QREMOTE(PAY.TO.HXB) RNAME(PAY.IN) RQMNAME(QM.HXB) XMITQ(QM.HXB)',
  );
  assert.equal(text(remote), 'AMQ8006I: IBM MQ queue created.');
  const wrongType = runMqsc(estate, 'QM.CZ', 'DEFINE QLOCAL(PAY.TO.HXB) REPLACE');
  assert.equal(wrongType.items[0]?.reasonCode, 4002);
  assert.equal(text(wrongType), 'AMQ8151E: IBM MQ object has different type.');

  for (const bad of [
    'DEFINE QLOCAL(X.Y) DEFPSIST(YES)',
    'DEFINE QLOCAL(X.Y) USAGE(SOMETIMES)',
    'DEFINE QLOCAL(X.Y) REPLACE NOREPLACE',
    'DEFINE QREMOTE(X.Y) USAGE(XMITQ)',
    'DEFINE QUEUE(X.Y)',
  ]) {
    const out = runMqsc(estate, 'QM.CZ', bad);
    assert.equal(out.syntaxError, true, bad);
    assert.match(text(out), /^AMQ8405E/, bad);
  }
});

test('DEFINE CHANNEL: a sender needs CONNAME and XMITQ; a receiver takes neither', async () => {
  const estate = await makeEstate(['ICBC']);
  for (const bad of [
    'DEFINE CHANNEL(CZ.TO.HXB) TRPTYPE(TCP)',
    'DEFINE CHANNEL(CZ.TO.HXB) CHLTYPE(SDR) TRPTYPE(TCP) XMITQ(QM.HXB)',
    "DEFINE CHANNEL(HXB.TO.CZ) CHLTYPE(RCVR) CONNAME('127.0.0.1(1)')",
    'DEFINE CHANNEL(CZ.TO.HXB) CHLTYPE(SVRCONN)',
    'DEFINE CHANNEL(A.NAME.LONGER.THAN.20) CHLTYPE(RCVR)',
  ]) {
    assert.equal(runMqsc(estate, 'QM.CZ', bad).syntaxError, true, bad);
  }
  const rcvr = runMqsc(estate, 'QM.CZ', 'DEFINE CHANNEL(HXB.TO.CZ) CHLTYPE(RCVR) TRPTYPE(TCP)');
  assert.equal(text(rcvr), 'AMQ8014I: IBM MQ channel created.');
  assert.equal(attrsOf(estate, 'QM.CZ', 'DISPLAY CHANNEL(HXB.TO.CZ) ALL').CHLTYPE, 'RCVR');
  const clash = runMqsc(
    estate,
    'QM.CZ',
    "DEFINE CHANNEL(HXB.TO.CZ) CHLTYPE(SDR) CONNAME('h(1)') XMITQ(QM.HXB) REPLACE",
  );
  assert.equal(text(clash), 'AMQ8151E: IBM MQ object has different type.');
});

test('a bank brought online at run time and finance defining its side: messages flow both ways', async () => {
  const estate = await makeEstate(['ICBC']);
  await estate.listen();
  try {
    const port = await freePort();
    await estate.addBank({
      code: 'HXB',
      qmgr: 'QM.HXB',
      senderChannel: 'CZ.TO.HXB',
      receiverChannel: 'HXB.TO.CZ',
      xmitq: 'QM.HXB',
      frontEnd: { host: '127.0.0.1', port },
    });
    assert.equal(attrsOf(estate, 'QM.HXB', 'DISPLAY CHANNEL(CZ.TO.HXB) ALL').CHLTYPE, 'RCVR');
    assert.equal(attrsOf(estate, 'QM.HXB', 'DISPLAY CHANNEL(HXB.TO.CZ) ALL').CHLTYPE, 'SDR');
    assert.equal(runMqsc(estate, 'QM.CZ', 'DISPLAY CHANNEL(CZ.TO.HXB)').items[0]?.reasonCode, 2085);

    // The bank answers before finance has its receiver: the bank's sender cannot get through.
    estate.put('QM.HXB', 'PAY.TO.CZ', 'early');
    for (let i = 0; i < 4; i++) estate.tick();
    assert.equal(estate.channels.findEnd('QM.HXB', 'HXB.TO.CZ')?.end.rt.status, 'RETRYING');
    assert.ok(estate.errorLog('QM.HXB').some((l) => l.includes('AMQ9520E')));

    for (const command of [
      'DEFINE QLOCAL(QM.HXB) USAGE(XMITQ) TRIGGER TRIGTYPE(FIRST) TRIGDATA(CZ.TO.HXB) INITQ(SYSTEM.CHANNEL.INITQ) REPLACE',
      `DEFINE CHANNEL(CZ.TO.HXB) CHLTYPE(SDR) TRPTYPE(TCP) CONNAME('127.0.0.1(${port})') XMITQ(QM.HXB) REPLACE`,
      'DEFINE CHANNEL(HXB.TO.CZ) CHLTYPE(RCVR) TRPTYPE(TCP) REPLACE',
      'DEFINE QREMOTE(PAY.TO.HXB) RNAME(PAY.IN) RQMNAME(QM.HXB) XMITQ(QM.HXB) REPLACE',
      'DEFINE QLOCAL(PAY.FROM.HXB) REPLACE',
    ]) {
      assert.equal(runMqsc(estate, 'QM.CZ', command).overallCompletionCode, 0, command);
    }
    const start = runMqsc(estate, 'QM.CZ', 'START CHANNEL(CZ.TO.HXB)');
    assert.equal(text(start), 'AMQ8018I: Start IBM MQ channel accepted.');
    estate.put('QM.CZ', 'PAY.TO.HXB', 'query');
    estate.drain(20);
    assert.equal(estate.channels.findEnd('QM.CZ', 'CZ.TO.HXB')?.end.rt.status, 'RUNNING');
    assert.equal(estate.get('QM.HXB', 'PAY.IN')?.body, 'query');

    // The bank's sender retries on its timer and then delivers what waited.
    runMqsc(estate, 'QM.HXB', 'START CHANNEL(HXB.TO.CZ)');
    estate.put('QM.HXB', 'PAY.TO.CZ', 'answer');
    estate.drain(20);
    assert.deepEqual(
      estate.browse('QM.CZ', 'PAY.FROM.HXB').map((m) => m.body),
      ['early', 'answer'],
    );
    assert.equal(attrsOf(estate, 'QM.CZ', 'DISPLAY CHSTATUS(HXB.TO.CZ)').STATUS, 'RUNNING');
  } finally {
    await estate.close();
  }
});

test('a sender pointed at a port nobody listens on cannot reach its partner (AMQ9202E)', async () => {
  const estate = await makeEstate(['ICBC']);
  await estate.listen();
  try {
    const port = await freePort();
    await estate.addBank({
      code: 'HXB',
      qmgr: 'QM.HXB',
      senderChannel: 'CZ.TO.HXB',
      receiverChannel: 'HXB.TO.CZ',
      xmitq: 'QM.HXB',
      frontEnd: { host: '127.0.0.1', port },
    });
    runMqsc(estate, 'QM.CZ', 'DEFINE QLOCAL(QM.HXB) USAGE(XMITQ)');
    runMqsc(
      estate,
      'QM.CZ',
      `DEFINE CHANNEL(CZ.TO.HXB) CHLTYPE(SDR) CONNAME('127.0.0.1(${port + 1})') XMITQ(QM.HXB)`,
    );
    const ping = runMqsc(estate, 'QM.CZ', 'PING CHANNEL(CZ.TO.HXB)');
    assert.match(text(ping), /AMQ9202E/);
    // Correcting the CONNAME with REPLACE joins the bank's receiver.
    runMqsc(
      estate,
      'QM.CZ',
      `DEFINE CHANNEL(CZ.TO.HXB) CHLTYPE(SDR) CONNAME('127.0.0.1(${port})') XMITQ(QM.HXB) REPLACE`,
    );
    assert.equal(
      text(runMqsc(estate, 'QM.CZ', 'PING CHANNEL(CZ.TO.HXB)')),
      'AMQ8020I: Ping IBM MQ channel complete.',
    );
    await assert.rejects(
      estate.addBank({
        code: 'HXB2',
        qmgr: 'QM.HXB',
        senderChannel: 'CZ.TO.HXB2',
        receiverChannel: 'HXB2.TO.CZ',
        xmitq: 'QM.HXB2',
        frontEnd: { host: '127.0.0.1', port: await freePort() },
      }),
      /QM\.HXB already exists/,
    );
  } finally {
    await estate.close();
  }
});
