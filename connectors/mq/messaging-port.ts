/**
 * The MQ messaging port: put one text (MQSTR) message on a queue and destructively get one.
 * Used to inject test traffic, drain or re-drive a queue and read replies. Adapters: the
 * `ibmmq` MQI binding (`ibmmq-messaging.ts`) and mqweb's messaging REST API
 * (`mqweb-messaging.ts`). Message and correlation ids are 48 hex digits (24 bytes), as MQMD.
 */

export interface PutOptions {
  /** 48 hex digits; lets a reply be matched to its request. */
  correlationId?: string;
  /** Default true: vouchers must survive a queue manager restart. */
  persistent?: boolean;
  /** Milliseconds until MQ discards the message; default unlimited. */
  expiryMs?: number;
  /** `QUEUE` or `QUEUE@QMGR` for the reply. */
  replyTo?: string;
}

export interface PutResult {
  messageId: string;
  correlationId?: string;
}

export interface GetOptions {
  /** How long to wait for a message; default 0 (return at once). */
  waitMs?: number;
  /** Only the message with this correlation id (48 hex digits). */
  correlationId?: string;
  /** Only the message with this message id (48 hex digits). */
  messageId?: string;
}

export interface MqMessage {
  body: string;
  messageId: string;
  correlationId?: string;
  persistent?: boolean;
  replyTo?: string;
  /** ISO timestamp of the put, when the adapter reports it. */
  putTime?: string;
}

export interface MqMessagingPort {
  put(qmgr: string, queue: string, body: string, options?: PutOptions): Promise<PutResult>;
  /** Removes and returns the next matching message, or null when none arrived in time. */
  get(qmgr: string, queue: string, options?: GetOptions): Promise<MqMessage | null>;
  /** Releases connections; the adapter may not be used afterwards. */
  close(): Promise<void>;
}

const mqId = /^[0-9A-Fa-f]{48}$/;

/** True for a 24-byte MQ id written as 48 hex digits. */
export function isMqId(value: string): boolean {
  return mqId.test(value);
}

/** An all-zero id (MQMI_NONE / MQCI_NONE) means "no id". */
export function isNoneId(value: string): boolean {
  return /^0{48}$/.test(value);
}
