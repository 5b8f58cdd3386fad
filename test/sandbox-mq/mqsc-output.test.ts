import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEstate } from './helpers.ts';
import { runMqsc } from '../../sandbox/mq/mqsc/execute.ts';
import { runMqscJson, toMqscText } from '../../sandbox/mq/mqsc/json-command.ts';
import { formatAttrs } from '../../sandbox/mq/mqsc/format.ts';
import { parseMqsc } from '../../sandbox/mq/mqsc/parse.ts';

const lines = (text: string[]) => text.join('\n');

test('attributes print two to a line in 40-column cells, long ones alone', () => {
  assert.deepEqual(
    formatAttrs([
      { key: 'CHANNEL', value: 'CZ.TO.ICBC' },
      { key: 'CHLTYPE', value: 'SDR' },
      { key: 'DESCR', value: '' },
      { key: 'CONNAME', value: 'a-very-long-front-end-host.example.cn(14141)' },
      { key: 'CURRENT' },
    ]),
    [
      '   CHANNEL(CZ.TO.ICBC)                     CHLTYPE(SDR)',
      '   DESCR( )',
      '   CONNAME(a-very-long-front-end-host.example.cn(14141))',
      '   CURRENT',
    ],
  );
});

test('parser: synonyms, case folding, quoted names, generic names', () => {
  const c = parseMqsc("dis chs('CZ.TO.ICBC') all");
  assert.equal(c.verb, 'DISPLAY');
  assert.equal(c.object, 'CHSTATUS');
  assert.equal(c.name, 'CZ.TO.ICBC');
  assert.deepEqual(c.keywords, [{ key: 'ALL' }]);
  assert.equal(parseMqsc('DISPLAY QLOCAL (pay.*) CURDEPTH').name, 'PAY.*');
  assert.equal(parseMqsc("DIS QL('lower.case')").name, 'lower.case');
});

test('DISPLAY CHSTATUS default shape (AMQ8417I)', async () => {
  const estate = await makeEstate(['ICBC']);
  const out = runMqsc(estate, 'QM.CZ', 'DISPLAY CHSTATUS(CZ.TO.ICBC)');
  assert.equal(out.overallCompletionCode, 0);
  const port = estate.channels.findEnd('QM.CZ', 'CZ.TO.ICBC')?.link.target.port;
  assert.equal(
    lines(out.items[0]?.text ?? []),
    [
      'AMQ8417I: Display Channel Status details.',
      '   CHANNEL(CZ.TO.ICBC)                     CHLTYPE(SDR)',
      `   CONNAME(127.0.0.1(${port}))`.padEnd(43) + 'CURRENT',
      '   RQMNAME(QM.ICBC)                        STATUS(RUNNING)',
      '   SUBSTATE(MQGET)                         XMITQ(QM.ICBC)',
    ].join('\n'),
  );
});

test('DISPLAY CHSTATUS(*) lists every end with status; unknown → AMQ8420I with 3065', async () => {
  const estate = await makeEstate(['ICBC', 'ABC']);
  const all = runMqsc(estate, 'QM.CZ', 'DIS CHS(*)');
  assert.deepEqual(
    all.items.map((i) => i.attrs?.find((a) => a.key === 'CHANNEL')?.value),
    ['ABC.TO.CZ', 'CZ.TO.ABC', 'CZ.TO.ICBC', 'ICBC.TO.CZ'],
  );
  const none = runMqsc(estate, 'QM.CZ', 'DIS CHS(NO.SUCH)');
  assert.equal(none.overallCompletionCode, 2);
  assert.equal(none.overallReasonCode, 3008);
  assert.deepEqual(none.items, [
    { completionCode: 2, reasonCode: 3065, text: ['AMQ8420I: Channel Status not found.'] },
  ]);
});

