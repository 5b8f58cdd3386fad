/**
 * The MQ administration port: run one MQSC command against a named queue manager and get the
 * response the way IBM MQ gives it — completion and reason codes per object, the AMQ message
 * lines, and each object's attributes parsed into a record. Adapters: mqweb's REST API
 * (`mqweb-admin.ts`) and the `runmqsc` command (`runmqsc-admin.ts`).
 */

/** One response item of an MQSC command (one per object displayed, or one for an action). */
export interface MqscObjectResponse {
  completionCode: number;
  reasonCode: number;
  /** Raw text lines as the queue manager printed them, AMQ message lines included. */
  text: string[];
  /** Attributes of the object, upper-case keys as in MQSC (`CHANNEL`, `STATUS`, `CURDEPTH`…). */
  attributes: Record<string, string>;
  /** AMQ message ids found in the text, e.g. `AMQ8417I`. */
  messageIds: string[];
}

export interface MqscResult {
  qmgr: string;
  command: string;
  overallCompletionCode: number;
  overallReasonCode: number;
  responses: MqscObjectResponse[];
}

export interface MqAdminPort {
  runMqsc(qmgr: string, command: string): Promise<MqscResult>;
}

/** Channel states as IBM MQ reports them in DISPLAY CHSTATUS, plus INACTIVE when none is found. */
export const channelStates = [
  'BINDING',
  'STARTING',
  'RUNNING',
  'PAUSED',
  'STOPPING',
  'RETRYING',
  'STOPPED',
  'REQUESTING',
  'SWITCHING',
  'INITIALIZING',
  'INACTIVE',
] as const;
export type ChannelState = (typeof channelStates)[number];

/** Raised when the queue manager or the admin endpoint cannot be reached at all. */
export class MqUnreachableError extends Error {
  constructor(
    readonly qmgr: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MqUnreachableError';
  }
}

/** Raised when the admin endpoint refuses our credentials (HTTP 401/403). */
export class MqAuthError extends Error {
  constructor(
    readonly qmgr: string,
    message: string,
  ) {
    super(message);
    this.name = 'MqAuthError';
  }
}
