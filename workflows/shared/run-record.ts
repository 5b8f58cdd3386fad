/**
 * A run's record of itself: audit-trail entries and notifications, both through activities on
 * the `record` retry profile with idempotency keys derived from the workflow id, so a retried or
 * replayed step never writes the same entry twice.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { createAuditActivities } from '../../activities/audit.ts';
import type { createNotifyActivities } from '../../activities/notify.ts';
import type { Notification } from '../../connectors/notify/notification.ts';
import type { AuditKind } from '../../connectors/audit/record.ts';
import { recordActivities } from './retry-profiles.ts';

type Audit = ReturnType<typeof createAuditActivities>;
type Notify = ReturnType<typeof createNotifyActivities>;

export interface AuditNote {
  kind: AuditKind;
  actor: string;
  subject: string;
  payload: unknown;
  /** Unique within the run, e.g. `decision/<nonce>`. */
  key: string;
}

export type NoticeInput = Omit<Notification, 'runbook' | 'workflowId' | 'idempotencyKey'> & { key: string };

export interface RunRecord {
  audit(note: AuditNote): Promise<void>;
  notify(notice: NoticeInput): Promise<void>;
}

export function createRunRecord(runbook: string): RunRecord {
  const { workflowId, runId } = workflowInfo();
  const audit = recordActivities<Audit>();
  const notify = recordActivities<Notify>();
  return {
    async audit({ key, ...note }) {
      // Keyed by run: a later run under the same workflow id (allowed once the first has closed)
      // leaves its own records, while a retried or replayed step of this run writes none twice.
      await audit.appendAudit({
        ...note,
        workflowId,
        runId,
        runbook,
        idempotencyKey: `${workflowId}/${runId}/${key}`,
      });
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
