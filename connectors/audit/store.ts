/**
 * Appending to the audit trail. Appends are serialized: SQLite takes the write lock when the
 * transaction begins (BEGIN IMMEDIATE), Oracle locks the chain-head row (SELECT … FOR UPDATE),
 * so two workers can never both read the same head and fork the chain. Each record is signed
 * with the audit key; after the commit the signed head file is moved forward under the same
 * lock, so workers appending at once never move it back. A crash between the commit and that
 * write leaves the store ahead of the head file by records that chain from it, which verification
 * accepts and the next append brings the file up to. A repeated idempotency key returns the
 * record already written instead of appending again (and still brings the head file up to it).
 */
import { sql, type Kysely } from 'kysely';
import type { SigningKey } from '../approvals/signing-keys.ts';
import { AuditAnchorError, checkBeforeAppend } from './append-guard.ts';
import { recordMessage, signMessage, type AuditKeyRing } from './audit-keys.ts';
import type { AuditDb } from './database.ts';
import { readHeadFile, signHead, writeHeadFile } from './head-file.ts';
import { isSqlite, retryWhileBusy } from './migrations.ts';
import {
  normalizeEntry,
  recordHash,
  type AuditEntryInput,
  type AuditRecord,
  type ChainPoint,
} from './record.ts';
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

export interface AuditWriterOptions {
  db: AuditDb;
  /** The audit key records and heads are signed with (held by the appending workers only). */
  signingKey: SigningKey;
  /** The public keys the head file and the last record are checked with before appending. */
  keys: AuditKeyRing;
  headFile: string;
  now?: () => Date;
}

export interface AuditWriter {
  append(entry: AuditEntryInput): Promise<AppendResult>;
}

export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const { db, signingKey, keys, headFile, now = () => new Date() } = options;

  /** Moves the head file forward to `point`, never back: under the chain's lock, like appends. */
  async function advanceHeadFile(point: ChainPoint, at: Date): Promise<void> {
    await serializedWrite(db, async (trx) => {
      await lockChainHead(db, trx);
      const current = await readHeadFile(headFile, keys);
      if (!('head' in current)) throw new AuditAnchorError(`the head file ${headFile} ${current.problem}`);
      if (current.head.seq >= point.seq) return;
      await writeHeadFile(headFile, signHead(point, current.head.legacyUntil, signingKey, at));
    });
  }

  return {
    async append(entry) {
      const content = normalizeEntry(entry);
      const at = now();
      const result = await serializedWrite(db, async (trx): Promise<AppendResult> => {
        const head = await lockChainHead(db, trx);
        await checkBeforeAppend(trx, head, { keys, headFile, signingKey, at });
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

        const stored = { ...content, seq: head.seq + 1, recorded_at: at.toISOString() };
        const hash = recordHash(head.hash, stored);
        const record: AuditRecord = {
          ...stored,
          prev_hash: head.hash,
          hash,
          key_id: signingKey.keyId,
          signature: signMessage(recordMessage(hash), signingKey),
        };
        await trx.insertInto('audit_records').values(record).execute();
        await trx
          .updateTable('audit_chain_head')
          .set({ last_seq: record.seq, last_hash: record.hash, updated_at: record.recorded_at })
          .where('id', '=', 1)
          .execute();
        return { record, appended: true };
      });
      await advanceHeadFile({ seq: Number(result.record.seq), hash: result.record.hash }, at);
      return result;
    },
  };
}

/** Reads the chain head row, locking it (Oracle; SQLite holds the database's write lock already). */
async function lockChainHead(db: AuditDb, trx: Kysely<AuditDatabase>): Promise<ChainPoint> {
  const head = await trx
    .selectFrom('audit_chain_head')
    .select(['last_seq', 'last_hash'])
    .where('id', '=', 1)
    .$if(!isSqlite(db), (q) => q.forUpdate())
    .executeTakeFirst();
  if (!head) throw new Error('audit_chain_head has no row: the audit store was not opened for writing');
  return { seq: Number(head.last_seq), hash: head.last_hash };
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
