/**
 * SMTP mail adapter (nodemailer): one mail per notification to the site's recipients, a UTF-8
 * Chinese subject, a plain-text body and a simple HTML one. Implicit TLS when `secure`,
 * otherwise STARTTLS when the server offers it. Credentials are read once when the target is
 * built.
 *
 * A retried activity can send the mail twice (at-least-once); the Message-ID is derived from
 * the idempotency key, so a second copy carries the same id and mail stores that deduplicate on
 * it show one.
 */
import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import { NotifyDeliveryError } from './errors.ts';
import type { Notification } from './notification.ts';
import type { NotifyLanguage, NotifyTarget } from './port.ts';
import { notificationSubject, toHtml, toPlainText } from './render.ts';

export interface SmtpTargetOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465 usually). */
  secure: boolean;
  from: string;
  to: string[];
  auth?: { user: string; password: string };
  /** Connect, greeting and idle timeouts; default 15 s each. */
  timeoutMs?: number;
  language?: NotifyLanguage;
}

export const defaultSmtpTimeoutMs = 15_000;

/** `<hex@jincai-runbooks>`: the same key always gives the same Message-ID. */
export function notificationMessageId(n: Notification): string {
  return `<${createHash('sha256').update(n.idempotencyKey).digest('hex').slice(0, 40)}@jincai-runbooks>`;
}

export function createSmtpTarget(options: SmtpTargetOptions, log: Logger): NotifyTarget {
  const { host, port, secure, from, to, language = 'zh', timeoutMs = defaultSmtpTimeoutMs } = options;
  const name = `smtp(${host}:${port})`;
  const transport = createTransport({
    host,
    port,
    secure,
    ...(options.auth && { auth: { user: options.auth.user, pass: options.auth.password } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  return {
    name,
    async send(n) {
      let rejected: string[];
      try {
        const info = await transport.sendMail({
          from,
          to,
          subject: notificationSubject(n, language),
          text: toPlainText(n, language),
          html: toHtml(n, language),
          messageId: notificationMessageId(n),
        });
        rejected = info.rejected.map(String);
      } catch (err) {
        const e = err as { code?: unknown; responseCode?: unknown; message?: unknown };
        const code = typeof e.code === 'string' ? e.code : 'ESMTP';
        const reply = typeof e.responseCode === 'number' ? ` (server reply ${e.responseCode})` : '';
        throw new NotifyDeliveryError(name, `${code}: ${String(e.message ?? err)}${reply}`, code);
      }
      if (rejected.length > 0) {
        // Some recipients have it; a retry resends to all, which beats a recipient never told.
        throw new NotifyDeliveryError(
          name,
          `server refused ${rejected.length} of ${to.length} recipients: ${rejected.join(', ')}`,
          'ERECIPIENT',
        );
      }
      log.debug({ target: name, kind: n.kind, idempotencyKey: n.idempotencyKey }, 'notification mailed');
    },
  };
}
