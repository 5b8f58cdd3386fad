/**
 * A client of IBM MQ's messaging REST API (mqweb, /ibmmq/rest/v2/messaging): POST puts a text
 * message, DELETE gets (destructively) the next one. Failures say whether the message was
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
  get(qmgr: string, queue: string): Promise<ReceivedMessage | undefined>;
}

export function createMessagingClient(options: {
  baseUrl: string;
  user: string;
  password: string;
  timeoutMs?: number;
}): MessagingClient {
  const auth = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
  const url = (qmgr: string, queue: string) =>
    `${options.baseUrl.replace(/\/$/, '')}/ibmmq/rest/v2/messaging/qmgr/${encodeURIComponent(qmgr)}/queue/${encodeURIComponent(queue)}/message`;

  const call = async (method: 'POST' | 'DELETE', qmgr: string, queue: string, body?: string) => {
    try {
      return await fetch(url(qmgr, queue), {
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
    async get(qmgr, queue) {
      const res = await call('DELETE', qmgr, queue);
      const text = await res.text();
      if (res.status === 204) return undefined;
      if (res.status !== 200) {
        throw new MessagingError(
          `DELETE ${qmgr}/${queue}: HTTP ${res.status} ${text.slice(0, 200)}`,
          true,
          res.status,
        );
      }
      return {
        msgId: res.headers.get('ibm-mq-md-messageId') ?? '',
        correlId: res.headers.get('ibm-mq-md-correlationId') ?? undefined,
        body: text,
      };
    },
  };
}
