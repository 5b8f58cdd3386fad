/**
 * The send/receive program's connection to its queue manager, in batches as a real program moves
 * messages under syncpoint: put several messages in one unit of work (all or none), browse the
 * next several, get several by message id — one request each to the sandbox's MQI stand-in
 * (sandbox/mq/mqi-routes.ts), over a kept-alive undici pool. Failures say whether the messages
 * were certainly not put (`definite`) or the outcome is unknown (a timeout after the request left).
 */
import { Pool } from 'undici';

export class MessagingError extends Error {
  constructor(
    message: string,
    /** True when the queue manager certainly did not take the messages. */
    readonly definite: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MessagingError';
  }
}

export interface ReceivedMessage {
  msgId: string;
  correlId?: string;
  body: string;
}

export interface MessagingClient {
  /** Puts every body in one unit of work: all of them, or none when the queue manager refuses one. */
  putAll(qmgr: string, queue: string, bodies: readonly string[]): Promise<{ msgIds: string[] }>;
  /** Non-destructive: the first `max` messages, left on the queue. */
  browse(qmgr: string, queue: string, max: number): Promise<ReceivedMessage[]>;
  /** Destructive get of the messages with these ids (those still on the queue). */
  getAll(qmgr: string, queue: string, msgIds: readonly string[]): Promise<void>;
}

/** Refused or unresolvable: the request never reached the queue manager. Anything else may have. */
const neverSent = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH']);

export function createMessagingClient(options: {
  baseUrl: string;
  user: string;
  password: string;
  timeoutMs?: number;
}): MessagingClient {
  const origin = new URL(options.baseUrl).origin;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pool = new Pool(origin, {
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`, 'utf8').toString('base64')}`;

  const call = async (
    qmgr: string,
    queue: string,
    verb: 'put' | 'browse' | 'get',
    request: { method: 'GET' } | { method: 'POST'; body: unknown },
    query = '',
  ): Promise<unknown> => {
    const what = `${verb} ${qmgr}/${queue}`;
    let status: number;
    let text: string;
    try {
      const res = await pool.request({
        method: request.method,
        path: `/sandbox/mqi/qmgr/${encodeURIComponent(qmgr)}/queue/${encodeURIComponent(queue)}/${verb}${query}`,
        headers: { authorization, 'content-type': 'application/json' },
        ...(request.method === 'POST' && { body: JSON.stringify(request.body) }),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const cause = (err as Error).cause as { code?: string } | undefined;
      const code = (err as { code?: string }).code ?? cause?.code ?? '';
      throw new MessagingError(`${what}: ${code || (err as Error).message}`, neverSent.has(code), undefined, {
        cause: err,
      });
    }
    // The queue manager answered: a refusal took nothing (a put's unit of work was backed out).
    if (status < 200 || status > 299)
      throw new MessagingError(`${what}: HTTP ${status} ${text}`, true, status);
    return JSON.parse(text) as unknown;
  };

  return {
    async putAll(qmgr, queue, bodies) {
      const reply = (await call(qmgr, queue, 'put', { method: 'POST', body: { messages: bodies } })) as {
        messageIds: string[];
      };
      return { msgIds: reply.messageIds };
    },
    async browse(qmgr, queue, max) {
      const reply = (await call(qmgr, queue, 'browse', { method: 'GET' }, `?limit=${max}`)) as {
        messages: { messageId: string; correlationId?: string; body: string }[];
      };
      return reply.messages.map((m) => ({
        msgId: m.messageId,
        ...(m.correlationId && { correlId: m.correlationId }),
        body: m.body,
      }));
    },
    async getAll(qmgr, queue, msgIds) {
      await call(qmgr, queue, 'get', { method: 'POST', body: { messageIds: msgIds } });
    },
  };
}
