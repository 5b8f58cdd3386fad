/**
 * 我的审批记录: the decisions one person has made, read from the audit trail (records of kind
 * `decision` whose actor is the user). A port, so the inbox does not care where the trail lives;
 * the adapter reads the audit store through Kysely (SQLite or Oracle alike), read-only.
 */
import { openAuditDb, type AuditDb } from '../connectors/audit/database.ts';
import type { SqlStoreConfig } from '../temporal.config.ts';

export interface DecisionEntry {
  at: string;
  workflowId: string;
  runbook: string;
  gateId: string;
  step?: string;
  verdict: 'approve' | 'reject';
  reason?: string;
  planDigest: string;
  via?: 'inbox' | 'cli';
}

export interface DecisionHistory {
  /** Newest first. */
  decisionsBy(userId: string, limit: number): Promise<DecisionEntry[]>;
}

export function createAuditDecisionHistory(db: AuditDb): DecisionHistory {
  return {
    async decisionsBy(userId, limit) {
      const rows = await db
        .selectFrom('audit_records')
        .select(['recorded_at', 'workflow_id', 'runbook', 'subject', 'payload'])
        .where('kind', '=', 'decision')
        .where('actor', '=', userId)
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
      return rows.flatMap((row): DecisionEntry[] => {
        let p: Record<string, unknown>;
        try {
          p = JSON.parse(row.payload) as Record<string, unknown>;
        } catch {
          return [];
        }
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const verdict = p.verdict === 'reject' ? 'reject' : 'approve';
        const via = p.via === 'cli' || p.via === 'inbox' ? p.via : undefined;
        return [
          {
            at: text(p.at) ?? row.recorded_at,
            workflowId: row.workflow_id,
            runbook: row.runbook,
            gateId: row.subject ?? '',
            step: text(p.step),
            verdict,
            reason: text(p.reason),
            planDigest: text(p.planDigest) ?? '',
            via,
          },
        ];
      });
    },
  };
}

/**
 * The history over the site's audit store, opened read-only on first use: before the first run
 * there is no trail yet, and the inbox must start anyway and find it once a worker has made it.
 */
export function openDecisionHistory(config: SqlStoreConfig): DecisionHistory & { close(): Promise<void> } {
  let opened: Promise<AuditDb> | undefined;
  const db = () => {
    opened ??= openAuditDb(config, { readOnly: true }).catch((err: unknown) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };
  return {
    async decisionsBy(userId, limit) {
      return createAuditDecisionHistory(await db()).decisionsBy(userId, limit);
    },
    async close() {
      const current = opened;
      opened = undefined;
      if (current) await (await current.catch(() => undefined))?.destroy();
    },
  };
}