test('DISPLAY CHANNEL, QLOCAL, QUEUE, QMGR shapes', async () => {
  const estate = await makeEstate(['ICBC']);
  assert.equal(
    lines(runMqsc(estate, 'QM.CZ', 'DIS CHL(CZ.TO.ICBC)').items[0]?.text ?? []),
    'AMQ8414I: Display Channel details.\n   CHANNEL(CZ.TO.ICBC)                     CHLTYPE(SDR)',
  );
  estate.put('QM.CZ', 'PAY.FROM.ICBC', 'x');
  assert.equal(
    lines(runMqsc(estate, 'QM.CZ', 'DIS QL(PAY.FROM.ICBC) CURDEPTH').items[0]?.text ?? []),
    'AMQ8409I: Display Queue details.\n   QUEUE(PAY.FROM.ICBC)                    TYPE(QLOCAL)\n   CURDEPTH(1)',
  );
  const xq = runMqsc(estate, 'QM.CZ', 'DIS QLOCAL(QM.ICBC) ALL').items[0]?.attrs ?? [];
  assert.ok(xq.some((a) => a.key === 'USAGE' && a.value === 'XMITQ'));
  assert.ok(xq.some((a) => a.key === 'TRIGGER' && a.value === undefined));
  const remote = runMqsc(estate, 'QM.CZ', 'DIS QUEUE(PAY.TO.ICBC) ALL').items[0]?.attrs ?? [];
  assert.deepEqual(
    remote
      .filter((a) => ['RNAME', 'RQMNAME', 'XMITQ', 'TYPE'].includes(a.key))
      .map((a) => `${a.key}(${a.value})`),
    ['TYPE(QREMOTE)', 'RNAME(PAY.IN)', 'RQMNAME(QM.ICBC)', 'XMITQ(QM.ICBC)'],
  );
  assert.equal(
    lines(runMqsc(estate, 'QM.CZ', 'DISPLAY QMGR DEADQ').items[0]?.text ?? []),
    'AMQ8408I: Display Queue Manager details.\n   QMNAME(QM.CZ)                           DEADQ(SYSTEM.DEAD.LETTER.QUEUE)',
  );
  const missing = runMqsc(estate, 'QM.CZ', 'DIS QL(NOPE)');
  assert.deepEqual(missing.items[0], {
    completionCode: 2,
    reasonCode: 2085,
    text: ['AMQ8147E: IBM MQ object NOPE not found.'],
  });
});

test('syntax errors give AMQ8405E with the command segment', async () => {
  const estate = await makeEstate(['ICBC']);
  const bad = runMqsc(estate, 'QM.CZ', 'DIS CHS(CZ.TO.ICBC) BOGUS');
  assert.equal(bad.syntaxError, true);
  assert.deepEqual(bad.items[0]?.text, [
    'AMQ8405E: Syntax error detected at or near end of command segment below:-',
    'DIS CHS(CZ.TO.ICBC) BOGUS',
  ]);
  assert.equal(runMqsc(estate, 'QM.CZ', 'DIS CHS(*) WHERE(STATUS EQ RETRYING)').syntaxError, true);
  assert.equal(runMqsc(estate, 'QM.CZ', 'RESOLVE CHANNEL(CZ.TO.ICBC)').syntaxError, true);
  assert.equal(runMqsc(estate, 'QM.CZ', 'RESET CHANNEL(CZ.TO.ICBC) SEQNUM(abc)').syntaxError, true);
  assert.equal(runMqsc(estate, 'QM.CZ', 'FROB CHANNEL(X)').syntaxError, true);
});

test('action commands answer with their AMQ lines', async () => {
  const estate = await makeEstate(['ICBC']);
  const text = (c: string) => runMqsc(estate, 'QM.CZ', c).items[0]?.text[0];
  assert.equal(text('STOP CHANNEL(CZ.TO.ICBC) MODE(FORCE)'), 'AMQ8019I: Stop IBM MQ channel accepted.');
  assert.equal(text('PING CHL(CZ.TO.ICBC)'), 'AMQ8020I: Ping IBM MQ channel complete.');
  assert.equal(text('RESET CHL(CZ.TO.ICBC) SEQNUM(7)'), 'AMQ8023I: IBM MQ channel reset.');
  assert.equal(text('START CHL(CZ.TO.ICBC)'), 'AMQ8018I: Start IBM MQ channel accepted.');
  assert.equal(text('START CHL(NOPE)'), "AMQ9519E: Channel 'NOPE' not found.");
  assert.equal(runMqsc(estate, 'QM.CZ', 'START CHL(NOPE)').items[0]?.reasonCode, 4032);
});

test('runCommandJSON: MQSC translation and lower-case parameters with numbers', async () => {
  const estate = await makeEstate(['ICBC']);
  assert.equal(
    toMqscText({
      type: 'runCommandJSON',
      command: 'reset',
      qualifier: 'channel',
      name: 'CZ.TO.ICBC',
      parameters: { seqnum: 5 },
    }),
    'RESET CHANNEL(CZ.TO.ICBC) SEQNUM(5)',
  );
  const res = runMqscJson(estate, 'QM.CZ', {
    type: 'runCommandJSON',
    command: 'display',
    qualifier: 'chstatus',
    name: 'CZ.TO.ICBC',
    responseParameters: ['lstseqno', 'indoubt'],
  });
  assert.equal(res.overallCompletionCode, 0);
  const p = res.commandResponse[0]?.parameters ?? {};
  assert.equal(p.channel, 'CZ.TO.ICBC');
  assert.equal(p.status, 'RUNNING');
  assert.equal(p.lstseqno, 0);
  assert.equal(p.indoubt, 'NO');
  const missing = runMqscJson(estate, 'QM.CZ', {
    type: 'runCommandJSON',
    command: 'display',
    qualifier: 'qlocal',
    name: 'NOPE',
  });
  assert.deepEqual(missing, {
    commandResponse: [
      { completionCode: 2, reasonCode: 2085, message: ['AMQ8147E: IBM MQ object NOPE not found.'] },
    ],
    overallCompletionCode: 2,
    overallReasonCode: 3008,
  });
});
