/**
 * Queue managers and their queues: object definitions with IBM MQ defaults, and MQPUT name
 * resolution — a local queue takes the message, a remote queue definition sends it to its
 * transmission queue with a transmission header, anything else fails with the MQRC MQ would give.
 */
import type { ChannelDef, ChannelEnd, ChannelType, QueueDef, QueueManager, SandboxMessage } from './types.ts';
import { reason } from './messages.ts';
import { newLuwid, zeroLuwid } from './mq-format.ts';

export const deadLetterQueue = 'SYSTEM.DEAD.LETTER.QUEUE';

export function createQueueManager(name: string, created: Date): QueueManager {
  const qm: QueueManager = {
    name,
    descr: '',
    deadq: deadLetterQueue,
    created,
    queues: new Map(),
    channels: new Map(),
    errorLog: [],
    mqscLog: [],
    deliveries: new Map(),
  };
  defineLocalQueue(qm, deadLetterQueue, created, {
    descr: 'IBM MQ Default Dead Letter Queue',
    maxdepth: 999999999,
  });
  defineLocalQueue(qm, 'SYSTEM.CHANNEL.INITQ', created, {});
  return qm;
}

function baseQueue(name: string, created: Date): QueueDef {
  return {
    name,
    type: 'QLOCAL',
    descr: '',
    usage: 'NORMAL',
    maxdepth: 5000,
    maxmsgl: 4194304,
    get: 'ENABLED',
    put: 'ENABLED',
    trigger: false,
    trigtype: 'FIRST',
    trigdata: '',
    initq: '',
    rname: '',
    rqmname: '',
    xmitq: '',
    created,
    altered: created,
    messages: [],
  };
}

export function defineLocalQueue(
  qm: QueueManager,
  name: string,
  created: Date,
  attrs: Partial<QueueDef>,
): QueueDef {
  const q = { ...baseQueue(name, created), ...attrs, type: 'QLOCAL' as const };
  qm.queues.set(name, q);
  return q;
}

export function defineXmitQueue(qm: QueueManager, name: string, channel: string, created: Date): QueueDef {
  return defineLocalQueue(qm, name, created, {
    usage: 'XMITQ',
    trigger: true,
    trigtype: 'FIRST',
    trigdata: channel,
    initq: 'SYSTEM.CHANNEL.INITQ',
    maxdepth: 999999999,
  });
}

export function defineRemoteQueue(
  qm: QueueManager,
  name: string,
  target: { rname: string; rqmname: string; xmitq: string },
  created: Date,
): QueueDef {
  const q: QueueDef = { ...baseQueue(name, created), type: 'QREMOTE', ...target, maxdepth: 0 };
  qm.queues.set(name, q);
  return q;
}

export function defineChannelEnd(
  qm: QueueManager,
  bank: string,
  name: string,
  chltype: ChannelType,
  attrs: { conname: string; xmitq: string; altered: Date },
): ChannelEnd {
  const def: ChannelDef = {
    name,
    chltype,
    descr: '',
    conname: chltype === 'SDR' ? attrs.conname : '',
    xmitq: chltype === 'SDR' ? attrs.xmitq : '',
    batchsz: 50,
    hbint: 300,
    discint: 6000,
    shortrty: 10,
    shorttmr: 60,
    longrty: 999999999,
    longtmr: 1200,
    seqwrap: 999999999,
    maxmsgl: 4194304,
    npmspeed: 'FAST',
    altered: attrs.altered,
  };
  const end: ChannelEnd = {
    qmgr: qm.name,
    bank,
    def,
    rt: {
      status: 'INACTIVE',
      substate: '',
      lastSeq: 0,
      curSeq: 0,
      indoubt: false,
      inDoubtMsgs: [],
      lstLuwid: zeroLuwid,
      curLuwid: newLuwid(),
      hasSaved: false,
      msgs: 0,
      batches: 0,
      bytesSent: 0,
      bytesRcvd: 0,
      buffersSent: 0,
      buffersRcvd: 0,
      shortRts: def.shortrty,
      longRts: def.longrty,
      retryCountdown: 0,
      stopTarget: 'STOPPED',
      remoteQmgr: '',
    },
  };
  qm.channels.set(name, end);
  return end;
}

export type PutOutcome = { ok: true; queue: QueueDef } | { ok: false; reason: number };

/**
 * Resolves `queueName` on `qm` the way MQOPEN does and puts the message there. A name that is not
 * a queue but a transmission queue's remote queue manager (`destQmgr`) routes through that xmitq.
 */
export function putResolved(
  qm: QueueManager,
  queueName: string,
  msg: SandboxMessage,
  destQmgr: string = qm.name,
): PutOutcome {
  if (destQmgr !== qm.name) {
    const xq = qm.queues.get(destQmgr);
    if (!xq || xq.usage !== 'XMITQ') return { ok: false, reason: reason.unknownRemoteQmgr };
    return enqueue(xq, { ...msg, xmit: { destQmgr, destQueue: queueName } });
  }
  const q = qm.queues.get(queueName);
  if (!q) return { ok: false, reason: reason.unknownObjectName };
  if (q.type === 'QREMOTE') {
    if (q.put === 'DISABLED') return { ok: false, reason: reason.putInhibited };
    const xq = qm.queues.get(q.xmitq || q.rqmname);
    if (!xq) return { ok: false, reason: reason.unknownRemoteQmgr };
    return enqueue(xq, { ...msg, xmit: { destQmgr: q.rqmname, destQueue: q.rname } });
  }
  return enqueue(q, msg);
}

function enqueue(q: QueueDef, msg: SandboxMessage): PutOutcome {
  if (q.put === 'DISABLED') return { ok: false, reason: reason.putInhibited };
  if (q.messages.length >= q.maxdepth) return { ok: false, reason: reason.qFull };
  q.messages.push(msg);
  return { ok: true, queue: q };
}

/** Puts a message on the queue manager's dead-letter queue with an MQDLH for `why`. */
export function deadLetter(
  qm: QueueManager,
  msg: SandboxMessage,
  why: number,
  dest: { destQmgr: string; destQueue: string },
  putApplName: string,
  now: Date,
): void {
  const dlq = qm.queues.get(qm.deadq);
  if (!dlq) return;
  const { xmit: _xmit, ...rest } = msg;
  dlq.messages.push({ ...rest, deadLetter: { reason: why, ...dest, putApplName, putTime: now } });
}
