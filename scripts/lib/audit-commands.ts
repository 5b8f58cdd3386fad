/**
 * The `runbook audit verify` and `runbook evidence` commands. Both open the audit store
 * read-only and check it with public keys only (audit.signers, approvals.signers) against the
 * signed head file and any `--anchor` (a head file copy or an evidence export); each returns the
 * process exit code: 0 done and the trail intact, 1 the trail has problems (listed) or the store
 * cannot be read, 2 a usage error (refused before any file is written).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SiteConfig } from '../../temporal.config.ts';
import { openAuditDb, type AuditDb } from '../../connectors/audit/database.ts';
import { evidenceRangeProblems, exportEvidence } from '../../connectors/audit/evidence.ts';
import { siteVerifyOptions } from '../../connectors/audit/site-audit.ts';
import {
  verifyAuditTrail,
  type AuditProblem,
  type AuditVerification,
} from '../../connectors/audit/verify.ts';

export async function auditCommand(
  site: SiteConfig,
  sub: string | undefined,
  anchors: string[] = [],
): Promise<number> {
  if (sub !== 'verify') {
    console.error(`audit: expected a subcommand: verify${sub ? ` (got "${sub}")` : ''}`);
    return 2;
  }
  const unreadable = anchors.filter((file) => !existsSync(file));
  if (unreadable.length) {
    for (const file of unreadable) console.error(`--anchor: no file "${file}"`);
    return 2;
  }
  const db = await openReadOnly(site);
  if (!db) return 1;
  try {
    const result = await verifyAuditTrail(
      db,
      await siteVerifyOptions(
        site,
        anchors.map((a) => resolve(a)),
      ),
    );
    if (result.ok) {
      console.log(
        `Audit trail intact: ${result.records} record(s), last seq ${result.last.seq} (hash ${result.last.hash}).`,
      );
      printCoverage(result);
      return 0;
    }
    console.log(
      `Audit trail NOT intact: ${result.problems.length} problem(s) in ${result.records} record(s):`,
    );
    printProblems(result.problems);
    return 1;
  } finally {
    await db.destroy();
  }
}

export async function evidenceCommand(
  site: SiteConfig,
  flags: { from?: string; to?: string; out?: string },
): Promise<number> {
  const problems = evidenceRangeProblems(flags);
  if (problems.length) {
    for (const p of problems) console.error(`--${p}`);
    return 2;
  }
  const db = await openReadOnly(site);
  if (!db) return 1;
  try {
    const { from = '', to = '' } = flags;
    const { bundle, jsonFile, htmlFile } = await exportEvidence(db, {
      from,
      to,
      verify: await siteVerifyOptions(site),
      reportsDir: site.reports.dir,
      ...(flags.out && { outDir: resolve(flags.out) }),
      siteName: site.site.name,
    });
    const runs = new Set(bundle.records.map((r) => r.workflow_id)).size;
    console.log(`Evidence ${from} – ${to}: ${bundle.records.length} record(s) in ${runs} run(s)`);
    console.log(`  JSON: ${jsonFile}\n  HTML: ${htmlFile}`);
    const { chain } = bundle.verification;
    if (chain.ok) {
      console.log('Audit chain: intact.');
      return 0;
    }
    console.log(`Audit chain: NOT intact, ${chain.problems.length} problem(s) (recorded in the evidence):`);
    printProblems(chain.problems);
    return 1;
  } finally {
    await db.destroy();
  }
}

async function openReadOnly(site: SiteConfig): Promise<AuditDb | undefined> {
  try {
    return await openAuditDb(site.audit, { readOnly: true });
  } catch (err) {
    const where =
      site.audit.adapter === 'sqlite' ? site.audit.sqlite?.path : site.audit.oracle?.connectString;
    console.error(`Cannot open the audit store (${site.audit.adapter} ${where}): ${(err as Error).message}`);
    return undefined;
  }
}

function printCoverage({ records, legacy, anchored }: AuditVerification): void {
  console.log(`  Signatures: ${records - legacy} record(s) signed with an audit key, each verified.`);
  if (legacy)
    console.log(
      `  seq 1–${legacy}: written before records were signed; covered by the hash chain and the signed head.`,
    );
  for (const a of anchored)
    console.log(`  Anchored: the signed head in ${a.source} (seq ${a.seq}) is held by the store.`);
}

function printProblems(problems: AuditProblem[]): void {
  for (const p of problems) console.log(`  seq ${p.seq}  ${p.kind}: ${p.problem}`);
}
