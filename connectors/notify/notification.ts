/**
 * The notification itself: what a runbook tells people — an approval to give, a reminder, an
 * escalation, an expiry, a failed run, a bank-side problem handed over. Workflows build it
 * (type import only); the notify activity validates it with `notificationSchema`.
 */
import { z } from 'zod';

export const notificationKinds = [
  'approval-requested',
  'approval-reminder',
  'approval-escalated',
  'approval-expired',
  'run-failed',
  /** A bank-side problem the runbook cannot fix, handed to people. */
  'run-escalated',
  /** A run started without a verified requester waits for an engineer to claim it. */
  'claim-requested',
  /** A step failed past its retry profile, or found what it did not expect: the run waits for an operator. */
  'step-paused',
  /** An operator retried, skipped or aborted a paused step. */
  'step-decided',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

export interface Notification {
  kind: NotificationKind;
  /** Chinese, one line: what happened, e.g. `序号重同步（工商银行）待审批`. */
  title: string;
  /** Chinese body lines, shown in order. */
  lines: string[];
  /** Deep link, e.g. the inbox's approval page. */
  link?: string;
  /** The runbook's name, e.g. `seq-resync`. */
  runbook: string;
  workflowId: string;
  bankCodes?: string[];
  /** Who should act, e.g. `finance-approver`. */
  roles?: string[];
  /** Same key, same notification: derived from the workflow id and the event, never random. */
  idempotencyKey: string;
}

export const notificationSchema = z
  .object({
    kind: z.enum(notificationKinds),
    title: z.string().trim().min(1).max(200),
    lines: z.array(z.string().max(2000)).max(100),
    link: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
    runbook: z.string().min(1).max(100),
    workflowId: z.string().min(1).max(500),
    bankCodes: z.array(z.string().min(1).max(100)).max(100).optional(),
    roles: z.array(z.string().min(1).max(100)).max(20).optional(),
    idempotencyKey: z
      .string()
      .min(1)
      .max(600)
      .regex(/^[^\p{Cc}]+$/u, 'no control characters'),
  })
  .strict() satisfies z.ZodType<Notification>;
