/**
 * Audit activity: append one entry to the hash-chained audit trail. Runs on the `record` retry
 * profile; the idempotency key (e.g. `${workflowId}/decision/${nonce}`) makes a retry return the
 * record the first attempt wrote instead of appending a second one.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { AuditDb } from '../connectors/audit/database.ts';
import { AuditEntryError, type AuditEntryInput } from '../connectors/audit/record.ts';
import { appendAuditRecord, AuditKeyConflictError } from '../connectors/audit/store.ts';
import { ErrorKind, invalidInput } from '../workflows/shared/errors.ts';

export type { AuditEntryInput } from '../connectors/audit/record.ts';

export interface AuditDeps {
  db: AuditDb;
  now?: () => Date;
}

export function createAuditActivities({ db, now = () => new Date() }: AuditDeps) {
  return {
    async appendAudit(entry: AuditEntryInput): Promise<{ seq: number; hash: string }> {
      try {
        const { record } = await appendAuditRecord(db, entry, now);
        return { seq: record.seq, hash: record.hash };
      } catch (err) {
        if (err instanceof AuditEntryError) throw invalidInput(err.problems);
        if (err instanceof AuditKeyConflictError) {
          throw ApplicationFailure.create({
            type: ErrorKind.InvalidInput,
            nonRetryable: true,
            message: err.message,
            details: [{ idempotencyKey: err.idempotencyKey, existing: err.existing }],
            cause: err,
          });
        }
        throw err;
      }
    },
  };
}
