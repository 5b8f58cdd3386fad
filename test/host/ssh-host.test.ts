/**
 * The SSH host adapter against a real OpenSSH server: a program on the "remote" host started,
 * observed with its log, restarted and stopped in order as the unprivileged user; disk free and
 * checksums under the host's folders; a command off the allow-list refused before it runs; a
 * host whose key is not the pinned one refused at the handshake.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HostCommandRefused } from '../../connectors/host/command-host.ts';
import type { HostPort } from '../../connectors/host/port.ts';
import { createSiteHosts } from '../../connectors/host/site-hosts.ts';
import type { HostConfig, ProgramConfig } from '../../domain/host-config.ts';
import { hostSchema, programSchema } from '../../domain/host-config.ts';
import { sshdSkipReason, startTestSshd, type TestSshd } from '../support/sshd.ts';

const keyEnv = 'JINCAI_TEST_SSH_KEY';

describe('SSH host adapter against a real sshd', { skip: sshdSkipReason }, () => {
  let sshd: TestSshd;
  let hosts: HostPort;
  let host: HostConfig;
  let app: ProgramConfig;
  let worker: ProgramConfig;
  const timing = { commandTimeoutMs: 10_000, settleTimeoutMs: 5_000, pollMs: 100 };

  before(async () => {
    sshd = await startTestSshd();
    const w = sshd.work;
    // A program that starts detached, writes its pid file and logs, as a site's start script does.
    for (const name of ['app', 'worker']) {
      const script = join(w, `start-${name}.sh`);
      writeFileSync(
        script,
        [
          '#!/bin/sh',
          `echo "starting ${name} as $(id -un)" >> ${w}/${name}.log`,
          `setsid sleep 300 >/dev/null 2>&1 < /dev/null &`,
          `echo $! > ${w}/${name}.pid`,
          `echo "${name} started" >> ${w}/${name}.log`,
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
    }
    writeFileSync(join(w, 'release.bin'), 'release 2026.3\n');
    execFileSync('chown', ['-R', `${sshd.uid}:${sshd.uid}`, w]);
    host = hostSchema.parse({
      name: 'app-01',
      adapter: 'ssh',
      address: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      knownHosts: [sshd.hostKeyLine],
      privateKeyEnv: keyEnv,
      paths: [w],
    });
    const program = (name: string, after?: string[]) =>
      programSchema.parse({
        name,
        host: 'app-01',
        pidFile: `${w}/${name}.pid`,
        logFile: `${w}/${name}.log`,
        start: { argv: [`${w}/start-${name}.sh`], cwd: w },
        ...(after && { after }),
      });
    app = program('app');
    worker = program('worker', ['app']);
    hosts = createSiteHosts(
      { hosts: [host], programs: [app, worker] },
      { env: { [keyEnv]: sshd.privateKey }, timing },
    );
  });

  after(async () => {
    await hosts?.close();
    await sshd?.stop();
  });

  it('sees a program that is not running, starts programs in order as the site’s user, and reads their logs', async () => {
    const before = await hosts.programStatus(app);
    assert.equal(before.running, false);
    assert.match(before.detail, /pid file .*app\.pid is absent/);

    const started = await hosts.controlPrograms([worker, app], 'start');
    assert.deepEqual(
      started.map((s) => [s.name, s.running, s.host]),
      [
        ['worker', true, 'app-01'],
        ['app', true, 'app-01'],
      ],
    );
    const logOrder = ['app', 'worker'].map((n) => readFileSync(join(sshd.work, `${n}.log`), 'utf8'));
    assert.ok(
      logOrder.every((l) => l.includes(`as ${sshd.user}`)),
      'started as the unprivileged user',
    );
    const pid = started[1]!.pid!;
    assert.equal(
      execFileSync('ps', ['-o', 'user=', '-p', String(pid)], { encoding: 'utf8' }).trim(),
      sshd.user,
    );

    const status = await hosts.programStatus(app, { logLines: 2 });
    assert.deepEqual(status.logTail, [`starting app as ${sshd.user}`, 'app started']);
  });

  it('restarts (stop in reverse order, then start in order) and stops', async () => {
    const pids = (await Promise.all([app, worker].map((p) => hosts.programStatus(p)))).map((s) => s.pid);
    const restarted = await hosts.controlPrograms([app, worker], 'restart');
    assert.ok(restarted.every((s) => s.running));
    assert.notDeepEqual(
      restarted.map((s) => s.pid),
      pids,
    );
    const stopped = await hosts.controlPrograms([app, worker], 'stop');
    assert.ok(stopped.every((s) => !s.running));
    assert.match(stopped[0]!.detail, /is not running \(stale pid file\)/);
  });

  it('measures free disk and file checksums under the host’s folders', async () => {
    const df = await hosts.diskFree('app-01', sshd.work);
    assert.ok(df.totalBytes > 0 && df.freeBytes > 0 && df.freeBytes <= df.totalBytes, JSON.stringify(df));
    const file = join(sshd.work, 'release.bin');
    const [sum] = await hosts.fileChecksums('app-01', [file]);
    assert.deepEqual(sum, {
      path: file,
      sha256: createHash('sha256').update('release 2026.3\n').digest('hex'),
    });
  });

  it('refuses a command off the allow-list before anything reaches the host', async () => {
    const canary = join(sshd.work, 'canary');
    writeFileSync(canary, 'still here');
    const intruder = programSchema.parse({
      name: 'intruder',
      host: 'app-01',
      pidFile: `${sshd.work}/intruder.pid`,
      start: { argv: ['/bin/rm', '-f', canary] },
    });
    await assert.rejects(hosts.controlPrograms([intruder], 'start'), (err: unknown) => {
      assert.ok(err instanceof HostCommandRefused);
      assert.match(err.message, /host app-01: not on this host's allow-list: \/bin\/rm -f/);
      return true;
    });
    assert.ok(existsSync(canary), 'the refused command did not run');
    await assert.rejects(hosts.diskFree('app-01', '/etc'), HostCommandRefused);
    await assert.rejects(hosts.fileChecksums('app-01', ['/etc/shadow']), HostCommandRefused);
  });

  it('refuses a host whose key is not the pinned one', async () => {
    const other = readFileSync(join(sshd.work, '..', 'client_key.pub'), 'utf8').trim();
    const impostor = createSiteHosts(
      { hosts: [{ ...host, knownHosts: [other] } as HostConfig], programs: [app] },
      { env: { [keyEnv]: sshd.privateKey }, timing },
    );
    try {
      await assert.rejects(
        impostor.programStatus(app),
        /offered a host key that is not pinned in its knownHosts/,
      );
    } finally {
      await impostor.close();
    }
  });
});
