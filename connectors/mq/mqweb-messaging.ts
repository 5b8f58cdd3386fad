/**
 * MqMessagingPort over mqweb's messaging REST API (v2): POST …/messaging/qmgr/{qmgr}/queue/{q}/message
 * puts a text/plain body, DELETE on the same resource destructively gets the next message (204
 * when there is none). MQMD fields travel as `ibm-mq-md-*` headers, ids as 48 hex digits.
 */
import {
  MqwebHttp,
  encodeQmgrSegment,
  encodeQueueSegment,
  type MqwebConnectionOptions,
} from './mqweb-http.ts';
import { MqInvalidNameError } from './errors.ts';
import { assertMqName } from './mqsc-names.ts';
import {
  isMqId,
  isNoneId,
  type GetOptions,
  type MqMessage,
  type MqMessagingPort,
  type PutOptions,
  type PutResult,
} from './messaging-port.ts';

export class MqwebMessaging implements MqMessagingPort {
  readonly #http: MqwebHttp;

  constructor(options: MqwebConnectionOptions) {
    this.#http = new MqwebHttp(options);
  }

  async put(qmgr: string, queue: string, body: string, options: PutOptions = {}): Promise<PutResult> {
    const path = messagePath(qmgr, queue);
    const headers: Record<string, string> = {
      'content-type': 'text/plain;charset=utf-8',
      'ibm-mq-md-persistence': options.persistent === false ? 'nonPersistent' : 'persistent',
      'ibm-mq-md-expiry':
        options.expiryMs === undefined ? 'unlimited' : String(Math.max(1, Math.ceil(options.expiryMs))),
    };
    if (options.correlationId !== undefined)
      headers['ibm-mq-md-correlationId'] = id('correlation id', options.correlationId);
    if (options.replyTo !== undefined) headers['ibm-mq-md-replyTo'] = replyTo(options.replyTo);
    const reply = await this.#http.send(qmgr, { method: 'POST', path, headers, body });
    const messageId = reply.headers.get('ibm-mq-md-messageId')?.toUpperCase() ?? '';
    return {
      messageId,
      ...(options.correlationId && { correlationId: options.correlationId.toUpperCase() }),
    };
  }

  async get(qmgr: string, queue: string, options: GetOptions = {}): Promise<MqMessage | null> {
    const query = new URLSearchParams();
    if (options.waitMs) query.set('wait', String(Math.max(0, Math.ceil(options.waitMs))));
    if (options.correlationId !== undefined)
      query.set('correlationId', id('correlation id', options.correlationId));
    if (options.messageId !== undefined) query.set('messageId', id('message id', options.messageId));
    const qs = query.toString();
    const path = messagePath(qmgr, queue) + (qs ? `?${qs}` : '');
    const reply = await this.#http.send(qmgr, { method: 'DELETE', path, headers: { accept: 'text/plain' } });
    if (reply.status === 204) return null;
    const h = reply.headers;
    const correlationId = h.get('ibm-mq-md-correlationId')?.toUpperCase();
    const persistence = h.get('ibm-mq-md-persistence');
    const replyToQ = h.get('ibm-mq-md-replyTo');
    return {
      body: reply.body,
      messageId: h.get('ibm-mq-md-messageId')?.toUpperCase() ?? '',
      ...(correlationId && !isNoneId(correlationId) && { correlationId }),
      ...(persistence && { persistent: persistence === 'persistent' }),
      ...(replyToQ && { replyTo: replyToQ }),
    };
  }

  async close(): Promise<void> {
    // Each call is one HTTP request; nothing to release.
  }
}

function messagePath(qmgr: string, queue: string): string {
  assertMqName('qmgr', qmgr);
  assertMqName('queue', queue);
  return `messaging/qmgr/${encodeQmgrSegment(qmgr)}/queue/${encodeQueueSegment(queue)}/message`;
}

function id(kind: string, value: string): string {
  if (!isMqId(value)) throw new MqInvalidNameError(kind, value, 'must be 48 hexadecimal digits');
  return value.toUpperCase();
}

function replyTo(value: string): string {
  const [queue, qmgr] = value.split('@');
  assertMqName('queue', queue ?? '');
  if (qmgr !== undefined) assertMqName('qmgr', qmgr);
  return value;
}
