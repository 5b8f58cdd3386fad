import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { credentials, makeEstate, startMqweb } from './helpers.ts';
import { splitCommands } from '../../sandbox/mq/runmqsc-session.ts';
import type { MqEstate } from '../../sandbox/mq/estate.ts';

const cli = fileURLToPath(new URL('../../sandbox/mq/runmqsc-cli.ts', import.meta.url));
let estate: MqEstate;
let server: Awaited<ReturnType<typeof startMqweb>>;

before(async () => {
  estate = await makeEstate(['ICBC']);
  server = await startMqweb(estate);
});
after(async () => {
  await server.close();
});

function run(
  qmgr: string,
  input: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, qmgr], {
      env: {
        ...process.env,
        JINCAI_MQWEB_URL: server.url,
        JINCAI_MQWEB_USER: credentials.user,
        JINCAI_MQWEB_PASSWORD: credentials.password,
        ...env,
      },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end(input);
  });
}

test('splitCommands handles comments and continuations', () => {
  assert.deepEqual(splitCommands('* check\nDIS CHS(CZ.TO.ICBC) +\n   ALL\n\nDIS QMGR -\n DEADQ\n'), [
    'DIS CHS(CZ.TO.ICBC) ALL',
    'DIS QMGR  DEADQ',
  ]);
});

test('prints what runmqsc prints and exits 0 when all commands were processed', async () => {
  const { code, stdout } = await run('QM.CZ', 'DIS QMGR DEADQ\n');
  assert.equal(code, 0);
  assert.equal(
    stdout,
    [
      '5724-H72 (C) Copyright IBM Corp. 1994, 2024.',
      'Starting MQSC for queue manager QM.CZ.',
      '',
      '',
      '     1 : DIS QMGR DEADQ',
      'AMQ8408I: Display Queue Manager details.',
      '   QMNAME(QM.CZ)                           DEADQ(SYSTEM.DEAD.LETTER.QUEUE)',
      'One MQSC command read.',
      'No commands have a syntax error.',
      'All valid MQSC commands were processed.',
      '',
    ].join('\n'),
  );
});

test('failed and syntax-error commands are counted and give exit code 10', async () => {
  const { code, stdout } = await run(
    'QM.CZ',
    'DIS CHS(NOPE)\nDIS CHS(CZ.TO.ICBC) BOGUS\nSTOP CHANNEL(CZ.TO.ICBC)\n',
  );
  assert.equal(code, 10);
  assert.match(stdout, / {5}1 : DIS CHS\(NOPE\)\nAMQ8420I: Channel Status not found\.\n/);
  assert.match(stdout, / {5}2 : DIS CHS\(CZ\.TO\.ICBC\) BOGUS\nAMQ8405E: /);
  assert.match(stdout, / {5}3 : STOP CHANNEL\(CZ\.TO\.ICBC\)\nAMQ8019I: Stop IBM MQ channel accepted\.\n/);
  assert.match(
    stdout,
    /3 MQSC commands read\.\nOne command has a syntax error\.\nOne valid MQSC command could not be processed\.\n$/,
  );
  estate.drain();
  assert.equal(estate.snapshot().qmgrs[0]?.channels.find((c) => c.name === 'CZ.TO.ICBC')?.status, 'STOPPED');
});

test('an unknown queue manager gives AMQ8118E and exit code 20', async () => {
  const { code, stdout } = await run('QM.NOPE', 'DIS QMGR\n');
  assert.equal(code, 20);
  assert.match(stdout, /AMQ8118E: IBM MQ queue manager does not exist\.\n$/);
});
