/**
 * Chat-robot adapter: a WeCom group robot (企业微信群机器人) or a DingTalk custom robot
 * (钉钉自定义机器人), both a POST of a markdown message to a webhook URL whose query carries the
 * robot's key. Both answer HTTP 200 with `{"errcode":0,"errmsg":"ok"}` on success and another
 * errcode otherwise, so the answer is checked, not just the status.
 *
 * The URL is a credential: it is read once when the target is built and never appears in a log
 * line or an error message. A retried activity can post the same message twice (at-least-once).
 * A DingTalk robot must be secured by keyword or IP allow-list; signed robots (加签) need a
 * secret the site file has no field for yet.
 */
import type { Logger } from 'pino';
import { NotifyConfigError, NotifyDeliveryError, WebhookRejectedError } from './errors.ts';
import type { Notification } from './notification.ts';
import type { NotifyLanguage, NotifyTarget } from './port.ts';
import { notificationSubject, toMarkdown, truncateUtf8 } from './render.ts';

export type RobotFlavor = 'wecom' | 'dingtalk';

export interface WebhookTargetOptions {
  flavor: RobotFlavor;
  /** The robot's full webhook URL, key included. */
  url: string;
  /** Where the URL came from, named in logs and errors instead of the URL. */
  urlEnv: string;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  language?: NotifyLanguage;
}

export const defaultWebhookTimeoutMs = 10_000;
/** WeCom's documented cap on markdown content; DingTalk's is larger, the same cap keeps both safe. */
export const robotMarkdownMaxBytes = 4096;

/** The exact JSON body each robot expects. */
export function robotMessage(flavor: RobotFlavor, n: Notification, lang: NotifyLanguage = 'zh'): object {
  if (flavor === 'wecom') {
    return {
      msgtype: 'markdown',
      markdown: { content: toMarkdown(n, { lang, lineBreak: '\n', maxBytes: robotMarkdownMaxBytes }) },
    };
  }
  return {
    msgtype: 'markdown',
    markdown: {
      title: notificationSubject(n, lang),
      text: toMarkdown(n, { lang, lineBreak: '\n\n', maxBytes: robotMarkdownMaxBytes }),
    },
  };
}

export function createWebhookTarget(options: WebhookTargetOptions, log: Logger): NotifyTarget {
  const { flavor, urlEnv, language = 'zh', timeoutMs = defaultWebhookTimeoutMs } = options;
  const name = `${flavor}(${urlEnv})`;
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new NotifyConfigError(`${name}: environment variable ${urlEnv} does not hold a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new NotifyConfigError(`${name}: environment variable ${urlEnv} does not hold an http(s) URL`);
  }
  const hide = secretHider(url);

  return {
    name,
    async send(n) {
      let status: number;
      let text: string;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
          body: JSON.stringify(robotMessage(flavor, n, language)),
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        const { reason, code } = describeTransportError(err, timeoutMs);
        throw new NotifyDeliveryError(name, hide(reason), code);
      }
      if (status < 200 || status > 299) {
        throw new NotifyDeliveryError(name, `robot answered HTTP ${status}`, `HTTP_${status}`);
      }
      const answer = parseAnswer(text);
      if (!answer) {
        throw new NotifyDeliveryError(
          name,
          `robot answer is not {"errcode":…}: ${hide(truncateUtf8(text, 200))}`,
          'BAD_ANSWER',
        );
      }
      if (answer.errcode !== 0) {
        throw new WebhookRejectedError(name, answer.errcode, hide(truncateUtf8(answer.errmsg, 300)));
      }
      log.debug({ target: name, kind: n.kind, idempotencyKey: n.idempotencyKey }, 'notification posted');
    },
  };
}

function parseAnswer(text: string): { errcode: number; errmsg: string } | undefined {
  try {
    const body = JSON.parse(text) as { errcode?: unknown; errmsg?: unknown };
    if (typeof body.errcode !== 'number') return undefined;
    return { errcode: body.errcode, errmsg: typeof body.errmsg === 'string' ? body.errmsg : '' };
  } catch {
    return undefined;
  }
}

/** Replaces the URL, its query string and each query value wherever a message might echo them. */
function secretHider(url: URL): (text: string) => string {
  const secrets = [url.href, url.search, ...[...url.searchParams.values()].filter((v) => v.length >= 6)]
    .filter((s) => s.length > 1)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((acc, s) => acc.split(s).join('[redacted]'), text);
}

function describeTransportError(err: unknown, timeoutMs: number): { reason: string; code: string } {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { reason: `no answer within ${timeoutMs} ms`, code: 'ETIMEDOUT' };
  }
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const code =
    (cause as { code?: unknown } | undefined)?.code ?? (err as { code?: unknown } | undefined)?.code;
  const codeText = typeof code === 'string' ? code : 'EFETCH';
  const detail = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
  return { reason: `robot unreachable: ${codeText} (${detail})`, code: codeText };
}
