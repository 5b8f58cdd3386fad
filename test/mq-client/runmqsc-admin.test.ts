import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunmqscAdmin, splitCommandLine } from '../../connectors/mq/runmqsc-admin.ts';
import { MqUnreachableError } from '../../connectors/mq/port.ts';
import { MqConfigError, MqInvalidNameError } from '../../connectors/mq/errors.ts';
import {
  runmqscChstatusNotFound,
  runmqscChstatusSenderAll,
  runmqscPingFailed,
  runmqscQmgrNotAvailable,
  runmqscStopOk,
} from './fixtures.ts';

interface FakeAnswer {
  stdout: string;
  code: number;
  stderr?: string;
  hang?: boolean;
}

let dir: string;
let fake: string;
const logFile = () => join(dir, 'calls.jsonl');

// A stand-in `runmqsc`: records argv and stdin, prints the canned transcript for the command.
const fakeSource = (answersFile: string, log: string) => `#!${process.execPath}
const fs = require('node:fs');
const input = fs.readFileSync(0, 'utf8');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2), input }) + '\\n');
const answers = JSON.parse(fs.readFileSync(${JSON.stringify(answersFile)}, 'utf8'));
const qmgr = process.argv[process.argv.length - 1];
const a = answers[qmgr + ' ' + input.trim()] || { stdout: '', stderr: 'no canned answer', code: 20 };
if (a.hang) setInterval(() => {}, 1000);
else {
  process.stdout.write(a.stdout);
  if (a.stderr) process.stderr.write(a.stderr);
  process.exitCode = a.code;
}
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-runmqsc-'));
  const answers: Record<string, FakeAnswer> = {
    'QM.CZ DISPLAY CHSTATUS(CZ.TO.CCB) ALL': { stdout: runmqscChstatusSenderAll, code: 0 },
    'QM.CZ DISPLAY CHSTATUS(CZ.TO.RCB) ALL': { stdout: runmqscChstatusNotFound, code: 10 },
    'QM.CZ STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)': { stdout: runmqscStopOk, code: 0 },
    'QM.CZ PING CHANNEL(CZ.TO.CCB)': { stdout: runmqscPingFailed, code: 10 },
    'QM.ABC DISPLAY QMGR DEADQ': { stdout: runmqscQmgrNotAvailable, code: 20 },
    'QM.CZ PING CHANNEL(SLOW)': { stdout: '', code: 0, hang: true },
  };
  const answersFile = join(dir, 'answers.json');
  writeFileSync(answersFile, JSON.stringify(answers));
  fake = join(dir, 'runmqsc');
  writeFileSync(fake, fakeSource(answersFile, logFile()));
  chmodSync(fake, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function calls(): { args: string[]; input: string }[] {
  return readFileSync(logFile(), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { args: string[]; input: string });
}

test('spawns "<command> <qmgr>" with the configured options and the command on stdin', async () => {
  const admin = new RunmqscAdmin({ command: `${fake} -u mqadmin` });
  const result = await admin.runMqsc('QM.CZ', 'DISPLAY CHSTATUS(CZ.TO.CCB) ALL');
  const last = calls().at(-1);
  assert.deepEqual(last?.args, ['-u', 'mqadmin', 'QM.CZ']);
  assert.equal(last?.input, 'DISPLAY CHSTATUS(CZ.TO.CCB) ALL\n');
  assert.equal(result.overallCompletionCode, 0);
  assert.equal(result.overallReasonCode, 0);
  assert.equal(result.responses.length, 1);
  assert.equal(result.responses[0]?.attributes.LSTSEQNO, '42');
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ8417I']);
});

test('exit code 10 with AMQ8420I → completion 2, MQRCCF_CHL_STATUS_NOT_FOUND', async () => {
  const result = await new RunmqscAdmin({ command: fake }).runMqsc(
    'QM.CZ',
    'DISPLAY CHSTATUS(CZ.TO.RCB) ALL',
  );
  assert.equal(result.overallCompletionCode, 2);
  assert.equal(result.overallReasonCode, 3065);
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ8420I']);
});

test('an accepted action completes with 0 and its AMQ id', async () => {
  const result = await new RunmqscAdmin({ command: fake }).runMqsc(
    'QM.CZ',
    'STOP CHANNEL(CZ.TO.CCB) MODE(QUIESCE)',
  );
  assert.equal(result.overallCompletionCode, 0);
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ8019I']);
});

test('an E-severity message fails the command with MQRCCF_COMMAND_FAILED', async () => {
  const result = await new RunmqscAdmin({ command: fake }).runMqsc('QM.CZ', 'PING CHANNEL(CZ.TO.CCB)');
  assert.equal(result.overallCompletionCode, 2);
  assert.equal(result.overallReasonCode, 3008);
  assert.deepEqual(result.responses[0]?.messageIds, ['AMQ9202E']);
});

test('queue manager not available (AMQ8146E, exit 20) → MqUnreachableError', async () => {
  await assert.rejects(
    new RunmqscAdmin({ command: fake }).runMqsc('QM.ABC', 'DISPLAY QMGR DEADQ'),
    (err) => err instanceof MqUnreachableError && err.qmgr === 'QM.ABC',
  );
});

test('exit 20 without AMQ output keeps stderr as the failure text', async () => {
  const result = await new RunmqscAdmin({ command: fake }).runMqsc('QM.CZ', 'DISPLAY QMGR');
  assert.equal(result.overallCompletionCode, 2);
  assert.deepEqual(result.responses[0]?.text, ['no canned answer']);
});

test('a runmqsc that never ends is killed at the timeout → MqUnreachableError', async () => {
  await assert.rejects(
    new RunmqscAdmin({ command: fake, timeoutMs: 300 }).runMqsc('QM.CZ', 'PING CHANNEL(SLOW)'),
    (err) => err instanceof MqUnreachableError && /300 ms/.test(err.message),
  );
});

test('a missing runmqsc command is a configuration error', async () => {
  await assert.rejects(
    new RunmqscAdmin({ command: join(dir, 'no-such-runmqsc') }).runMqsc('QM.CZ', 'DISPLAY QMGR'),
    MqConfigError,
  );
});

test('multi-line input is refused before anything is spawned', async () => {
  const before = calls().length;
  await assert.rejects(
    new RunmqscAdmin({ command: fake }).runMqsc('QM.CZ', 'DISPLAY QMGR\nDELETE QLOCAL(PAY.IN)'),
    MqInvalidNameError,
  );
  assert.equal(calls().length, before);
});

test('command lines split on blanks with quotes kept together', () => {
  assert.deepEqual(splitCommandLine(`/opt/mqm/bin/runmqsc -u 'mq admin' -c`), [
    '/opt/mqm/bin/runmqsc',
    '-u',
    'mq admin',
    '-c',
  ]);
  assert.throws(() => splitCommandLine('runmqsc "-u'), MqConfigError);
});
