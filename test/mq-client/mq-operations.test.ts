import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqAdminPort, MqscResult } from '../../connectors/mq/port.ts';
import { createMqOperations, generic } from '../../connectors/mq/mq-operations.ts';
import { MqCommandError, MqInvalidNameError } from '../../connectors/mq/errors.ts';
import { parseRunmqscOutput, responsesFromBlocks } from '../../connectors/mq/mqsc-text.ts';
import {
  mqwebChstatusNotFound,
  runmqscChstatusAll,
  runmqscChstatusNotFound,
  runmqscChstatusSenderAll,
  runmqscDeadq,
  runmqscDeadqNone,
  runmqscPingFailed,
  runmqscPingOk,
  runmqscQueueDepth,
  runmqscQueueDepths,
  runmqscStopOk,
  runmqscUnknownQueue,
} from './fixtures.ts';

/** A port answering from runmqsc transcripts (or ready results), recording every command. */
class RecordingAdmin implements MqAdminPort {
  readonly commands: string[] = [];
  constructor(private readonly answers: Record<string, string | Omit<MqscResult, 'qmgr' | 'command'>>) {}

  async runMqsc(qmgr: string, command: string): Promise<MqscResult> {
    this.commands.push(`${qmgr}: ${command}`);
    const answer = this.answers[command];
    if (answer === undefined) throw new Error(`unexpected command ${command}`);
    if (typeof answer !== 'string') return { qmgr, command, ...answer };
    const responses = responsesFromBlocks(parseRunmqscOutput(answer).blocks);
    const failed = responses.find((r) => r.completionCode === 2);
    return {
      qmgr,
      command,
      overallCompletionCode: failed ? 2 : 0,
      overallReasonCode: failed?.reasonCode ?? 0,
      responses,
    };
  }
}

test('displayChannelStatus sends DISPLAY CHSTATUS(X) ALL and types the answer', async () => {
  const admin = new RecordingAdmin({ 'DISPLAY CHSTATUS(CZ.TO.CCB) ALL': runmqscChstatusSenderAll });
  const status = await createMqOperations(admin).displayChannelStatus('QM.CZ', 'CZ.TO.CCB');
  assert.deepEqual(admin.commands, ['QM.CZ: DISPLAY CHSTATUS(CZ.TO.CCB) ALL']);
  assert.equal(status.found, true);
  assert.equal(status.status, 'RUNNING');
  assert.equal(status.substate, 'MQGET');
  assert.equal(status.indoubt, true);
  assert.equal(status.lastSeq, 42);
  assert.equal(status.currentSeq, 45);
  assert.equal(status.chltype, 'SDR');
  assert.equal(status.xmitq, 'QM.CCB');
  assert.equal(status.conname, '10.8.1.24(1414)');
  assert.equal(status.msgs, 37);
  assert.equal(status.raw.RVERSION, '09030000');
});

test('no channel status (runmqsc AMQ8420I or mqweb 3065) reads as INACTIVE, found: false', async () => {
  const viaRunmqsc = new RecordingAdmin({ 'DISPLAY CHSTATUS(CZ.TO.RCB) ALL': runmqscChstatusNotFound });
  assert.deepEqual(await createMqOperations(viaRunmqsc).displayChannelStatus('QM.CZ', 'CZ.TO.RCB'), {
    found: false,
    status: 'INACTIVE',
    raw: {},
  });
  const viaMqweb = new RecordingAdmin({
    'DISPLAY CHSTATUS(CZ.TO.RCB) SAVED ALL': {
      overallCompletionCode: mqwebChstatusNotFound.overallCompletionCode,
      overallReasonCode: mqwebChstatusNotFound.overallReasonCode,
      responses: mqwebChstatusNotFound.commandResponse.map((r) => ({
        ...r,
        attributes: {},
        messageIds: ['AMQ8420I'],
      })),
    },
  });
  const saved = await createMqOperations(viaMqweb).displayChannelStatus('QM.CZ', 'CZ.TO.RCB', {
    saved: true,
  });
  assert.equal(saved.found, false);
  assert.equal(saved.status, 'INACTIVE');
  assert.deepEqual(viaMqweb.commands, ['QM.CZ: DISPLAY CHSTATUS(CZ.TO.RCB) SAVED ALL']);
});

test('generic names: the longest common prefix and a trailing *, or the one name itself', () => {
  assert.equal(generic('channel', ['CZ.TO.ICBC', 'CZ.TO.CCB', 'CZ.TO.ABC']), 'CZ.TO.*');
  assert.equal(generic('channel', ['CZ.TO.ICBC', 'ICBC.TO.CZ']), '*');
  assert.equal(generic('channel', ['CZ.TO.A', 'CZ.TO.AB']), 'CZ.TO.A*');
  assert.equal(generic('queue', ['QM.CCB', 'QM.CCB']), 'QM.CCB');
  assert.throws(() => generic('queue', []), MqInvalidNameError);
  assert.throws(() => generic('channel', ['CZ.TO.ICBC', 'X) ALL\nDELETE QLOCAL(Y']), MqInvalidNameError);
});

