/**
 * A run's record of itself: audit-trail entries (each change in the one mutation record,
 * domain/mutation-record.ts, written through `mutation` only) and notifications, both through
 * activities on the `record` retry profile with idempotency keys derived from the workflow id, so a
 * retried or replayed step never writes the same entry twice.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { createAuditActivities } from '../../activities/audit.ts';
import type { createNotifyActivities } from '../../activities/notify.ts';
import type { Notification } from '../../connectors/notify/notification.ts';
import type { AuditKind } from '../../connectors/audit/record.ts';
import { mutationRecord, type ApprovedOn, type Done } from '../../domain/mutation-record.ts';
import { recordActivities } from './retry-profiles.ts';

type Audit = ReturnType<typeof createAuditActivities>;
type Notify = ReturnType<typeof createNotifyActivities>;

export interface AuditNote {
  /** Any kind but a change: a change is written by `mutation`, in its one shape. */
  kind: Exclude<AuditKind, 'mutation'>;
  actor: string;
  subject: string;
  payload: unknown;
  /** Unique within the run, e.g. `decision/<nonce>`. */
  key: string;
}

export type NoticeInput = Omit<Notification, 'runbook' | 'workflowId' | 'idempotencyKey'> & { key: string };

export interface RunRecord {
  audit(note: AuditNote): Promise<void>;
  /** Records one change made on the approval `on`, in the one shape every mutating step writes. */
  mutation(on: ApprovedOn, change: Done & { subject: string; key: string }): Promise<void>;
  notify(notice: NoticeInput): Promise<void>;
}

export function createRunRecord(runbook: string): RunRecord {
  const { workflowId, runId } = workflowInfo();
  const audit = recordActivities<Audit>();
  const notify = recordActivities<Notify>();
  // Keyed by run: a later run under the same workflow id (allowed once the first has closed)
  // leaves its own records, while a retried or replayed step of this run writes none twice.
  const append = async ({ key, ...note }: Omit<AuditNote, 'kind'> & { kind: AuditKind }) => {
    await audit.appendAudit({
      ...note,
      workflowId,
      runId,
      runbook,
      idempotencyKey: `${workflowId}/${runId}/${key}`,
    });
  };
  return {
    audit: append,
    async mutation(on, { subject, key, ...done }) {
      await append({ kind: 'mutation', actor: 'system', subject, payload: mutationRecord(on, done), key });
    },
    async notify({ key, ...notice }) {
      await notify.notify({
        ...notice,
        runbook,
        workflowId,
        idempotencyKey: `${workflowId}/${runId}/${key}`,
      });
    },
  };
}
