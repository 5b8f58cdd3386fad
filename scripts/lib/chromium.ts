/**
 * The browser for the inbox's end-to-end tests: Debian's Chromium, driven by playwright-core
 * (playwright's own browser download cannot work on a machine that reaches only the package
 * registries). Order: CHROMIUM_PATH, /usr/bin/chromium, `chromium` on PATH, then — as root with
 * apt — `apt-get install chromium`. Fails with what it tried.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function onPath(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : undefined;
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return onPath('chromium') ?? onPath('chromium-browser');
}

export function ensureChromium(log: (line: string) => void = console.log): string {
  const found = findChromium();
  if (found) return found;
  const tried = ['CHROMIUM_PATH', '/usr/bin/chromium', 'chromium on PATH'];
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    log("Installing Debian's chromium for the browser tests (apt-get; a minute or two)…");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
    } catch (err) {
      tried.push(`apt-get install chromium (${(err as Error).message})`);
    }
    const installed = findChromium();
    if (installed) return installed;
  } else {
    tried.push('apt-get (needs root)');
  }
  throw new Error(
    `No Chromium for the browser tests. Tried: ${tried.join('; ')}. Install Debian's chromium ` +
      '(apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.',
  );
}