test('displayChannelStatuses: one DISPLAY CHSTATUS over the generic name, each channel read as alone', async () => {
  const admin = new RecordingAdmin({
    'DISPLAY CHSTATUS(*) SUBSTATE INDOUBT LSTSEQNO CURSEQNO': runmqscChstatusAll,
  });
  const statuses = await createMqOperations(admin).displayChannelStatuses('QM.CZ', [
    'CZ.TO.ICBC',
    'ICBC.TO.CZ',
    'CZ.TO.CCB',
    'CZ.TO.ABC',
  ]);
  assert.deepEqual(admin.commands, ['QM.CZ: DISPLAY CHSTATUS(*) SUBSTATE INDOUBT LSTSEQNO CURSEQNO']);
  assert.deepEqual(
    [...statuses].map(([channel, s]) => [channel, s?.found, s?.status, s?.substate]),
    [
      ['CZ.TO.ICBC', true, 'RUNNING', 'MQGET'],
      ['ICBC.TO.CZ', true, 'RUNNING', 'RECEIVE'],
      ['CZ.TO.CCB', true, 'RETRYING', undefined],
      // Not in the answer: no status, as DISPLAY CHSTATUS(CZ.TO.ABC) would say (AMQ8420I).
      ['CZ.TO.ABC', false, 'INACTIVE', undefined],
    ],
  );
  const none = new RecordingAdmin({
    'DISPLAY CHSTATUS(CZ.TO.*) SAVED INDOUBT LSTSEQNO CURSEQNO': runmqscChstatusNotFound,
  });
  const saved = await createMqOperations(none).displayChannelStatuses('QM.CZ', ['CZ.TO.RCB', 'CZ.TO.ABC'], {
    saved: true,
  });
  assert.deepEqual(
    [...saved.values()].map((s) => s?.found),
    [false, false],
  );
});

test('displayChannelStatuses: a channel whose part of the answer cannot be read is left to be asked alone', async () => {
  const admin = new RecordingAdmin({
    'DISPLAY CHSTATUS(CZ.TO.*) SUBSTATE INDOUBT LSTSEQNO CURSEQNO': runmqscChstatusAll.replace(
      'STATUS(RETRYING)',
      'STATUS(DREAMING)',
    ),
  });
  const statuses = await createMqOperations(admin).displayChannelStatuses('QM.CZ', [
    'CZ.TO.ICBC',
    'CZ.TO.CCB',
  ]);
  assert.equal(statuses.get('CZ.TO.ICBC')?.status, 'RUNNING');
  assert.equal(statuses.get('CZ.TO.CCB'), undefined);
});

test('queueDepths: one DISPLAY QLOCAL over the generic name; a queue not shown is left to be asked alone', async () => {
  const admin = new RecordingAdmin({
    'DISPLAY QLOCAL(QM.*) CURDEPTH': runmqscQueueDepths,
    'DISPLAY QLOCAL(NO.SUCH.*) CURDEPTH': runmqscUnknownQueue,
  });
  const ops = createMqOperations(admin);
  const depths = await ops.queueDepths('QM.CZ', ['QM.ICBC', 'QM.CCB', 'QM.RCB']);
  assert.deepEqual(
    [...depths],
    [
      ['QM.ICBC', 3],
      ['QM.CCB', 17],
      ['QM.RCB', undefined],
    ],
  );
  const unknown = await ops.queueDepths('QM.CZ', ['NO.SUCH.QUEUE', 'NO.SUCH.OTHER']);
  assert.deepEqual([...unknown.values()], [undefined, undefined]);
  assert.deepEqual(admin.commands, [
    'QM.CZ: DISPLAY QLOCAL(QM.*) CURDEPTH',
    'QM.CZ: DISPLAY QLOCAL(NO.SUCH.*) CURDEPTH',
  ]);
});

test('pingChannel: success and failure are both answers, failure keeps the AMQ ids', async () => {
  const ops = createMqOperations(
    new RecordingAdmin({
      'PING CHANNEL(CZ.TO.ICBC)': runmqscPingOk,
      'PING CHANNEL(CZ.TO.CCB)': runmqscPingFailed,
    }),
  );
  const ok = await ops.pingChannel('QM.CZ', 'CZ.TO.ICBC');
  assert.deepEqual(ok, {
    ok: true,
    messageIds: ['AMQ8020I'],
    detail: 'AMQ8020I: Ping IBM MQ channel complete.',
  });
  const failed = await ops.pingChannel('QM.CZ', 'CZ.TO.CCB');
  assert.equal(failed.ok, false);
  assert.deepEqual(failed.messageIds, ['AMQ9202E']);
  assert.match(failed.detail, /not available, retry later/);
});

