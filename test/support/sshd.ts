/**
 * A real OpenSSH server for a test, on a free local port: its own host key, an unprivileged
 * user created for the test (removed at the end) whose only way in is a key pair generated here,
 * and a work folder that user owns. Needs root (to create the user and run sshd).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../scripts/lib/free-port.ts';
import { sshdPath } from '../../scripts/lib/sshd.ts';
import { probeTcp } from '../../connectors/host/local-host.ts';

export interface TestSshd {
  port: number;
  user: string;
  /** The server's host key as a known_hosts line. */
  hostKeyLine: string;
  /** The user's private key (OpenSSH format). */
  privateKey: string;
  /** A folder the user owns. */
  work: string;
  uid: number;
  stop(): Promise<void>;
}

export const sshdSkipReason =
  process.getuid?.() !== 0 ? 'needs root (creates a user and runs sshd)' : undefined;

export async function startTestSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'jincai-sshd-'));
  chmodSync(dir, 0o755);
  const keygen = (file: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'jincai-test', '-f', file]);
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  const user = `jct${randomBytes(4).toString('hex')}`;
  const home = join(dir, 'home');
  // '*': no password to log in with, but not a locked account (sshd refuses those without PAM).
  execFileSync('useradd', [
    '--home-dir',
    home,
    '--create-home',
    '--shell',
    '/bin/sh',
    '--password',
    '*',
    user,
  ]);
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const work = join(dir, 'work');
  mkdirSync(work);
  chownSync(work, uid, uid);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const [port] = (await freePorts(1)) as [number];
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `AllowUsers ${user}`,
      'PermitRootLogin no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The test folder lives under /tmp; the key file is root's, not the user's.
      'StrictModes no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  const sshd = spawn(sshdPath, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  sshd.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await probeTcp('127.0.0.1', port, 500)).reachable) {
    if (sshd.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim();
  return {
    port,
    user,
    hostKeyLine: `[127.0.0.1]:${port} ${hostKey}`,
    privateKey: readFileSync(join(dir, 'client_key'), 'utf8'),
    work,
    uid,
    async stop() {
      if (sshd.exitCode === null) {
        sshd.kill('SIGTERM');
        await new Promise((r) => sshd.once('exit', r));
      }
      // Anything the user left running goes with the user.
      spawnSync('pkill', ['-KILL', '-u', user]);
      spawnSync('userdel', ['--force', user]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
