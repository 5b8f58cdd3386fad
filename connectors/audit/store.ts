/**
 * Appending to the audit trail. Appends are serialized: SQLite takes the write lock when the
 * transaction begins (BEGIN IMMEDIATE), Oracle locks the chain-head row (SELECT … FOR UPDATE),
 * so two workers can never both read the same head and fork the chain. A repeated idempotency
 * key returns the record already written instead of appending again.
 */
import { sql, type Kysely } from 'kysely';
import type { AuditDb } from './database.ts';
import { isSqlite, retryWhileBusy } from './migrations.ts';
import { normalizeEntry, recordHash, type AuditEntryInput, type AuditRecord } from './record.ts';
import type { AuditDatabase } from './schema.ts';

/** The key was used before for a different workflow or kind: a caller bug, not a retry. */
export class AuditKeyConflictError extends Error {
  constructor(
    readonly idempotencyKey: string,
    readonly existing: { seq: number; workflowId: string; kind: string },
  ) {
    super(
      `Idempotency key ${idempotencyKey} already names seq ${existing.seq} ` +
        `(${existing.kind} of ${existing.workflowId}), a different entry`,
    );
    this.name = 'AuditKeyConflictError';
  }
}

export interface AppendResult {
  record: AuditRecord;
  /** False when the key had been appended before and the existing record came back. */
  appended: boolean;
}

export async function appendAuditRecord(
  db: AuditDb,
  entry: AuditEntryInput,
  now: () => Date = () => new Date(),
): Promise<AppendResult> {
  const content = normalizeEntry(entry);
  return serializedWrite(db, async (trx) => {
    const head = await trx
      .selectFrom('audit_chain_head')
      .select(['last_seq', 'last_hash'])
      .where('id', '=', 1)
      .$if(!isSqlite(db), (q) => q.forUpdate())
      .executeTakeFirst();
    if (!head) throw new Error('audit_chain_head has no row: the audit store was not opened for writing');

    const existing = await trx
      .selectFrom('audit_records')
      .selectAll()
      .where('idempotency_key', '=', content.idempotency_key)
      .executeTakeFirst();
    if (existing) {
      if (existing.workflow_id !== content.workflow_id || existing.kind !== content.kind) {
        throw new AuditKeyConflictError(content.idempotency_key, {
          seq: existing.seq,
          workflowId: existing.workflow_id,
          kind: existing.kind,
        });
      }
      return { record: existing, appended: false };
    }

    const stored = { ...content, seq: Number(head.last_seq) + 1, recorded_at: now().toISOString() };
    const record: AuditRecord = {
      ...stored,
      prev_hash: head.last_hash,
      hash: recordHash(head.last_hash, stored),
    };
    await trx.insertInto('audit_records').values(record).execute();
    await trx
      .updateTable('audit_chain_head')
      .set({ last_seq: record.seq, last_hash: record.hash, updated_at: record.recorded_at })
      .where('id', '=', 1)
      .execute();
    return { record, appended: true };
  });
}

/**
 * One write transaction holding the chain's lock. On SQLite the lock is taken up front (BEGIN
 * IMMEDIATE); while another connection holds it we wait with timers (`retryWhileBusy`), not in
 * SQLite's busy handler, which would block the process and any connection of ours holding it.
 */
async function serializedWrite<T>(db: AuditDb, fn: (trx: Kysely<AuditDatabase>) => Promise<T>): Promise<T> {
  if (!isSqlite(db)) return db.transaction().execute(fn);
  return retryWhileBusy(() =>
    db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        // SQLite may have rolled back already (it does on some errors); the first error is the one to report.
        await sql`rollback`.execute(conn).catch(() => undefined);
        throw err;
      }
    }),
  );
}
