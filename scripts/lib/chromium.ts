/**
 * The browser for the inbox's end-to-end tests: Debian's Chromium, driven by playwright-core
 * (playwright's own browser download cannot work on a machine that reaches only the package
 * registries). Order: CHROMIUM_PATH, /usr/bin/chromium, `chromium` on PATH, then — as root with
 * apt — `apt-get install chromium`. Fails with what it tried.
 */
import { existsSync } from 'node:fs';
import { aptInstall, onPath } from './apt-install.ts';

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return onPath('chromium') ?? onPath('chromium-browser');
}

export function ensureChromium(log: (line: string) => void = console.log): string {
  const found = findChromium();
  if (found) return found;
  const tried = ['CHROMIUM_PATH', '/usr/bin/chromium', 'chromium on PATH'];
  const aptProblem = aptInstall('chromium', 'for the browser tests', log);
  if (aptProblem) tried.push(aptProblem);
  const installed = findChromium();
  if (installed) return installed;
  throw new Error(
    `No Chromium for the browser tests. Tried: ${tried.join('; ')}. Install Debian's chromium ` +
      '(apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.',
  );
}