test('queueDepth and deadLetterQueue', async () => {
  const ops = createMqOperations(
    new RecordingAdmin({
      'DISPLAY QLOCAL(QM.CCB) CURDEPTH': runmqscQueueDepth,
      'DISPLAY QMGR DEADQ': runmqscDeadq,
    }),
  );
  assert.equal(await ops.queueDepth('QM.CZ', 'QM.CCB'), 17);
  assert.equal(await ops.deadLetterQueue('QM.CZ'), 'SYSTEM.DEAD.LETTER.QUEUE');
  const none = createMqOperations(new RecordingAdmin({ 'DISPLAY QMGR DEADQ': runmqscDeadqNone }));
  assert.equal(await none.deadLetterQueue('QM.ICBC'), null);
});

test('a failed command throws MqCommandError with codes and AMQ ids, not text', async () => {
  const ops = createMqOperations(
    new RecordingAdmin({ 'DISPLAY QLOCAL(NO.SUCH.QUEUE) CURDEPTH': runmqscUnknownQueue }),
  );
  await assert.rejects(ops.queueDepth('QM.CZ', 'NO.SUCH.QUEUE'), (err) => {
    assert.ok(err instanceof MqCommandError);
    assert.equal(err.qmgr, 'QM.CZ');
    assert.equal(err.command, 'DISPLAY QLOCAL(NO.SUCH.QUEUE) CURDEPTH');
    assert.equal(err.completionCode, 2);
    assert.equal(err.reasonCode, 2085);
    assert.deepEqual(err.messageIds, ['AMQ8147E']);
    return true;
  });
});

test('action commands are exactly what an operator types', async () => {
  // STOP answers as documented (AMQ8019); the other informational replies are stand-ins — the
  // operations accept any non-failing answer and do not branch on which id comes back.
  const admin = new RecordingAdmin({
    'STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)': runmqscStopOk,
    'STOP CHANNEL(CZ.TO.CCB) MODE(FORCE) STATUS(INACTIVE)': runmqscStopOk,
    'START CHANNEL(CZ.TO.CCB)': 'AMQ8018I: Start IBM MQ channel accepted.\n',
    'RESET CHANNEL(CZ.TO.CCB) SEQNUM(42)': 'AMQ8023I: IBM MQ channel reset.\n',
    'RESOLVE CHANNEL(CZ.TO.CCB) ACTION(BACKOUT)': 'AMQ8022I: IBM MQ channel resolved.\n',
  });
  const ops = createMqOperations(admin);
  const stop = await ops.stopChannel('QM.CZ', 'CZ.TO.CCB');
  assert.deepEqual(stop, {
    command: 'STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)',
    messageIds: ['AMQ8019I'],
    detail: 'AMQ8019I: Stop IBM MQ channel accepted.',
  });
  await ops.stopChannel('QM.CZ', 'CZ.TO.CCB', { mode: 'FORCE', status: 'INACTIVE' });
  await ops.startChannel('QM.CZ', 'CZ.TO.CCB');
  await ops.resetChannel('QM.CZ', 'CZ.TO.CCB', 42);
  await ops.resolveChannel('QM.CZ', 'CZ.TO.CCB', 'BACKOUT');
  assert.deepEqual(admin.commands, [
    'QM.CZ: STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)',
    'QM.CZ: STOP CHANNEL(CZ.TO.CCB) MODE(FORCE) STATUS(INACTIVE)',
    'QM.CZ: START CHANNEL(CZ.TO.CCB)',
    'QM.CZ: RESET CHANNEL(CZ.TO.CCB) SEQNUM(42)',
    'QM.CZ: RESOLVE CHANNEL(CZ.TO.CCB) ACTION(BACKOUT)',
  ]);
});

test('names that would inject a second command are refused before the port is called', async () => {
  const admin = new RecordingAdmin({});
  const ops = createMqOperations(admin);
  const refused = (err: unknown) => err instanceof MqInvalidNameError;
  await assert.rejects(ops.resetChannel('QM.CZ', 'X) DELETE QLOCAL(Y', 1), refused);
  await assert.rejects(ops.displayChannelStatus('QM.CZ', 'CZ.TO.ICBC) ALL\nDELETE QLOCAL(PAY.IN'), refused);
  await assert.rejects(ops.queueDepth('QM.CZ', "PAY.IN' "), refused);
  await assert.rejects(
    ops.pingChannel('QM.CZ', 'CZ.TO.A.VERY.LONG.CHANNEL'),
    refused,
    'channel names are at most 20',
  );
  await assert.rejects(ops.startChannel('QM CZ', 'CZ.TO.ICBC'), refused);
  await assert.rejects(ops.resetChannel('QM.CZ', 'CZ.TO.CCB', 0), refused);
  await assert.rejects(ops.resetChannel('QM.CZ', 'CZ.TO.CCB', 1.5), refused);
  await assert.rejects(ops.stopChannel('QM.CZ', 'CZ.TO.CCB', { mode: 'NOW' as 'FORCE' }), refused);
  await assert.rejects(ops.resolveChannel('QM.CZ', 'CZ.TO.CCB', 'COMMIT) DELETE' as 'COMMIT'), refused);
  assert.deepEqual(admin.commands, []);
});
