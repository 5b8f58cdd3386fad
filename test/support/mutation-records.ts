/**
 * The changes an estate's runs recorded, held to the one mutation record (domain/mutation-record.ts):
 * every `mutation` entry in the estate's audit store parses, or its seq and problems are named.
 * Each test estate checks its own store as it stops (estate.ts), so test files running at once
 * each check only what their own runs wrote.
 */
import { openAuditDb } from '../../connectors/audit/database.ts';
import { mutationRecordSchema } from '../../domain/mutation-record.ts';
import type { AuditConfig } from '../../temporal.config.ts';

/** The mutation records in `audit` that do not parse, each as `seq <n> (<workflow id>): <problems>`. */
export async function unparsedMutationRecords(audit: AuditConfig): Promise<string[]> {
  const db = await openAuditDb(audit);
  try {
    const rows = await db
      .selectFrom('audit_records')
      .select(['seq', 'workflow_id', 'payload'])
      .where('kind', '=', 'mutation')
      .orderBy('seq')
      .execute();
    return rows.flatMap((r) => {
      const parsed = mutationRecordSchema.safeParse(JSON.parse(r.payload));
      if (parsed.success) return [];
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`);
      return [`seq ${r.seq} (${r.workflow_id}): ${problems.join('; ')}`];
    });
  } finally {
    await db.destroy();
  }
}
