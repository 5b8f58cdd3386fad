/**
 * The notification port: deliver a `Notification` (see `notification.ts`) to people. Adapters:
 * chat robots (WeCom, DingTalk; `webhook.ts`), SMTP mail (`smtp.ts`) and a JSON-lines file, the
 * sandbox's inbox of record (`file.ts`); `create-notifier.ts` fans one notification out to
 * every target the site configures.
 *
 * Delivery is at-least-once: the activity that sends may be retried, the file adapter skips an
 * idempotency key it has already written, a robot or a mail server may see a message twice.
 */
import type { Notification } from './notification.ts';

export interface Notifier {
  /** Resolves once every target has the notification; throws a typed error otherwise. */
  send(message: Notification): Promise<void>;
}

/** One delivery target; `name` says which in logs and errors and never holds a secret. */
export interface NotifyTarget extends Notifier {
  readonly name: string;
}

export type NotifyLanguage = 'zh' | 'en';
