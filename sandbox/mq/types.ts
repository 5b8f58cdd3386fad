/**
 * Types of the sandbox queue-manager model: queue managers, queues, channel ends and the
 * messages they hold, and the `MqEstate` API the rest of the sandbox and the MQSC interpreter use.
 */

export type ChannelType = 'SDR' | 'RCVR';

/** Channel states as `DISPLAY CHSTATUS` reports them; INACTIVE means no current status record. */
export type ChannelStatus =
  'INACTIVE' | 'BINDING' | 'STARTING' | 'RUNNING' | 'RETRYING' | 'STOPPING' | 'STOPPED';

export interface TransmissionHeader {
  destQmgr: string;
  destQueue: string;
}

export interface DeadLetterHeader {
  reason: number;
  destQmgr: string;
  destQueue: string;
  putApplName: string;
  putTime: Date;
}

export interface SandboxMessage {
  /** 48 hex digits, like an MQMD MsgId (`414D5120…` = "AMQ " + queue manager name). */
  msgId: string;
  /** 48 hex digits; all zeros when none was given. */
  correlId: string;
  body: string;
  /** MQFMT of the application data: MQSTR for the JSON messages. */
  format: string;
  persistent: boolean;
  putTime: Date;
  /** Present while the message sits on a transmission queue (MQXQH). */
  xmit?: TransmissionHeader;
  /** Present on the dead-letter queue (MQDLH). */
  deadLetter?: DeadLetterHeader;
  /** Marks messages added by fault injection, so clearFaults can take them away again. */
  injected?: boolean;
}

export interface QueueDef {
  name: string;
  type: 'QLOCAL' | 'QREMOTE';
  descr: string;
  usage: 'NORMAL' | 'XMITQ';
  maxdepth: number;
  maxmsgl: number;
  get: 'ENABLED' | 'DISABLED';
  put: 'ENABLED' | 'DISABLED';
  trigger: boolean;
  trigtype: 'FIRST' | 'EVERY' | 'DEPTH' | 'NONE';
  trigdata: string;
  initq: string;
  rname: string;
  rqmname: string;
  xmitq: string;
  created: Date;
  altered: Date;
  messages: SandboxMessage[];
}

export interface ChannelDef {
  name: string;
  chltype: ChannelType;
  descr: string;
  conname: string;
  xmitq: string;
  batchsz: number;
  hbint: number;
  discint: number;
  shortrty: number;
  shorttmr: number;
  longrty: number;
  longtmr: number;
  seqwrap: number;
  maxmsgl: number;
  npmspeed: 'FAST' | 'NORMAL';
  altered: Date;
}

/** Runtime state of one end of a channel (one queue manager's view). */
export interface ChannelRuntime {
  status: ChannelStatus;
  substate: string;
  /** Last committed message sequence number (LSTSEQNO). */
  lastSeq: number;
  /** Sequence number of the last message sent/received in the current or in-doubt batch. */
  curSeq: number;
  indoubt: boolean;
  inDoubtMsgs: SandboxMessage[];
  lstLuwid: string;
  curLuwid: string;
  /** Whether a saved status record exists (written at the first committed batch). */
  hasSaved: boolean;
  msgs: number;
  batches: number;
  bytesSent: number;
  bytesRcvd: number;
  buffersSent: number;
  buffersRcvd: number;
  startedAt?: Date;
  lastMsgAt?: Date;
  shortRts: number;
  longRts: number;
  retryCountdown: number;
  /** Value of RESET CHANNEL SEQNUM waiting for the next start (RESETSEQ). */
  pendingReset?: number;
  stopTarget: 'STOPPED' | 'INACTIVE';
  remoteQmgr: string;
}

export interface ChannelEnd {
  qmgr: string;
  def: ChannelDef;
  rt: ChannelRuntime;
  /** Bank code of the link this end belongs to. */
  bank: string;
}

export interface QueueManager {
  name: string;
  descr: string;
  deadq: string;
  created: Date;
  queues: Map<string, QueueDef>;
  channels: Map<string, ChannelEnd>;
  /** AMQERR01.LOG-like lines, newest last. */
  errorLog: string[];
  /** MQSC commands received (mqweb, runmqsc), oldest first: what an operator or runbook typed. */
  mqscLog: MqscLogEntry[];
  /** How many times the receiving MCA has put each message (by MQ message id) on this queue manager. */
  deliveries: Map<string, number>;
}

export interface MqscLogEntry {
  at: string;
  command: string;
}

/** A sender→receiver pair: the two ends of one channel name on two queue managers. */
export interface ChannelLink {
  bank: string;
  name: string;
  sender: ChannelEnd;
  receiver: ChannelEnd;
  /** Host and port the sender connects to (the receiving side's listener). */
  target: { host: string; port: number };
  /** Address the receiving end sees the sender connect from (its CONNAME). */
  sourceHost: string;
  /**
   * The end not defined yet, while only one side has defined the channel (a bank coming online):
   * that end is a stand-in, on no queue manager's channel list, until a DEFINE attaches it.
   */
  missing?: 'sender' | 'receiver';
}

export interface BankMqConfig {
  code: string;
  qmgr: string;
  senderChannel: string;
  receiverChannel: string;
  xmitq: string;
  frontEnd: { host: string; port: number };
}

export interface MqEstateOptions {
  financeQmgr: string;
  banks: BankMqConfig[];
  now?: () => Date;
  /** Where the banks' sender channels connect to (the finance MQ listener). */
  financeListener?: { host: string; port: number };
  /** Whether every channel starts RUNNING (true) or INACTIVE. */
  startChannels?: boolean;
  /** Ticks between two connection attempts of a RETRYING channel (SHORTTMR)… */
  retryTicks?: number;
  /** …and once its short retries (SHORTRTY) are spent (LONGTMR); default 12000. */
  longRetryTicks?: number;
  /** Time zone of the queue managers' dates and times (LSTMSGDA/LSTMSGTI…). */
  timeZone?: string;
}

export interface PutOptions {
  correlId?: string;
  persistent?: boolean;
  putApplName?: string;
}

export interface MqEstateSnapshot {
  qmgrs: Array<{
    name: string;
    deadq: string;
    queues: Array<{ name: string; type: string; usage: string; depth: number; get: string; put: string }>;
    channels: Array<{
      name: string;
      chltype: ChannelType;
      status: ChannelStatus;
      substate: string;
      lastSeq: number;
      curSeq: number;
      indoubt: boolean;
      msgs: number;
      pendingReset?: number;
    }>;
    errorLog: string[];
  }>;
  networkDown: string[];
}
