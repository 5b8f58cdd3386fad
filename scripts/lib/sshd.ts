/**
 * OpenSSH's server for the SSH host adapter's tests (each test starts its own `sshd` on a free
 * local port): /usr/sbin/sshd, or — as root with apt — Debian's openssh-server, installed once.
 */
import { existsSync } from 'node:fs';
import { aptInstall } from './apt-install.ts';

export const sshdPath = '/usr/sbin/sshd';

export function ensureSshd(log: (line: string) => void = console.log): string {
  if (existsSync(sshdPath)) return sshdPath;
  const problem = aptInstall('openssh-server', 'for the SSH host tests', log);
  if (existsSync(sshdPath)) return sshdPath;
  throw new Error(
    `No OpenSSH server for the SSH host tests. Tried: ${sshdPath}; ${problem ?? 'apt-get install openssh-server'}. ` +
      'Install Debian’s openssh-server (apt-get install openssh-server).',
  );
}
