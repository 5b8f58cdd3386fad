/**
 * The embedded stack's identities: the front door's and the audit trail's signing key pairs and
 * three demo users, created once under data/secrets (git-ignored, mode 600). They exist so a new user can
 * watch an approval happen; the demo accounts are named as such everywhere they appear and a
 * real site never has them (its users come from its own store or directory).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureSigningKeyPair } from '../../connectors/approvals/signing-keys.ts';
import { createLocalUserStore } from '../../connectors/users/local-store.ts';
import type { SiteConfig } from '../../temporal.config.ts';

export interface DemoCredentials {
  engineer: { id: string; password: string };
  approver: { id: string; password: string };
  director: { id: string; password: string };
}

const demoUsers = {
  engineer: { id: 'demo-engineer', displayName: '演示工程师（仅沙箱）', roles: ['engineer'] },
  approver: {
    id: 'demo-approver',
    displayName: '演示审批人（仅沙箱）',
    roles: ['comm-approver', 'finance-approver'],
  },
  director: { id: 'demo-director', displayName: '演示局领导（仅沙箱）', roles: ['finance-director'] },
} as const;

/** Creates the front door's and the audit's key pairs where the site names files for them and they are missing. */
export function ensureSigningKeys(site: SiteConfig): void {
  for (const keys of [site.approvals, site.audit]) {
    const privateFile = keys.signingKey.privateKeyFile;
    const publicFile = keys.signers.find((s) => s.keyId === keys.signingKey.keyId)?.publicKeyFile;
    if (privateFile && publicFile) ensureSigningKeyPair(privateFile, publicFile);
  }
}

export function demoCredentialsFile(site: SiteConfig): string {
  return join(dirname(site.approvals.users.file), 'demo-credentials.json');
}

/** The demo users' credentials, creating the users on first start. */
export async function ensureDemoUsers(site: SiteConfig): Promise<DemoCredentials> {
  const file = demoCredentialsFile(site);
  if (existsSync(file) && existsSync(site.approvals.users.file)) {
    return JSON.parse(await readFile(file, 'utf8')) as DemoCredentials;
  }
  const store = createLocalUserStore(site.approvals.users.file);
  const credentials = {} as Record<keyof DemoCredentials, { id: string; password: string }>;
  for (const [role, user] of Object.entries(demoUsers) as [
    keyof DemoCredentials,
    (typeof demoUsers)[keyof DemoCredentials],
  ][]) {
    const password = randomBytes(12).toString('base64url');
    await store.put({ ...user, roles: [...user.roles] }, password);
    credentials[role] = { id: user.id, password };
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}
