import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  codesForMessage,
  messageIdsIn,
  parseAttributes,
  parseMqscBlocks,
  parseRunmqscOutput,
  responsesFromBlocks,
} from '../../connectors/mq/mqsc-text.ts';
import {
  mqwebDisplayChstatus,
  runmqscChstatusAll,
  runmqscChstatusNotFound,
  runmqscChstatusSenderAll,
  runmqscDeadq,
  runmqscPingFailed,
  runmqscQueueDepth,
  runmqscQueueDescr,
} from './fixtures.ts';

test('runmqsc framing is separated from the objects', () => {
  const t = parseRunmqscOutput(runmqscChstatusAll);
  assert.equal(t.qmgr, 'QM.CZ');
  assert.deepEqual(t.commands, ['DISPLAY CHSTATUS(*)']);
  assert.deepEqual(t.summary, [
    'One MQSC command read.',
    'No commands have a syntax error.',
    'All valid MQSC commands were processed.',
  ]);
  assert.equal(t.blocks.length, 3);
  assert.ok(t.blocks.every((b) => b.messageId === 'AMQ8417I'));
});

test('each AMQ8417I block carries its own channel attributes', () => {
  const [sdr, rcvr, retrying] = parseRunmqscOutput(runmqscChstatusAll).blocks;
  assert.deepEqual(sdr?.attributes, {
    CHANNEL: 'CZ.TO.ICBC',
    CHLTYPE: 'SDR',
    CONNAME: '10.8.1.21(1414)',
    CURRENT: '',
    RQMNAME: 'QM.ICBC',
    STATUS: 'RUNNING',
    SUBSTATE: 'MQGET',
    XMITQ: 'QM.ICBC',
  });
  assert.equal(rcvr?.attributes.CHANNEL, 'ICBC.TO.CZ');
  assert.equal(rcvr?.attributes.SUBSTATE, 'RECEIVE');
  assert.equal(rcvr?.attributes.XMITQ, undefined);
  assert.equal(retrying?.attributes.STATUS, 'RETRYING');
  assert.equal(retrying?.attributes.RQMNAME, '', 'RQMNAME( ) is an empty value');
  assert.equal(retrying?.attributes.SUBSTATE, '');
});

test('DISPLAY CHSTATUS ALL: nested parentheses, comma lists and sequence numbers', () => {
  const [block] = parseRunmqscOutput(runmqscChstatusSenderAll).blocks;
  const a = block?.attributes ?? {};
  assert.equal(a.LOCLADDR, '10.8.0.5(51234)');
  assert.equal(a.COMPHDR, 'NONE,NONE');
  assert.equal(a.LSTSEQNO, '42');
  assert.equal(a.CURSEQNO, '45');
  assert.equal(a.INDOUBT, 'YES');
  assert.equal(a.MCAUSER, '');
  assert.equal(a.XQTIME, '0,0');
  assert.equal(Object.keys(a).length, 54, 'two attributes on each of 27 lines');
});

test('quoted values keep blanks, parentheses and doubled quotes; DESCR( ) is empty', () => {
  const { blocks } = parseRunmqscOutput(runmqscQueueDescr);
  assert.deepEqual(
    blocks.map((b) => [b.attributes.QUEUE, b.attributes.DESCR]),
    [
      ['PAY.FROM.ICBC', "Inbound from ICBC (bank) - don't purge"],
      ['PAY.FROM.ABC', ''],
      ['PAY.FROM.BOC', 'Inbound from BOC (Bank of China)'],
    ],
  );
});

test('a quote that does not open the value is an ordinary character', () => {
  assert.deepEqual(parseAttributes("DESCR(Bank's queue)  CURDEPTH(3)"), {
    DESCR: "Bank's queue",
    CURDEPTH: '3',
  });
  assert.deepEqual(parseAttributes("DESCR(')')  MAXDEPTH(5000)"), { DESCR: ')', MAXDEPTH: '5000' });
});

test('not found: AMQ8420I yields no attributes and MQRCCF_CHL_STATUS_NOT_FOUND', () => {
  const t = parseRunmqscOutput(runmqscChstatusNotFound);
  assert.deepEqual(t.commands, ['DISPLAY CHSTATUS(CZ.TO.RCB) ALL']);
  const [r] = responsesFromBlocks(t.blocks);
  assert.deepEqual(r, {
    completionCode: 2,
    reasonCode: 3065,
    text: ['AMQ8420I: Channel Status not found.'],
    attributes: {},
    messageIds: ['AMQ8420I'],
  });
  assert.ok(t.summary.includes('One valid MQSC command could not be processed.'));
});

test('error prose with parentheses never becomes attributes', () => {
  const [r] = responsesFromBlocks(parseRunmqscOutput(runmqscPingFailed).blocks);
  assert.deepEqual(r?.attributes, {});
  assert.deepEqual(r?.messageIds, ['AMQ9202E']);
  assert.equal(r?.completionCode, 2);
  assert.equal(r?.reasonCode, 3008);
});

test('queue depth and dead-letter queue attributes', () => {
  assert.equal(parseRunmqscOutput(runmqscQueueDepth).blocks[0]?.attributes.CURDEPTH, '17');
  const dead = parseRunmqscOutput(runmqscDeadq).blocks[0];
  assert.equal(dead?.messageId, 'AMQ8408I');
  assert.deepEqual(dead?.attributes, { QMNAME: 'QM.CZ', DEADQ: 'SYSTEM.DEAD.LETTER.QUEUE' });
});

test('mqweb text items with the attributes on the message line', () => {
  const lines = mqwebDisplayChstatus.commandResponse[0]?.text ?? [];
  const [block] = parseMqscBlocks(lines);
  assert.equal(block?.messageId, 'AMQ8417I');
  assert.equal(block?.attributes.CONNAME, '10.8.1.21(1414)');
  assert.equal(block?.attributes.STATUS, 'RUNNING');
  assert.equal(block?.attributes.CURRENT, '');
  assert.deepEqual(messageIdsIn(lines), ['AMQ8417I']);
});

test('completion codes from the AMQ severity suffix and documented reasons', () => {
  assert.deepEqual(codesForMessage('AMQ8019I'), { completionCode: 0, reasonCode: 0 });
  assert.deepEqual(codesForMessage('AMQ8147E'), { completionCode: 2, reasonCode: 2085 });
  assert.deepEqual(codesForMessage('AMQ8420I'), { completionCode: 2, reasonCode: 3065 });
  assert.deepEqual(codesForMessage('AMQ9999W'), { completionCode: 1, reasonCode: 0 });
  assert.deepEqual(codesForMessage('AMQ9526E'), { completionCode: 2, reasonCode: 3008 });
});

test('continuation lines of an echoed command are joined', () => {
  const t = parseRunmqscOutput(
    "     1 : DEFINE QLOCAL(PAY.FROM.RCB) +\n       : DESCR('Inbound RCB')\nAMQ8006I: IBM MQ queue created.\n",
  );
  assert.deepEqual(t.commands, ["DEFINE QLOCAL(PAY.FROM.RCB) + DESCR('Inbound RCB')"]);
  assert.deepEqual(t.blocks[0]?.attributes, {});
});
