/**
 * MqMessagingPort over the MQI, through the `ibmmq` npm package. That package loads the IBM MQ
 * C client (libmqm) when it is imported, so it is imported lazily, on first use: a machine
 * without an MQ client can still load this module and run everything else.
 */
import type * as Ibmmq from 'ibmmq';
import { MqAuthError, MqUnreachableError } from './port.ts';
import { MqCommandError, MqConfigError, MqInvalidNameError } from './errors.ts';
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

type IbmmqModule = typeof Ibmmq;

export interface IbmmqClientConnection {
  /** SVRCONN channel, e.g. `JINCAI.SVRCONN`. */
  channel: string;
  /** `host(port)`, e.g. `10.1.2.3(1414)`. */
  connName: string;
}

export interface IbmmqMessagingOptions {
  /** Client connection for a queue manager; undefined means local bindings. */
  connectionFor?: (qmgr: string) => IbmmqClientConnection | undefined;
  userId?: string;
  password?: string;
  /** Largest message accepted by get; default 4 MiB. */
  maxMessageBytes?: number;
  /** Replaces `import('ibmmq')`; for tests. */
  load?: () => Promise<unknown>;
}

/** Thrown when the `ibmmq` package cannot load the IBM MQ C client libraries. */
export class MqClientLibraryMissingError extends MqConfigError {
  constructor(loadError: unknown) {
    // The native loader throws a plain `{ message }` object, not an Error.
    const detail = String((loadError as { message?: unknown } | null)?.message ?? loadError).split('\n')[0];
    const cause = loadError instanceof Error ? loadError : new Error(detail);
    super(
      'The IBM MQ client libraries are not installed, so the ibmmq adapter cannot run on this machine ' +
        `(${detail}). ` +
        'To install them: put the IBM MQ C client (the "MQ Redistributable Client" or the MQ client ' +
        'packages, e.g. ibmmq-runtime and ibmmq-client) under /opt/mqm, or unpack the redistributable ' +
        'client and point LD_LIBRARY_PATH at its lib64 (run setmqenv on a full installation), then restart ' +
        'the worker. Or use mq.adapter "mqweb", which needs no native library.',
      { cause },
    );
    this.name = 'MqClientLibraryMissingError';
  }
}

const MQRC_NOT_AUTHORIZED = 2035;
const unreachableReasons = new Set([2009, 2059, 2161, 2162, 2202, 2537, 2538, 2539]);
const pollIntervalMs = 200;

export class IbmmqMessaging implements MqMessagingPort {
  readonly #options: IbmmqMessagingOptions;
  #module?: Promise<IbmmqModule>;

  constructor(options: IbmmqMessagingOptions = {}) {
    this.#options = options;
  }

