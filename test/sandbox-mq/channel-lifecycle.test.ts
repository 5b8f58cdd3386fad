import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attrsOf, makeEstate } from './helpers.ts';
import { runMqsc } from '../../sandbox/mq/mqsc/execute.ts';

const payment = (n: number) =>
  JSON.stringify({ head: { msgType: 'direct_payment', serialNo: n, sender: 'CZ' }, body: { n } });

test('channels start RUNNING and move messages in batches, advancing sequence numbers on both ends', async () => {
  const estate = await makeEstate();
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'RUNNING');
  assert.equal(attrsOf(estate, 'QM.ICBC', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'RUNNING');
  for (let i = 1; i <= 120; i++) estate.put('QM.CZ', 'PAY.TO.ICBC', payment(i));
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 120);
  estate.tick();
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 70, 'one batch of BATCHSZ(50) per tick');
  estate.drain();
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 0);
  assert.equal(estate.depth('QM.ICBC', 'PAY.IN'), 120);
  const sender = attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC) ALL');
  const receiver = attrsOf(estate, 'QM.ICBC', 'DIS CHS(CZ.TO.ICBC) ALL');
  assert.equal(sender.LSTSEQNO, '120');
  assert.equal(receiver.LSTSEQNO, '120');
  assert.equal(sender.MSGS, '120');
  assert.equal(sender.BATCHES, '3');
  assert.match(sender.LSTMSGDA ?? '', /^\d{4}-\d{2}-\d{2}$/);
  assert.match(sender.LSTMSGTI ?? '', /^\d{2}\.\d{2}\.\d{2}$/);
  const first = estate.get('QM.ICBC', 'PAY.IN');
  assert.equal(first?.body, payment(1), 'order is kept');
  assert.equal(first?.format, 'MQSTR');
});

test('messages from the bank come back through its sender to PAY.FROM.<bank>', async () => {
  const estate = await makeEstate();
  estate.put('QM.ABC', 'PAY.TO.CZ', '{"head":{"msgType":"receipt"}}');
  estate.drain();
  assert.equal(estate.depth('QM.CZ', 'PAY.FROM.ABC'), 1);
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(ABC.TO.CZ) LSTSEQNO').LSTSEQNO, '1');
});

test('a missing or put-inhibited target sends the message to the DLQ with the reason', async () => {
  const estate = await makeEstate();
  const payIn = estate.queueManager('QM.ICBC')?.queues.get('PAY.IN');
  assert.ok(payIn);
  payIn.put = 'DISABLED';
  estate.put('QM.CZ', 'PAY.TO.ICBC', payment(1));
  estate.drain();
  const [dead] = estate.browse('QM.ICBC', 'SYSTEM.DEAD.LETTER.QUEUE');
  assert.equal(dead?.deadLetter?.reason, 2051);
  assert.equal(dead?.deadLetter?.destQueue, 'PAY.IN');
  assert.equal(estate.depth('QM.ICBC', 'PAY.IN'), 0);
});

test('network down → RETRYING and ping fails; network up → RUNNING and the backlog arrives', async () => {
  const estate = await makeEstate();
  await estate.setNetworkDown('ICBC', true);
  estate.put('QM.CZ', 'PAY.TO.ICBC', payment(1));
  estate.drain(5);
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'RETRYING');
  assert.equal(
    runMqsc(estate, 'QM.ICBC', 'DIS CHS(CZ.TO.ICBC)').items[0]?.reasonCode,
    3065,
    'receiver end has ended',
  );
  const ping = runMqsc(estate, 'QM.CZ', 'PING CHANNEL(CZ.TO.ICBC)');
  assert.equal(ping.items[0]?.reasonCode, 4010);
  assert.match(
    ping.items[0]?.text[0] ?? '',
    /^AMQ9202E: Remote host '127\.0\.0\.1 \(\d+\)' not available, retry later\.$/,
  );
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 1);

  await estate.setNetworkDown('ICBC', false);
  estate.drain(10);
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'RUNNING');
  assert.equal(estate.depth('QM.ICBC', 'PAY.IN'), 1);
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(ABC.TO.CZ)').STATUS, 'RUNNING', 'other banks are untouched');
});

