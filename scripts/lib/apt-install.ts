/**
 * Installs a Debian package for the tests when a tool they need is missing: as root with apt,
 * otherwise not at all. Returns what went wrong, or undefined when apt ran.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function onPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export function aptInstall(
  pkg: string,
  why: string,
  log: (line: string) => void = console.log,
): string | undefined {
  if (process.getuid?.() !== 0 || !onPath('apt-get')) return 'apt-get (needs root)';
  log(`Installing Debian's ${pkg} ${why} (apt-get; a minute or two)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'inherit', env });
    return undefined;
  } catch (err) {
    return `apt-get install ${pkg} (${(err as Error).message})`;
  }
}
