/**
 * Message channel agents of the sandbox: one step of a sender/receiver pair per tick — start-up
 * negotiation (sequence-number check, in-doubt check), batch transfer from the transmission queue
 * to the partner's target queues, retry on network failure, and orderly stop.
 */
import type { ChannelEnd, ChannelLink, QueueManager, SandboxMessage } from './types.ts';
import { amq } from './messages.ts';
import { deadLetter, putResolved } from './queue-manager.ts';
import { newLuwid } from './mq-format.ts';

export interface EngineContext {
  qmgr(name: string): QueueManager;
  reachable(link: ChannelLink): boolean;
  now(): Date;
  /** Ticks between short retries (SHORTTMR), then between long retries (LONGTMR). */
  retryTicks: number;
  longRetryTicks: number;
  log(qmgr: string, line: string): void;
}

export function hostLabel(link: ChannelLink): string {
  return `${link.target.host} (${link.target.port})`;
}

export function nextSeq(end: ChannelEnd, seq: number): number {
  return seq >= end.def.seqwrap ? 1 : seq + 1;
}

/** One step of the channel's state machine. */
export function stepLink(ctx: EngineContext, link: ChannelLink): void {
  // A channel only its receiving side has defined has no sender to run yet.
  if (link.missing === 'sender') return;
  const s = link.sender.rt;
  switch (s.status) {
    case 'STOPPING':
      endSession(link, s.stopTarget);
      ctx.log(link.sender.qmgr, amq.channelEnded(link.name));
      return;
    case 'STARTING':
      s.status = 'BINDING';
      s.substate = 'NETCONNECT';
      return;
    case 'BINDING':
      connect(ctx, link);
      return;
    case 'RETRYING':
      if (--s.retryCountdown <= 0) connect(ctx, link);
      return;
    case 'RUNNING':
      if (!ctx.reachable(link)) {
        retry(ctx, link, amq.connectionClosed(hostLabel(link)));
      } else if (link.receiver.rt.status === 'STOPPED') {
        retry(ctx, link, amq.remoteChannelNotAvailable(link.name, hostLabel(link)));
      } else {
        transferBatch(ctx, link);
      }
      return;
    case 'INACTIVE':
      if (triggered(ctx, link)) {
        s.status = 'STARTING';
        s.substate = '';
      }
      return;
    case 'STOPPED':
      return;
  }
}

function triggered(ctx: EngineContext, link: ChannelLink): boolean {
  const xq = ctx.qmgr(link.sender.qmgr).queues.get(link.sender.def.xmitq);
  return !!xq && xq.trigger && xq.get === 'ENABLED' && xq.messages.length > 0 && !link.sender.rt.indoubt;
}

function connect(ctx: EngineContext, link: ChannelLink): void {
  const s = link.sender.rt;
  const r = link.receiver.rt;
  if (!ctx.reachable(link)) return retry(ctx, link, amq.hostNotAvailable(hostLabel(link)));
  if (link.missing === 'receiver') return retry(ctx, link, amq.channelNotDefinedRemotely(link.name));
  if (r.status === 'STOPPED')
    return retry(ctx, link, amq.remoteChannelNotAvailable(link.name, hostLabel(link)));
  if (s.indoubt) {
    // The partner holds no record of the in-doubt unit of work: only RESOLVE CHANNEL can settle it.
    ctx.log(link.sender.qmgr, amq.channelEndedAbnormally(link.name, hostLabel(link)));
    return stopAfterError(link);
  }
  if (s.pendingReset !== undefined) {
    r.lastSeq = s.lastSeq;
    r.curSeq = s.lastSeq;
    s.pendingReset = undefined;
  } else if (s.lastSeq !== r.lastSeq) {
    const line = amq.sequenceError(
      link.name,
      nextSeq(link.sender, s.lastSeq),
      nextSeq(link.receiver, r.lastSeq),
    );
    ctx.log(link.sender.qmgr, line);
    ctx.log(link.receiver.qmgr, line);
    return stopAfterError(link);
  }
  const now = ctx.now();
  for (const end of [link.sender, link.receiver]) {
    const rt = end.rt;
    rt.status = 'RUNNING';
    rt.msgs = 0;
    rt.batches = 0;
    rt.bytesSent = 0;
    rt.bytesRcvd = 0;
    rt.buffersSent = 1;
    rt.buffersRcvd = 1;
    rt.startedAt = now;
    rt.shortRts = end.def.shortrty;
    rt.longRts = end.def.longrty;
  }
  s.substate = 'MQGET';
  r.substate = 'RECEIVE';
  s.remoteQmgr = link.receiver.qmgr;
  r.remoteQmgr = link.sender.qmgr;
  ctx.log(link.sender.qmgr, amq.channelStarting(link.name));
}

