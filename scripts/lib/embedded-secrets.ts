/**
 * The secrets the embedded stack generates — the sandbox's mqweb credentials and the payload key —
 * kept under the site's `sandbox.secretsDir` (mode 600, git-ignored) unless the environment provides
 * them. The stack creates them on its first start; every other process a user runs beside it (the
 * operator and sandbox CLIs, a worker, the inbox, the schedules) reads them from there, so a second
 * terminal needs nothing exported. The environment always wins; a site without a sandbox section
 * takes its secrets from the environment only. Nothing here prints a secret.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePayloadKeys } from '../../connectors/codec/payload-keys.ts';
import type { SiteConfig } from '../../temporal.config.ts';

type Secrets = Record<string, string>;

const mqwebFile = (dir: string) => join(dir, 'mqweb.json');
const payloadKeysFile = (dir: string) => join(dir, 'payload-keys');

/** The stored secrets by the environment variable each stands for (none for a site without a sandbox). */
function storedSecrets(site: SiteConfig): Secrets {
  const dir = site.sandbox?.secretsDir;
  if (!dir) return {};
  const stored: Secrets = {};
  if (site.mq.mqweb && existsSync(mqwebFile(dir))) {
    const mqweb = JSON.parse(readFileSync(mqwebFile(dir), 'utf8')) as Secrets;
    for (const name of [site.mq.mqweb.userEnv, site.mq.mqweb.passwordEnv])
      if (typeof mqweb[name] === 'string') stored[name] = mqweb[name];
  }
  if (existsSync(payloadKeysFile(dir)))
    stored[site.codec.keysEnv] = readFileSync(payloadKeysFile(dir), 'utf8').trim();
  return stored;
}

/** `env` with the stored secrets it does not set itself. */
export function withEmbeddedSecrets(
  site: SiteConfig,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const merged = { ...env };
  for (const [name, value] of Object.entries(storedSecrets(site))) if (!merged[name]) merged[name] = value;
  return merged;
}

/** For an entry point, when it starts: puts the stored secrets its environment lacks into `process.env`. */
export function useEmbeddedSecrets(site: SiteConfig): void {
  Object.assign(process.env, withEmbeddedSecrets(site));
}

/**
 * The stack's secrets, generated where neither the environment nor the secrets folder has them, and
 * stored (the environment's values too) so every process started later agrees.
 */
export function ensureEmbeddedSecrets(site: SiteConfig, env: NodeJS.ProcessEnv = process.env): Secrets {
  const dir = site.sandbox?.secretsDir;
  if (!dir) return {};
  const known = withEmbeddedSecrets(site, env);
  const secrets: Secrets = {};
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (site.mq.mqweb) {
    const { userEnv, passwordEnv } = site.mq.mqweb;
    secrets[userEnv] = known[userEnv] || 'mqadmin';
    secrets[passwordEnv] = known[passwordEnv] || randomBytes(18).toString('base64url');
    writeFileSync(mqwebFile(dir), JSON.stringify(secrets), { mode: 0o600 });
  }
  // A payload key from the environment stays there; only a generated one is written down.
  const keysEnv = site.codec.keysEnv;
  secrets[keysEnv] = known[keysEnv] || generatePayloadKeys('sandbox-1');
  if (!known[keysEnv])
    writeFileSync(payloadKeysFile(dir), `${secrets[keysEnv]}\n`, { mode: 0o600, flag: 'wx' });
  return secrets;
}
