/**
 * Audit activity: append one entry to the signed, hash-chained audit trail. Runs on the `record`
 * retry profile; the idempotency key (e.g. `${workflowId}/decision/${nonce}`) makes a retry return
 * the record the first attempt wrote instead of appending a second one. A store that no longer
 * matches its signed head is refused retryably: the run waits for the trail to be restored
 * rather than act without a record.
 */
import { ApplicationFailure } from '@temporalio/common';
import { AuditAnchorError } from '../connectors/audit/append-guard.ts';
import { AuditEntryError, type AuditEntryInput } from '../connectors/audit/record.ts';
import { AuditKeyConflictError, type AuditWriter } from '../connectors/audit/store.ts';
import { ErrorKind, invalidInput } from '../domain/errors.ts';
import { records } from './activity-kinds.ts';

export type { AuditEntryInput } from '../connectors/audit/record.ts';

export interface AuditDeps {
  audit: AuditWriter;
}

export function createAuditActivities({ audit }: AuditDeps) {
  return {
    appendAudit: records(async (entry: AuditEntryInput): Promise<{ seq: number; hash: string }> => {
      try {
        const { record } = await audit.append(entry);
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
        if (err instanceof AuditAnchorError) {
          throw ApplicationFailure.create({
            type: ErrorKind.AuditTrailBroken,
            message: err.message,
            cause: err,
          });
        }
        throw err;
      }
    }),
  };
}