test('sequence mismatch → STOPPED with AMQ9526; RESET + START → RUNNING, each message arrives once', async () => {
  const estate = await makeEstate();
  for (let i = 1; i <= 3; i++) estate.put('QM.CZ', 'PAY.TO.ICBC', payment(i));
  estate.drain();
  estate.injectSequenceMismatch('ICBC', 5);
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'STOPPED');
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC) LSTSEQNO').LSTSEQNO, '3');
  assert.equal(attrsOf(estate, 'QM.ICBC', 'DIS CHS(CZ.TO.ICBC) SAVED LSTSEQNO').LSTSEQNO, '8');

  for (let i = 4; i <= 6; i++) estate.put('QM.CZ', 'PAY.TO.ICBC', payment(i));
  assert.equal(
    runMqsc(estate, 'QM.CZ', 'START CHANNEL(CZ.TO.ICBC)').items[0]?.text[0],
    'AMQ8018I: Start IBM MQ channel accepted.',
  );
  estate.drain();
  assert.equal(
    attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS,
    'STOPPED',
    'a restart alone hits AMQ9526 again',
  );
  assert.ok(
    estate
      .errorLog('QM.CZ')
      .some(
        (l) =>
          l.includes('AMQ9526E') &&
          l.includes('sequence number 4 has been sent when sequence number 9 was expected'),
      ),
  );
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 3);

  const reset = runMqsc(estate, 'QM.CZ', 'RESET CHANNEL(CZ.TO.ICBC) SEQNUM(8)');
  assert.equal(reset.items[0]?.text[0], 'AMQ8023I: IBM MQ channel reset.');
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHL(CZ.TO.ICBC) RESETSEQ').RESETSEQ, '8');
  runMqsc(estate, 'QM.CZ', 'START CHANNEL(CZ.TO.ICBC)');
  estate.drain();
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'RUNNING');
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC) LSTSEQNO').LSTSEQNO, '11');
  assert.equal(attrsOf(estate, 'QM.ICBC', 'DIS CHS(CZ.TO.ICBC) LSTSEQNO').LSTSEQNO, '11');
  const bodies = estate.browse('QM.ICBC', 'PAY.IN').map((m) => JSON.parse(m.body).body.n as number);
  assert.deepEqual(bodies, [1, 2, 3, 4, 5, 6]);
});

test('RESET is refused while the channel runs', async () => {
  const estate = await makeEstate();
  const out = runMqsc(estate, 'QM.CZ', 'RESET CHANNEL(CZ.TO.ICBC) SEQNUM(1)');
  assert.equal(out.items[0]?.reasonCode, 4031);
  assert.equal(out.items[0]?.text[0], "AMQ9514E: Channel 'CZ.TO.ICBC' is in use.");
});

test('in-doubt batch blocks until RESOLVE; BACKOUT puts it back and it is delivered exactly once', async () => {
  const estate = await makeEstate();
  estate.stopChannel('QM.CZ', 'CZ.TO.ICBC');
  for (let i = 1; i <= 4; i++) estate.put('QM.CZ', 'PAY.TO.ICBC', payment(i));
  assert.deepEqual(estate.injectInDoubt('ICBC'), { messages: 4 });
  const st = attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC) ALL');
  assert.equal(st.INDOUBT, 'YES');
  assert.equal(st.CURMSGS, '4');
  assert.equal(st.CURSEQNO, '4');
  assert.equal(st.LSTSEQNO, '0');
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 0);

  runMqsc(estate, 'QM.CZ', 'START CHANNEL(CZ.TO.ICBC)');
  estate.drain();
  assert.equal(
    attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS,
    'STOPPED',
    'start does not get past the in-doubt batch',
  );

  const resolve = runMqsc(estate, 'QM.CZ', 'RESOLVE CHANNEL(CZ.TO.ICBC) ACTION(BACKOUT)');
  assert.equal(resolve.overallCompletionCode, 0);
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 4);
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC) INDOUBT').INDOUBT, 'NO');
  runMqsc(estate, 'QM.CZ', 'START CHANNEL(CZ.TO.ICBC)');
  estate.drain();
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'RUNNING');
  assert.deepEqual(
    estate.browse('QM.ICBC', 'PAY.IN').map((m) => JSON.parse(m.body).body.n as number),
    [1, 2, 3, 4],
  );
});

test('RESOLVE COMMIT discards the batch from the xmitq and advances the sender', async () => {
  const estate = await makeEstate();
  estate.stopChannel('QM.CZ', 'CZ.TO.ICBC');
  estate.put('QM.CZ', 'PAY.TO.ICBC', payment(1));
  estate.injectInDoubt('ICBC', { received: true });
  assert.equal(estate.depth('QM.ICBC', 'PAY.IN'), 1, 'the bank had committed it');
  runMqsc(estate, 'QM.CZ', 'RESOLVE CHANNEL(CZ.TO.ICBC) ACTION(COMMIT)');
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 0);
  runMqsc(estate, 'QM.CZ', 'START CHANNEL(CZ.TO.ICBC)');
  estate.drain();
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'RUNNING');
  assert.equal(estate.depth('QM.ICBC', 'PAY.IN'), 1);
});

