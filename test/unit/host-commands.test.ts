import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeclaredProgram } from '../../domain/host-commands.ts';
import {
  hostAllowList,
  hostCommands,
  logCommand,
  parseChecksums,
  parseDiskFree,
  shellLine,
  stopCommand,
} from '../../domain/host-commands.ts';
import { startOrder } from '../../domain/host-config.ts';

const programs: DeclaredProgram[] = [
  {
    name: 'exchange',
    pidFile: '/opt/exchange/run/client.pid',
    logFile: '/opt/exchange/logs/client.log',
    start: { argv: ['/opt/exchange/bin/start.sh'], cwd: '/opt/exchange' },
  },
  { name: 'bs', systemdUnit: 'bs-accounting.service' },
];
const allow = hostAllowList(programs, ['/opt/exchange', '/data/']);
const allowed = (argv: string[], cwd?: string) => allow.refusal({ argv, ...(cwd && { cwd }) }) === undefined;

describe('host allow-list', () => {
  it('holds the declared programs’ status, log, start and stop commands', () => {
    assert.ok(allowed(['ps', '-o', 'stat=', '-p', '4242']));
    assert.ok(allowed(['cat', '/opt/exchange/run/client.pid']));
    assert.ok(allowed(['/opt/exchange/bin/start.sh'], '/opt/exchange'));
    assert.ok(allowed(['pkill', '-TERM', '-F', '/opt/exchange/run/client.pid']));
    assert.ok(allowed(['tail', '-n', '50', '/opt/exchange/logs/client.log']));
    assert.ok(allowed(['systemctl', 'restart', 'bs-accounting.service']));
    assert.ok(allowed(['journalctl', '-u', 'bs-accounting.service', '-n', '20', '--no-pager', '-o', 'cat']));
  });

  it('refuses what the site did not declare', () => {
    assert.match(
      allow.refusal({ argv: ['rm', '-rf', '/'] }) ?? '',
      /not on this host's allow-list: rm -rf \//,
    );
    assert.ok(!allowed(['systemctl', 'stop', 'sshd.service']), 'an undeclared unit');
    assert.ok(!allowed(['/opt/exchange/bin/start.sh']), 'the start command without its folder');
    assert.ok(!allowed(['/opt/exchange/bin/start.sh', '--debug'], '/opt/exchange'), 'an extra argument');
    assert.ok(!allowed(['tail', '-n', '50', '/etc/shadow']), 'a log file nobody declared');
    assert.ok(!allowed(['tail', '-n', '100000', '/opt/exchange/logs/client.log']), 'too many lines');
    assert.ok(!allowed(['tail', '-n', '5;id', '/opt/exchange/logs/client.log']));
    assert.ok(!allowed(['pkill', '-KILL', '-F', '/opt/exchange/run/client.pid']), 'another signal');
    assert.ok(!allowed(['cat', '/etc/passwd']), 'a file that is no pid file');
    assert.ok(!allowed(['ps', '-o', 'stat=', '-p', '1,2']), 'a pid that is not a number');
  });

  it('measures only under the declared folders, with plain absolute paths', () => {
    assert.ok(allowed(['df', '-Pk', '/data']));
    assert.ok(allowed(['sha256sum', '--', '/opt/exchange/lib/a.jar', '/data/x.sql']));
    assert.ok(!allowed(['df', '-Pk', '/']));
    assert.ok(!allowed(['df', '-Pk', '/database']), 'a sibling sharing the prefix');
    assert.ok(!allowed(['sha256sum', '--', '/opt/exchange/../../etc/shadow']));
    assert.ok(!allowed(['sha256sum', '--', '/opt/exchange/$(id)']));
    assert.ok(!allowed(['sha256sum', '/opt/exchange/a.jar']), 'without the end of options');
  });

  it('reads a pid file beside a declared one (a program about to be declared), but cannot stop it', () => {
    assert.ok(allowed(['cat', '/opt/exchange/run/new-bank.pid']));
    assert.ok(!allowed(['pkill', '-TERM', '-F', '/opt/exchange/run/new-bank.pid']));
    assert.ok(!allowed(['cat', '/opt/other/x.pid']));
  });
});

describe('host commands', () => {
  it('quotes every word for the remote shell, so nothing in an argument is interpreted', () => {
    assert.equal(shellLine({ argv: ['echo', "it's", '$(id)'] }), `'echo' 'it'\\''s' '$(id)'`);
    assert.equal(shellLine({ argv: ['./start.sh'], cwd: '/opt/x y' }), `cd '/opt/x y' && exec './start.sh'`);
  });

  it('stops a pid-file program with SIGTERM unless it declares its own stop, and reads a unit’s journal', () => {
    assert.deepEqual(stopCommand(programs[0]!).argv, [
      'pkill',
      '-TERM',
      '-F',
      '/opt/exchange/run/client.pid',
    ]);
    assert.deepEqual(stopCommand(programs[1]!), hostCommands.unitAction('bs-accounting.service', 'stop'));
    assert.deepEqual(logCommand(programs[1]!, 5)?.argv.slice(0, 3), [
      'journalctl',
      '-u',
      'bs-accounting.service',
    ]);
  });

  it('reads df -Pk and sha256sum output', () => {
    const df = parseDiskFree(
      '/data',
      'Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda 1000 400 600 40% /data disk\n',
    );
    assert.deepEqual(df, {
      path: '/data',
      filesystem: '/dev/vda',
      mountedOn: '/data disk',
      totalBytes: 1024_000,
      usedBytes: 409_600,
      freeBytes: 614_400,
    });
    assert.throws(
      () => parseDiskFree('/data', 'df: /data: No such file or directory'),
      /unexpected df output/,
    );
    const sum = `${'a'.repeat(64)}  /data/x.sql\n${'b'.repeat(64)} */data/y.bin\n`;
    assert.deepEqual(parseChecksums(sum), [
      { sha256: 'a'.repeat(64), path: '/data/x.sql' },
      { sha256: 'b'.repeat(64), path: '/data/y.bin' },
    ]);
  });

  it('orders programs by `after`, declared order otherwise, and refuses a cycle', () => {
    const p = (name: string, after?: string[]) => ({ name, ...(after && { after }) });
    const order = startOrder([p('web', ['app']), p('db'), p('app', ['db'])]).map((x) => x.name);
    assert.deepEqual(order, ['db', 'app', 'web']);
    assert.throws(() => startOrder([p('a', ['b']), p('b', ['a'])]), /cycle among a, b/);
  });
});