function stopAfterError(link: ChannelLink): void {
  link.sender.rt.status = 'STOPPED';
  link.sender.rt.substate = '';
  link.sender.rt.remoteQmgr = '';
  if (link.receiver.rt.status !== 'STOPPED') endEnd(link.receiver, 'INACTIVE');
}

function retry(ctx: EngineContext, link: ChannelLink, why: string): void {
  const s = link.sender.rt;
  ctx.log(link.sender.qmgr, why);
  let countdown = ctx.retryTicks;
  if (s.shortRts > 0) s.shortRts--;
  else if (s.longRts > 0) {
    s.longRts--;
    countdown = ctx.longRetryTicks;
  } else {
    stopAfterError(link);
    return;
  }
  s.status = 'RETRYING';
  s.substate = '';
  s.remoteQmgr = '';
  s.retryCountdown = countdown;
  if (link.receiver.rt.status !== 'STOPPED') endEnd(link.receiver, 'INACTIVE');
}

function endEnd(end: ChannelEnd, to: 'STOPPED' | 'INACTIVE'): void {
  end.rt.status = to;
  end.rt.substate = '';
  end.rt.remoteQmgr = '';
}

/** Ends the session at both ends: the sender to `to`, the receiver ends normally. */
export function endSession(link: ChannelLink, to: 'STOPPED' | 'INACTIVE'): void {
  endEnd(link.sender, to);
  if (link.receiver.rt.status !== 'STOPPED') endEnd(link.receiver, 'INACTIVE');
}

function transferBatch(ctx: EngineContext, link: ChannelLink): void {
  const from = ctx.qmgr(link.sender.qmgr);
  const xq = from.queues.get(link.sender.def.xmitq);
  if (!xq || xq.get === 'DISABLED' || xq.messages.length === 0) return;
  const batch = xq.messages.splice(0, link.sender.def.batchsz);
  const to = ctx.qmgr(link.receiver.qmgr);
  const now = ctx.now();
  const s = link.sender.rt;
  const r = link.receiver.rt;
  for (const msg of batch) {
    deliver(to, msg, link.name, now);
    s.lastSeq = nextSeq(link.sender, s.lastSeq);
    r.lastSeq = nextSeq(link.receiver, r.lastSeq);
    const bytes = Buffer.byteLength(msg.body) + 428;
    s.bytesSent += bytes;
    r.bytesRcvd += bytes;
  }
  const luwid = newLuwid();
  for (const rt of [s, r]) {
    rt.curSeq = rt.lastSeq;
    rt.msgs += batch.length;
    rt.batches += 1;
    rt.buffersSent += batch.length + 1;
    rt.buffersRcvd += batch.length + 1;
    rt.lastMsgAt = now;
    rt.lstLuwid = luwid;
    rt.curLuwid = newLuwid();
    rt.hasSaved = true;
  }
}

/** The receiving MCA's MQPUT: the target queue, or the DLQ with the reason it failed. */
export function deliver(to: QueueManager, msg: SandboxMessage, channel: string, now: Date): void {
  const dest = msg.xmit ?? { destQmgr: to.name, destQueue: '' };
  const { xmit: _xmit, ...plain } = msg;
  to.deliveries.set(plain.msgId, (to.deliveries.get(plain.msgId) ?? 0) + 1);
  const outcome = putResolved(to, dest.destQueue, plain, dest.destQmgr);
  if (!outcome.ok) deadLetter(to, plain, outcome.reason, dest, channel, now);
}
