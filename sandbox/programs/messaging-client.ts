/**
 * A client of IBM MQ's messaging REST API (mqweb, /ibmmq/rest/v2/messaging): POST puts a text
 * message, GET browses the next one, DELETE gets (destructively) the next one or the one with a
 * given message id — over the engine's mqweb HTTP layer (keep-alive). Failures say whether the
 * message was certainly not put (`definite`) or the outcome is unknown (a timeout after the
 * request left).
 */
import { MqwebApiError } from '../../connectors/mq/errors.ts';
import {
  encodeQmgrSegment,
  encodeQueueSegment,
  MqwebHttp,
  type HttpReply,
  type MqwebRequest,
} from '../../connectors/mq/mqweb-http.ts';
import { MqUnreachableError } from '../../connectors/mq/port.ts';

export class MessagingError extends Error {
  constructor(
    message: string,
    /** True when the queue manager certainly did not take the message. */
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
  put(qmgr: string, queue: string, body: string): Promise<{ msgId: string }>;
  /** Destructive get: the next message, or the one with `messageId`. */
  get(qmgr: string, queue: string, messageId?: string): Promise<ReceivedMessage | undefined>;
  /** Non-destructive: the next message stays on the queue. */
  browse(qmgr: string, queue: string): Promise<ReceivedMessage | undefined>;
}

export function createMessagingClient(options: {
  baseUrl: string;
  user: string;
  password: string;
  timeoutMs?: number;
}): MessagingClient {
  const http = new MqwebHttp({ ...options, timeoutMs: options.timeoutMs ?? 5000, csrfToken: 'jincai' });
  const path = (qmgr: string, queue: string, messageId?: string) =>
    `messaging/qmgr/${encodeQmgrSegment(qmgr)}/queue/${encodeQueueSegment(queue)}/message${messageId ? `?messageId=${encodeURIComponent(messageId)}` : ''}`;

  const call = async (req: MqwebRequest, qmgr: string, queue: string): Promise<HttpReply> => {
    try {
      return await http.send(qmgr, req);
    } catch (err) {
      const what = `${req.method} ${qmgr}/${queue}`;
      if (err instanceof MqUnreachableError) {
        const code = (err.cause as { code?: string } | undefined)?.code;
        // Refused or unresolvable: the request never reached mqweb. Anything else may have.
        const definite = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH';
        throw new MessagingError(`${what}: ${code ?? err.message}`, definite, undefined, { cause: err });
      }
      const status = err instanceof MqwebApiError ? err.status : undefined;
      throw new MessagingError(`${what}: ${(err as Error).message}`, true, status, { cause: err });
    }
  };

  return {
    async put(qmgr, queue, body) {
      const res = await call(
        {
          method: 'POST',
          path: path(qmgr, queue),
          headers: { 'content-type': 'text/plain;charset=utf-8' },
          body,
        },
        qmgr,
        queue,
      );
      return { msgId: res.headers.get('ibm-mq-md-messageId') ?? '' };
    },
    get: (qmgr, queue, messageId) => receive('DELETE', qmgr, queue, messageId),
    browse: (qmgr, queue) => receive('GET', qmgr, queue),
  };

  async function receive(
    method: 'GET' | 'DELETE',
    qmgr: string,
    queue: string,
    messageId?: string,
  ): Promise<ReceivedMessage | undefined> {
    const res = await call(
      { method, path: path(qmgr, queue, messageId), headers: { accept: 'text/plain' } },
      qmgr,
      queue,
    );
    if (res.status === 204) return undefined;
    return {
      msgId: res.headers.get('ibm-mq-md-messageId') ?? '',
      correlId: res.headers.get('ibm-mq-md-correlationId') ?? undefined,
      body: res.body,
    };
  }
}
