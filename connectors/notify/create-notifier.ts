/**
 * Builds the site's notifier from `notify.targets`: every target gets every notification. One
 * target failing does not stop the others; the call then fails naming the failed targets, and
 * a retry within the same process skips the targets that already have that idempotency key,
 * so a flaky mail server does not make the chat group see the message twice.
 *
 * Secrets (robot URLs, SMTP credentials) are read from the environment here, once, when the
 * worker starts: a missing variable fails the start, not the first notification.
 */
import type { Logger } from 'pino';
import type { NotifyTargetConfig } from '../../temporal.config.ts';
import { NotifyConfigError, NotifyFanOutError, type TargetFailure } from './errors.ts';
import { createFileTarget } from './file.ts';
import type { Notification } from './notification.ts';
import type { Notifier, NotifyLanguage, NotifyTarget } from './port.ts';
import { createSmtpTarget } from './smtp.ts';
import { createWebhookTarget } from './webhook.ts';

export interface NotifierOptions {
  /** Where `urlEnv`, `userEnv` and `passwordEnv` are looked up; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Per-request timeout of the robot and SMTP targets. */
  timeoutMs?: number;
  language?: NotifyLanguage;
}

export interface FanOutNotifier extends Notifier {
  /** The targets' names, in configuration order. */
  readonly targets: readonly string[];
}

export function createNotifier(
  targets: readonly NotifyTargetConfig[],
  log: Logger,
  options: NotifierOptions = {},
): FanOutNotifier {
  const env = options.env ?? process.env;
  const common = {
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.language && { language: options.language }),
  };
  const built = targets.map((t, i): NotifyTarget => {
    const where = `notify.targets[${i}]`;
    switch (t.type) {
      case 'webhook':
        return createWebhookTarget(
          {
            flavor: t.flavor,
            url: requireEnv(env, t.urlEnv, `${where}.urlEnv`),
            urlEnv: t.urlEnv,
            ...common,
          },
          log,
        );
      case 'smtp': {
        if (!!t.userEnv !== !!t.passwordEnv) {
          throw new NotifyConfigError(`${where}: set both userEnv and passwordEnv, or neither`);
        }
        const auth =
          t.userEnv && t.passwordEnv
            ? {
                user: requireEnv(env, t.userEnv, `${where}.userEnv`),
                password: requireEnv(env, t.passwordEnv, `${where}.passwordEnv`),
              }
            : undefined;
        return createSmtpTarget(
          {
            host: t.host,
            port: t.port,
            secure: t.secure,
            from: t.from,
            to: t.to,
            ...(auth && { auth }),
            ...common,
          },
          log,
        );
      }
      case 'file':
        return createFileTarget({ path: t.path }, log);
    }
  });
  return fanOut(built, log);
}

const deliveredMemory = 10_000;

/** Sends to every target concurrently; throws NotifyFanOutError when any failed. */
export function fanOut(targets: readonly NotifyTarget[], log: Logger): FanOutNotifier {
  const names = targets.map((t) => t.name);
  if (new Set(names).size !== names.length) {
    throw new NotifyConfigError(`notify.targets: the same target is configured twice (${names.join(', ')})`);
  }
  if (targets.length === 0) log.warn('no notification targets configured: notifications go nowhere');
  // Insertion-ordered, so the oldest entries are dropped first.
  const delivered = new Set<string>();
  const remember = (key: string) => {
    delivered.add(key);
    if (delivered.size > deliveredMemory) delivered.delete(delivered.values().next().value as string);
  };

  return {
    targets: names,
    async send(n: Notification) {
      const memo = (t: NotifyTarget) => `${t.name}\u0000${n.idempotencyKey}`;
      const pending = targets.filter((t) => !delivered.has(memo(t)));
      const results = await Promise.allSettled(pending.map((t) => t.send(n)));
      const failures: TargetFailure[] = [];
      pending.forEach((t, i) => {
        const r = results[i] as PromiseSettledResult<void>;
        if (r.status === 'fulfilled') {
          remember(memo(t));
          return;
        }
        const err = (r.reason ?? {}) as { reason?: unknown; code?: unknown; message?: unknown };
        failures.push({
          target: t.name,
          reason: typeof err.reason === 'string' ? err.reason : String(err.message ?? r.reason),
          ...(typeof err.code === 'string' && { code: err.code }),
        });
      });
      const base = { kind: n.kind, workflowId: n.workflowId, idempotencyKey: n.idempotencyKey };
      if (failures.length > 0) {
        log.warn({ ...base, failures }, 'notification not delivered to every target');
        throw new NotifyFanOutError(
          failures,
          names.filter((name) => !failures.some((f) => f.target === name)),
        );
      }
      log.info({ ...base, targets: pending.map((t) => t.name) }, 'notification sent');
    },
  };
}

function requireEnv(env: NodeJS.ProcessEnv, name: string, field: string): string {
  const value = env[name];
  if (!value) throw new NotifyConfigError(`${field}: environment variable ${name} is not set`);
  return value;
}
