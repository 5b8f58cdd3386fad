import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BankInspection, ChannelEnd } from '../../domain/runbooks/daily-inspection.types.ts';
import { assessBank } from '../../workflows/daily-inspection.assess.ts';

const thresholds = { xmitqDepthWarn: 50, deadLetterDepthWarn: 1 };
const end = (
  channel: string,
  chltype: string,
  status: string,
  extra: Partial<ChannelEnd> = {},
): ChannelEnd => ({
  qmgr: chltype === 'SDR' && channel.startsWith('CZ') ? 'QM.CZ' : 'QM.X',
  channel,
  chltype,
  status,
  ...extra,
});

function healthy(): BankInspection {
  return {
    bank: 'X',
    bankName: 'X 银行',
    light: 'green',
    checks: {},
    findings: [],
    channels: {
      sender: end('CZ.TO.X', 'SDR', 'RUNNING', { lastSeq: 10 }),
      receiver: end('X.TO.CZ', 'RCVR', 'RUNNING'),
      bankReceiver: end('CZ.TO.X', 'RCVR', 'RUNNING', { lastSeq: 10 }),
      bankSender: end('X.TO.CZ', 'SDR', 'RUNNING'),
    },
    queues: {
      xmitq: { qmgr: 'QM.CZ', queue: 'QM.X', depth: 0 },
      deadLetter: { qmgr: 'QM.X', queue: 'DLQ', depth: 0 },
    },
    frontEnd: { method: 'tcp', reachable: true, detail: 'ok' },
    programs: { programs: [{ name: 'p', running: true, pid: 1, detail: 'running' }] },
    traffic: {
      date: '2026-11-27',
      reportDate: '2026-11-26',
      unsentBacklog: 0,
      lines: [
        { kind: 'direct_payment', expected: 5, actual: 5 },
        { kind: 'daily_report', expected: 1, actual: 1 },
      ],
    },
  };
}

test('a healthy bank is green in every check with no findings', () => {
  const b = assessBank(healthy(), thresholds);
  assert.equal(b.light, 'green');
  assert.deepEqual(b.findings, []);
  assert.deepEqual(
    Object.values(b.checks).map((c) => c.light),
    ['green', 'green', 'green', 'green', 'green'],
  );
});

test('a stopped sender whose ends disagree is a sequence mismatch fixed by sequence-resync', () => {
  const b = healthy();
  b.channels!.sender = end('CZ.TO.X', 'SDR', 'STOPPED', { lastSeq: 12 });
  b.channels!.bankReceiver = end('CZ.TO.X', 'RCVR', 'INACTIVE', { lastSeq: 9 });
  const r = assessBank(b, thresholds);
  assert.equal(r.light, 'red');
  assert.deepEqual(
    r.findings.map((f) => [f.check, f.code, f.fixRunbook]),
    [['channels', 'SEQUENCE_MISMATCH', 'sequence-resync']],
  );
});

test('a stopped sender whose ends agree is a plain stop fixed by channel-recovery', () => {
  const b = healthy();
  b.channels!.sender = end('CZ.TO.X', 'SDR', 'STOPPED', { lastSeq: 9 });
  b.channels!.bankReceiver = end('CZ.TO.X', 'RCVR', 'INACTIVE', { lastSeq: 9 });
  assert.deepEqual(
    assessBank(b, thresholds).findings.map((f) => f.code),
    ['CHANNEL_STOPPED'],
  );
});

test('a retrying sender with a backlog and a failed ping gives three red findings, all channel-recovery', () => {
  const b = healthy();
  b.channels!.sender = end('CZ.TO.X', 'SDR', 'RETRYING');
  b.queues!.xmitq.depth = 3;
  b.frontEnd = { method: 'ping', reachable: false, detail: 'AMQ9202E' };
  const r = assessBank(b, thresholds);
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.light, f.fixRunbook]),
    [
      ['CHANNEL_RETRYING', 'red', 'channel-recovery'],
      ['XMITQ_BACKLOG', 'red', 'channel-recovery'],
      ['FRONT_END_UNREACHABLE', 'red', 'channel-recovery'],
    ],
  );
});

test('dead letters, a dead program, a missing report and a send backlog are each attributed', () => {
  const b = healthy();
  b.queues!.deadLetter!.depth = 3;
  b.programs!.programs[0] = { name: 'p', running: false, detail: 'stale pid file' };
  b.traffic!.lines[1] = { kind: 'daily_report', expected: 1, actual: 0 };
  b.traffic!.unsentBacklog = 4;
  const r = assessBank(b, thresholds);
  assert.deepEqual(
    r.findings.map((f) => [f.check, f.code, f.fixRunbook]),
    [
      ['queues', 'DEAD_LETTERS', 'voucher-resend'],
      ['programs', 'PROGRAM_DEAD', 'program-restart'],
      ['traffic', 'SEND_BACKLOG', 'program-restart'],
      ['traffic', 'DAILY_REPORT_MISSING', 'daily-report-check'],
    ],
  );
  assert.equal(r.findings[3]?.evidence.date, '2026-11-26');
});

test('a check that could not run stays red with its error; skipped checks stay skipped', () => {
  const b = healthy();
  delete b.queues;
  b.checks.queues = { light: 'red', error: 'ChannelUnreachable: mqweb down' };
  delete b.traffic;
  b.checks.traffic = { light: 'skipped' };
  const r = assessBank(b, thresholds);
  assert.equal(r.checks.queues?.light, 'red');
  assert.equal(r.checks.traffic?.light, 'skipped');
  assert.equal(r.light, 'red');
});