test('a STOPPED channel stays stopped until START, and is not triggered by new messages', async () => {
  const estate = await makeEstate();
  runMqsc(estate, 'QM.CZ', 'STOP CHANNEL(CZ.TO.ICBC)');
  estate.put('QM.CZ', 'PAY.TO.ICBC', payment(1));
  estate.drain();
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'STOPPED');
  assert.equal(estate.depth('QM.CZ', 'QM.ICBC'), 1);
  assert.equal(
    runMqsc(estate, 'QM.CZ', 'PING CHANNEL(CZ.TO.ICBC)').items[0]?.text[0],
    'AMQ8020I: Ping IBM MQ channel complete.',
  );
  runMqsc(estate, 'QM.CZ', 'START CHANNEL(CZ.TO.ICBC)');
  estate.drain();
  assert.equal(estate.depth('QM.ICBC', 'PAY.IN'), 1);
  const ping = runMqsc(estate, 'QM.CZ', 'PING CHANNEL(CZ.TO.ICBC)');
  assert.equal(ping.items[0]?.text[0], "AMQ9514E: Channel 'CZ.TO.ICBC' is in use.");
});

test('STOP ... STATUS(INACTIVE) leaves no status; an INACTIVE sender is triggered by its xmitq', async () => {
  const estate = await makeEstate();
  runMqsc(estate, 'QM.CZ', 'STOP CHANNEL(CZ.TO.ICBC) MODE(QUIESCE) STATUS(INACTIVE)');
  estate.drain();
  assert.equal(
    runMqsc(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').items[0]?.text[0],
    'AMQ8420I: Channel Status not found.',
  );
  estate.put('QM.CZ', 'PAY.TO.ICBC', payment(1));
  estate.drain();
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC)').STATUS, 'RUNNING');
  assert.equal(estate.depth('QM.ICBC', 'PAY.IN'), 1);
});

test('dead letters and clearFaults', async () => {
  const estate = await makeEstate();
  estate.addDeadLetters('QM.CZ', 3);
  assert.equal(attrsOf(estate, 'QM.CZ', 'DIS QL(SYSTEM.DEAD.LETTER.QUEUE) CURDEPTH').CURDEPTH, '3');
  assert.equal(estate.browse('QM.CZ', 'SYSTEM.DEAD.LETTER.QUEUE')[0]?.deadLetter?.reason, 2085);
  await estate.setNetworkDown('ABC', true);
  estate.injectSequenceMismatch('ICBC');
  await estate.clearFaults();
  estate.drain();
  assert.equal(estate.depth('QM.CZ', 'SYSTEM.DEAD.LETTER.QUEUE'), 0);
  for (const ch of ['CZ.TO.ICBC', 'CZ.TO.ABC'])
    assert.equal(attrsOf(estate, 'QM.CZ', `DIS CHS(${ch})`).STATUS, 'RUNNING');
  const snap = estate.snapshot();
  assert.deepEqual(snap.networkDown, []);
  assert.equal(snap.qmgrs.length, 3);
});

test('put to an unknown queue or a put-inhibited queue throws with the MQ reason', async () => {
  const estate = await makeEstate();
  assert.throws(() => estate.put('QM.CZ', 'NO.SUCH.Q', 'x'), /not found/);
  const q = estate.queueManager('QM.CZ')?.queues.get('PAY.FROM.ICBC');
  assert.ok(q);
  q.put = 'DISABLED';
  assert.throws(
    () => estate.put('QM.CZ', 'PAY.FROM.ICBC', 'x'),
    (err: Error & { reason?: number }) => err.reason === 2051,
  );
  const { msgId } = estate.put('QM.CZ', 'PAY.FROM.ABC', 'hello', { correlId: 'VOUCHER-1' });
  assert.match(msgId, /^414D5120514D2E435A20/);
  assert.equal(estate.get('QM.CZ', 'PAY.FROM.ABC', { correlId: 'VOUCHER-1' })?.body, 'hello');
  assert.equal(estate.get('QM.CZ', 'PAY.FROM.ABC'), undefined);
});
