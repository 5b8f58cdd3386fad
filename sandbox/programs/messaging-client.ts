/**
 * A client of IBM MQ's messaging REST API (mqweb, /ibmmq/rest/v2/messaging): POST puts a text
 * message, GET browses the next one, DELETE gets (destructively) the next one or the one with a
 * given message id. Failures say whether the message was
 * certainly not put (`definite`) or the outcome is unknown (a timeout after the request left).
 */

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
  const auth = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
  const url = (qmgr: string, queue: string, messageId?: string) =>
    `${options.baseUrl.replace(/\/$/, '')}/ibmmq/rest/v2/messaging/qmgr/${encodeURIComponent(qmgr)}/queue/${encodeURIComponent(queue)}/message${messageId ? `?messageId=${encodeURIComponent(messageId)}` : ''}`;

  const call = async (
    method: 'POST' | 'GET' | 'DELETE',
    qmgr: string,
    queue: string,
    body?: string,
    messageId?: string,
  ) => {
    try {
      return await fetch(url(qmgr, queue, messageId), {
        method,
        headers: {
          authorization: auth,
          'ibm-mq-rest-csrf-token': 'jincai',
          ...(body !== undefined && { 'content-type': 'text/plain;charset=utf-8' }),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      // Refused or unresolvable: the request never reached mqweb. Anything else may have.
      const definite = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH';
      throw new MessagingError(
        `${method} ${qmgr}/${queue}: ${code ?? (err as Error).message}`,
        definite,
        undefined,
        { cause: err },
      );
    }
  };

  return {
    async put(qmgr, queue, body) {
      const res = await call('POST', qmgr, queue, body);
      const text = await res.text();
      if (res.status !== 201 && res.status !== 200) {
        throw new MessagingError(
          `POST ${qmgr}/${queue}: HTTP ${res.status} ${text.slice(0, 200)}`,
          true,
          res.status,
        );
      }
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
    const res = await call(method, qmgr, queue, undefined, messageId);
    const text = await res.text();
    if (res.status === 204) return undefined;
    if (res.status !== 200) {
      throw new MessagingError(
        `${method} ${qmgr}/${queue}: HTTP ${res.status} ${text.slice(0, 200)}`,
        true,
        res.status,
      );
    }
    return {
      msgId: res.headers.get('ibm-mq-md-messageId') ?? '',
      correlId: res.headers.get('ibm-mq-md-correlationId') ?? undefined,
      body: text,
    };
  }
}