  async put(qmgr: string, queue: string, body: string, options: PutOptions = {}): Promise<PutResult> {
    assertMqName('qmgr', qmgr);
    assertMqName('queue', queue);
    if (options.correlationId !== undefined) checkId('correlation id', options.correlationId);
    const mq = await this.#mq();
    const { MQC } = mq;
    return this.#withQueue(
      mq,
      qmgr,
      queue,
      MQC.MQOO_OUTPUT | MQC.MQOO_FAIL_IF_QUIESCING,
      `MQPUT ${queue}`,
      async (hObj) => {
        const md = new mq.MQMD();
        md.Format = MQC.MQFMT_STRING;
        md.Persistence = options.persistent === false ? MQC.MQPER_NOT_PERSISTENT : MQC.MQPER_PERSISTENT;
        if (options.expiryMs !== undefined) md.Expiry = Math.max(1, Math.ceil(options.expiryMs / 100));
        if (options.correlationId) md.CorrelId = Buffer.from(options.correlationId, 'hex');
        if (options.replyTo) {
          const [replyQ, replyQmgr] = options.replyTo.split('@');
          md.ReplyToQ = assertMqName('queue', replyQ ?? '');
          if (replyQmgr) md.ReplyToQMgr = assertMqName('qmgr', replyQmgr);
        }
        const pmo = new mq.MQPMO();
        pmo.Options = MQC.MQPMO_NO_SYNCPOINT | MQC.MQPMO_NEW_MSG_ID | MQC.MQPMO_FAIL_IF_QUIESCING;
        await mq.PutPromise(hObj, md, pmo, Buffer.from(body, 'utf8'));
        const correlationId = hex(md.CorrelId);
        return { messageId: hex(md.MsgId), ...(!isNoneId(correlationId) && { correlationId }) };
      },
    );
  }

  async get(qmgr: string, queue: string, options: GetOptions = {}): Promise<MqMessage | null> {
    assertMqName('qmgr', qmgr);
    assertMqName('queue', queue);
    if (options.correlationId !== undefined) checkId('correlation id', options.correlationId);
    if (options.messageId !== undefined) checkId('message id', options.messageId);
    const mq = await this.#mq();
    const { MQC } = mq;
    const openOptions = MQC.MQOO_INPUT_AS_Q_DEF | MQC.MQOO_FAIL_IF_QUIESCING;
    return this.#withQueue(mq, qmgr, queue, openOptions, `MQGET ${queue}`, async (hObj) => {
      const deadline = Date.now() + (options.waitMs ?? 0);
      const buf = Buffer.alloc(this.#options.maxMessageBytes ?? 4 * 1024 * 1024);
      // GetSync with MQGMO_WAIT would block the event loop; poll with NO_WAIT instead.
      for (;;) {
        const md = new mq.MQMD();
        const gmo = new mq.MQGMO();
        gmo.Options =
          MQC.MQGMO_NO_SYNCPOINT | MQC.MQGMO_NO_WAIT | MQC.MQGMO_CONVERT | MQC.MQGMO_FAIL_IF_QUIESCING;
        gmo.MatchOptions = MQC.MQMO_NONE;
        if (options.correlationId) {
          md.CorrelId = Buffer.from(options.correlationId, 'hex');
          gmo.MatchOptions = MQC.MQMO_MATCH_CORREL_ID;
        }
        if (options.messageId) {
          md.MsgId = Buffer.from(options.messageId, 'hex');
          gmo.MatchOptions = (gmo.MatchOptions as number) | MQC.MQMO_MATCH_MSG_ID;
        }
        try {
          const len = mq.GetSync(hObj, md, gmo, buf) ?? 0;
          return toMessage(md, buf.subarray(0, len).toString('utf8'), MQC);
        } catch (err) {
          if (!isMqError(err) || err.mqrc !== MQC.MQRC_NO_MSG_AVAILABLE) throw err;
        }
        if (Date.now() >= deadline) return null;
        await new Promise((r) => setTimeout(r, Math.min(pollIntervalMs, Math.max(1, deadline - Date.now()))));
      }
    });
  }

  async close(): Promise<void> {
    // Connections are per operation; nothing is held between calls.
  }

  #mq(): Promise<IbmmqModule> {
    this.#module ??= (async () => {
      try {
        const loaded = (await (this.#options.load ?? (() => import('ibmmq')))()) as IbmmqModule & {
          default?: IbmmqModule;
        };
        return loaded.default ?? loaded;
      } catch (err) {
        throw new MqClientLibraryMissingError(err);
      }
    })();
    const pending = this.#module;
    // A failed load is not cached, so installing the client and retrying works without a restart.
    pending.catch(() => {
      if (this.#module === pending) this.#module = undefined;
    });
    return pending;
  }

  async #withQueue<T>(
    mq: IbmmqModule,
    qmgr: string,
    queue: string,
    openOptions: number,
    verb: string,
    work: (hObj: Ibmmq.MQObject) => Promise<T>,
  ): Promise<T> {
    let hConn: Ibmmq.MQQueueManager | undefined;
    try {
      hConn = await mq.ConnxPromise(qmgr, this.#cno(mq, qmgr));
      const od = new mq.MQOD();
      od.ObjectName = queue;
      od.ObjectType = mq.MQC.MQOT_Q;
      const hObj = await mq.OpenPromise(hConn, od, openOptions);
      try {
        return await work(hObj);
      } finally {
        await mq.ClosePromise(hObj, 0).catch(() => undefined);
      }
    } catch (err) {
      throw mapMqError(err, qmgr, verb);
    } finally {
      if (hConn) await mq.DiscPromise(hConn).catch(() => undefined);
    }
  }

  #cno(mq: IbmmqModule, qmgr: string): Ibmmq.MQCNO {
    const cno = new mq.MQCNO();
    const conn = this.#options.connectionFor?.(qmgr);
    if (conn) {
      const cd = new mq.MQCD();
      cd.ChannelName = assertMqName('channel', conn.channel);
      cd.ConnectionName = conn.connName;
      cno.ClientConn = cd;
      cno.Options = mq.MQC.MQCNO_CLIENT_BINDING;
    }
    if (this.#options.userId) {
      const csp = new mq.MQCSP();
      csp.UserId = this.#options.userId;
      csp.Password = this.#options.password ?? '';
      cno.SecurityParms = csp;
    }
    return cno;
  }
}

function toMessage(md: Ibmmq.MQMD, body: string, MQC: IbmmqModule['MQC']): MqMessage {
  const correlationId = hex(md.CorrelId);
  const replyTo = md.ReplyToQ?.trim();
  const replyQmgr = md.ReplyToQMgr?.trim();
  const putTime = mqTimestamp(md.PutDate, md.PutTime);
  return {
    body,
    messageId: hex(md.MsgId),
    ...(!isNoneId(correlationId) && { correlationId }),
    persistent: md.Persistence === MQC.MQPER_PERSISTENT,
    ...(replyTo && { replyTo: replyQmgr ? `${replyTo}@${replyQmgr}` : replyTo }),
    ...(putTime && { putTime }),
  };
}

/** MQMD PutDate `YYYYMMDD` and PutTime `HHMMSSTH` (GMT) to ISO. */
function mqTimestamp(date: string | undefined, time: string | undefined): string | undefined {
  if (!date || !time || !/^\d{8}$/.test(date) || !/^\d{8}$/.test(time)) return undefined;
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}.${time.slice(6, 8)}0Z`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

function hex(id: Buffer | undefined): string {
  return id ? Buffer.from(id).toString('hex').toUpperCase() : '0'.repeat(48);
}

function checkId(kind: string, id: string): void {
  if (!isMqId(id)) throw new MqInvalidNameError(kind, id, 'must be 48 hexadecimal digits');
}

function isMqError(err: unknown): err is Ibmmq.MQError {
  return err instanceof Error && typeof (err as { mqrc?: unknown }).mqrc === 'number';
}

function mapMqError(err: unknown, qmgr: string, verb: string): Error {
  if (!isMqError(err)) return err instanceof Error ? err : new Error(String(err));
  const rc = err.mqrc as number;
  if (rc === MQRC_NOT_AUTHORIZED) return new MqAuthError(qmgr, `${verb}: not authorized (MQRC ${rc})`);
  if (unreachableReasons.has(rc)) {
    return new MqUnreachableError(qmgr, `${verb}: queue manager unreachable (${err.mqrcstr ?? rc})`, {
      cause: err,
    });
  }
  return new MqCommandError(qmgr, verb, err.mqcc as number, rc, [], [err.message]);
}
