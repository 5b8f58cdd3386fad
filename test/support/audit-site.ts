/**
 * A test's own audit section: an SQLite store, an audit key pair and a head file, all in the
 * test's folder.
 */
import { join } from 'node:path';
import { ensureSigningKeyPair } from '../../connectors/approvals/signing-keys.ts';
import type { AuditConfig } from '../../temporal.config.ts';

export function testAuditSection(dir: string): AuditConfig {
  const privateKeyFile = join(dir, 'secrets', 'audit-signing.key');
  const publicKeyFile = join(dir, 'secrets', 'audit-signing.pub');
  ensureSigningKeyPair(privateKeyFile, publicKeyFile);
  return {
    adapter: 'sqlite',
    sqlite: { path: join(dir, 'audit.db') },
    signers: [{ keyId: 'test-audit', publicKeyFile }],
    signingKey: { keyId: 'test-audit', privateKeyFile },
    headFile: join(dir, 'audit-head.json'),
  };
}
