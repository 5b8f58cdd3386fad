/**
 * Notification activities: send one notification to every target the site configures. The
 * activity may be retried, so delivery is at-least-once: the file target skips a key it has
 * already written and a retry in the same worker skips targets that already have the message,
 * but a chat robot or a mail server may still see it twice. Acceptable for a notification;
 * never use this activity for anything that must happen exactly once.
 */
import { ApplicationFailure } from '@temporalio/common';
import { NotifyDeliveryError, NotifyFanOutError } from '../connectors/notify/errors.ts';
import { notificationSchema, type Notification } from '../connectors/notify/notification.ts';
import type { Notifier } from '../connectors/notify/port.ts';
import { describeInputIssues, ErrorKind, invalidInput } from '../domain/errors.ts';
import { records } from './activity-kinds.ts';

export function createNotifyActivities({ notifier }: { notifier: Notifier }) {
  return {
    notify: records(async (n: Notification): Promise<void> => {
      const parsed = notificationSchema.safeParse(n);
      if (!parsed.success) throw invalidInput(describeInputIssues(parsed.error));
      try {
        await notifier.send(parsed.data);
      } catch (err) {
        throw toFailure(err);
      }
    }),
  };
}

/** Failed targets become a retryable NotificationFailed naming each of them. */
function toFailure(err: unknown): unknown {
  if (err instanceof NotifyFanOutError) {
    return ApplicationFailure.create({
      type: ErrorKind.NotificationFailed,
      message: err.message,
      details: [{ failed: err.failures, delivered: err.delivered }],
      cause: err,
    });
  }
  if (err instanceof NotifyDeliveryError) {
    return ApplicationFailure.create({
      type: ErrorKind.NotificationFailed,
      message: err.message,
      details: [{ failed: [{ target: err.target, reason: err.reason, code: err.code }], delivered: [] }],
      cause: err,
    });
  }
  return err;
}
