/**
 * The audit trail as the site file configures it: the writer the runbooks worker appends
 * through (the audit private key, the public keys, the head file), and what a verification
 * checks with — public keys only (audit.signers, approvals.signers) and the signed heads.
 */
import type { SignerKey } from '../../domain/approvals/decision.ts';
import type { SiteConfig, AuditConfig } from '../../temporal.config.ts';
import { loadSignerKeys, loadSigningKey } from '../approvals/signing-keys.ts';
import { AuditKeyRing } from './audit-keys.ts';
import type { AuditDb } from './database.ts';
import { readHeadFile } from './head-file.ts';
import { createAuditWriter, type AuditWriter } from './store.ts';
import type { VerifyOptions } from './verify.ts';

export function auditKeyRing(audit: AuditConfig): AuditKeyRing {
  return new AuditKeyRing(loadSignerKeys(audit, 'audit'));
}

/** For the worker that appends: reads the audit private key (env var or mode-600 file). */
export function createSiteAuditWriter(db: AuditDb, audit: AuditConfig, now?: () => Date): AuditWriter {
  return createAuditWriter({
    db,
    signingKey: loadSigningKey(audit, 'audit'),
    keys: auditKeyRing(audit),
    headFile: audit.headFile,
    ...(now && { now }),
  });
}

/** The site's keys and head file, and any further heads to hold the store to (exports, copies). */
export async function siteVerifyOptions(
  site: SiteConfig,
  extraAnchors: string[] = [],
): Promise<VerifyOptions> {
  return auditVerifyOptions(site.audit, loadSignerKeys(site.approvals), extraAnchors);
}

export async function auditVerifyOptions(
  audit: AuditConfig,
  decisionSigners: SignerKey[],
  extraAnchors: string[] = [],
): Promise<VerifyOptions> {
  const keys = { audit: auditKeyRing(audit), decisions: decisionSigners };
  const anchors = await Promise.all(
    [audit.headFile, ...extraAnchors].map((file) => readHeadFile(file, keys.audit)),
  );
  return { keys, anchors };
}
