/**
 * The `runbook audit verify` and `runbook evidence` commands. Both open the audit store
 * read-only; each returns the process exit code: 0 done and the chain intact, 1 the chain has
 * problems (listed) or the store cannot be read, 2 a usage error (refused before any file is
 * written).
 */
import { resolve } from 'node:path';
import type { SiteConfig } from '../../temporal.config.ts';
import { openAuditDb, type AuditDb } from '../../connectors/audit/database.ts';
import { evidenceRangeProblems, exportEvidence } from '../../connectors/audit/evidence.ts';
import { verifyAuditTrail, type AuditProblem } from '../../connectors/audit/verify.ts';

export async function auditCommand(site: SiteConfig, sub: string | undefined): Promise<number> {
  if (sub !== 'verify') {
    console.error(`audit: expected a subcommand: verify${sub ? ` (got "${sub}")` : ''}`);
    return 2;
  }
  const db = await openReadOnly(site);
  if (!db) return 1;
  try {
    const result = await verifyAuditTrail(db);
    if (result.ok) {
      console.log(
        `Audit trail intact: ${result.records} record(s), last seq ${result.last.seq} (hash ${result.last.hash}).`,
      );
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

function printProblems(problems: AuditProblem[]): void {
  for (const p of problems) console.log(`  seq ${p.seq}  ${p.kind}: ${p.problem}`);
}
