/**
 * The audit store's tables, as Kysely sees them. `audit_chain_head` holds one row (id 1): the
 * last seq and hash, which appends lock to serialize themselves (and the head file's rewrites)
 * and verification compares with the last record. Being in the store, it proves nothing against
 * someone who can write the store: the signed head file outside it does.
 */
import type { AuditKind } from './record.ts';

export interface AuditRecordsTable {
  seq: number;
  recorded_at: string;
  workflow_id: string;
  run_id: string | null;
  runbook: string;
  kind: AuditKind;
  actor: string;
  subject: string | null;
  payload: string;
  idempotency_key: string;
  prev_hash: string;
  hash: string;
  key_id: string | null;
  signature: string | null;
}

export interface AuditChainHeadTable {
  id: number;
  last_seq: number;
  last_hash: string;
  updated_at: string;
}

export interface AuditDatabase {
  audit_records: AuditRecordsTable;
  audit_chain_head: AuditChainHeadTable;
}
