/**
 * The sandbox's IBM MQ estate: the finance queue manager, one queue manager per agent bank, the
 * sender/receiver channel pair per bank with transmission, remote and local queues, and a DLQ on
 * each. `tick()` runs the channel agents one step; the messaging API, fault injection, the banks'
 * TCP front ends and a JSON snapshot are what the rest of the sandbox uses.
 */
import type {
  BankMqConfig,
  ChannelEnd,
  ChannelLink,
  MqEstateOptions,
  MqEstateSnapshot,
  MqscLogEntry,
  PutOptions,
  QueueDef,
  QueueManager,
  SandboxMessage,
} from './types.ts';
import {
  createQueueManager,
  deadLetter,
  defineChannelEnd,
  defineLocalQueue,
  defineRemoteQueue,
  defineXmitQueue,
  putResolved,
} from './queue-manager.ts';
import { type EngineContext, deliver, nextSeq, stepLink } from './channel-engine.ts';
import { type ChannelAccess, stopChannel as stopChannelCommand } from './channel-commands.ts';
import { FrontEndListeners } from './front-ends.ts';
import {
  addBankQmgr,
  defineChannel,
  defineQueue,
  registerBankQmgr,
  targetListens,
  type ChannelSpec,
  type DefineResult,
  type Endpoint,
  type EstateParts,
  type QueueSpec,
} from './objects.ts';
import { amq, reasonNames } from './messages.ts';
import { mqDate, mqTime, newLuwid, newMsgId, toCorrelId } from './mq-format.ts';

/** An MQPUT that MQ would refuse; `reason` is the MQRC (2085, 2051, 2053…). */
export class MqPutError extends Error {
  constructor(
    readonly qmgr: string,
    readonly queue: string,
    readonly reason: number,
  ) {
    super(
      `MQPUT to ${queue} on ${qmgr} failed with reason ${reason}${reasonNames[reason] ? ` (${reasonNames[reason]})` : ''}`,
    );
    this.name = 'MqPutError';
  }
}

/** The queue manager or queue a messaging call names does not exist. */
export class MqObjectNotFoundError extends Error {
  constructor(
    readonly qmgr: string,
    readonly queue?: string,
  ) {
    super(queue ? `queue ${queue} not found on ${qmgr}` : `queue manager ${qmgr} not found`);
    this.name = 'MqObjectNotFoundError';
  }
}

/** The channel commands an administrator's authority may be taken away for. */
export const channelVerbs = ['START', 'STOP', 'RESET', 'RESOLVE'] as const;
export type ChannelVerb = (typeof channelVerbs)[number];

export interface MqEstate {
  readonly financeQmgr: string;
  readonly timeZone: string;
  readonly channels: ChannelAccess;
  qmgrNames(): string[];
  queueManager(name: string): QueueManager | undefined;
  now(): Date;
  tick(): void;
  /** Ticks until nothing moves (no batch, no start-up in progress) or `maxTicks`; returns the ticks run. */
  drain(maxTicks?: number): number;
  put(qmgr: string, queue: string, body: string, opts?: PutOptions): { msgId: string };
  /**
   * MQPUT of each body under syncpoint, then MQCMIT: every message put, or — when the queue manager
   * refuses one (MqPutError) — none of them (MQBACK).
   */
  putAll(qmgr: string, queue: string, bodies: readonly string[], opts?: PutOptions): { msgIds: string[] };
  get(qmgr: string, queue: string, match?: { msgId?: string; correlId?: string }): SandboxMessage | undefined;
  /** Destructive get of the messages with these ids that are still on the queue, oldest first. */
  getAll(qmgr: string, queue: string, msgIds: readonly string[]): SandboxMessage[];
  /** The queue's messages, oldest first (the first `max` of them), left on the queue. */
  browse(qmgr: string, queue: string, max?: number): SandboxMessage[];
  depth(qmgr: string, queue: string): number;
  setNetworkDown(bankCode: string, down: boolean): Promise<void>;
  isNetworkDown(bankCode: string): boolean;
  injectSequenceMismatch(bankCode: string, delta?: number): void;
  injectInDoubt(bankCode: string, opts?: { received?: boolean }): { messages: number };
  stopChannel(qmgr: string, channel: string): void;
  addDeadLetters(qmgr: string, count: number, reason?: number): void;
  clearFaults(): Promise<void>;
  /**
   * Takes the MQ administrator's authority for one command on one channel away (`setmqaut -remove`),
   * or gives it back: the queue manager then refuses that command with AMQ8135E (MQRC_NOT_AUTHORIZED).
   */
  setCommandRefused(qmgr: string, channel: string, verb: ChannelVerb, refused: boolean): void;
  isCommandRefused(qmgr: string, channel: string, verb: string): boolean;
  errorLog(qmgr: string): string[];
  /** Notes an MQSC command as the queue manager received it (the MQSC interpreter calls this). */
  recordMqsc(qmgr: string, command: string): void;
  /** The MQSC commands a queue manager received, oldest first (the last 2000). */
  mqscLog(qmgr: string): MqscLogEntry[];
  /** Times each message (by MQ message id) was put on this queue manager by a receiving channel. */
  deliveries(qmgr: string): ReadonlyMap<string, number>;
  /** DEFINE QLOCAL / QREMOTE on a queue manager (the MQSC interpreter's DEFINE). */
  defineQueue(qmgr: string, spec: QueueSpec, replace: boolean): DefineResult;
  /** DEFINE CHANNEL on a queue manager; a new end joins its partner when that is defined. */
  defineChannel(qmgr: string, spec: ChannelSpec, replace: boolean): DefineResult;
  /** Brings a bank's queue manager and front end online at run time, with the bank's channel ends. */
  addBank(bank: BankMqConfig): Promise<void>;
  listen(): Promise<void>;
  close(): Promise<void>;
  snapshot(): MqEstateSnapshot;
}

/** How many of a queue manager's last MQSC commands its log shows. */
const mqscLogKept = 2000;

export function createMqEstate(options: MqEstateOptions): MqEstate {
  const now = options.now ?? (() => new Date());
  const timeZone = options.timeZone ?? 'Asia/Shanghai';
  const financeListener = options.financeListener ?? { host: '127.0.0.1', port: 1414 };
  const qmgrs = new Map<string, QueueManager>();
  const links: ChannelLink[] = [];
  const ends = new Map<string, { end: ChannelEnd; link: ChannelLink }>();
  const linksByBank = new Map<string, { outbound: ChannelLink; inbound: ChannelLink }>();
  const networkDown = new Set<string>();
  const refusedCommands = new Set<string>();
  const frontEnds = new FrontEndListeners(new Map(options.banks.map((b) => [b.code, b.frontEnd])));
  const parts: EstateParts = {
    financeQmgr: options.financeQmgr,
    financeListener,
    qmgrs,
    links,
    ends,
    linksByBank,
    listeners: new Map<string, Endpoint>([[options.financeQmgr, financeListener]]),
    bankOfQmgr: new Map(),
    now,
  };

  const created = now();
  const finance = createQueueManager(options.financeQmgr, created);
  qmgrs.set(finance.name, finance);
  for (const bank of options.banks) buildBank(bank);

  function buildBank(bank: BankMqConfig): void {
    if (qmgrs.has(bank.qmgr)) throw new Error(`duplicate queue manager ${bank.qmgr} for bank ${bank.code}`);
    const qm = createQueueManager(bank.qmgr, created);
    qmgrs.set(qm.name, qm);
    registerBankQmgr(parts, bank.code, bank.qmgr, bank.frontEnd);
    defineXmitQueue(finance, bank.xmitq, bank.senderChannel, created);
    defineRemoteQueue(
      finance,
      `PAY.TO.${bank.code}`,
      { rname: 'PAY.IN', rqmname: bank.qmgr, xmitq: bank.xmitq },
      created,
    );
    defineLocalQueue(finance, `PAY.FROM.${bank.code}`, created, {});
    defineXmitQueue(qm, finance.name, bank.receiverChannel, created);
    defineLocalQueue(qm, 'PAY.IN', created, {});
    defineRemoteQueue(
      qm,
      'PAY.TO.CZ',
      { rname: `PAY.FROM.${bank.code}`, rqmname: finance.name, xmitq: finance.name },
      created,
    );

    const fe = bank.frontEnd;
    const outbound = link(
      bank.code,
      bank.senderChannel,
      finance,
      qm,
      { conname: `${fe.host}(${fe.port})`, xmitq: bank.xmitq },
      fe,
      financeListener.host,
    );
    const inbound = link(
      bank.code,
      bank.receiverChannel,
      qm,
      finance,
      { conname: `${financeListener.host}(${financeListener.port})`, xmitq: finance.name },
      financeListener,
      fe.host,
    );
    linksByBank.set(bank.code, { outbound, inbound });
  }

  function link(
    bank: string,
    name: string,
    from: QueueManager,
    to: QueueManager,
    attrs: { conname: string; xmitq: string },
    target: { host: string; port: number },
    sourceHost: string,
  ): ChannelLink {
    const sender = defineChannelEnd(from, bank, name, 'SDR', { ...attrs, altered: created });
    const receiver = defineChannelEnd(to, bank, name, 'RCVR', { ...attrs, altered: created });
    const l: ChannelLink = { bank, name, sender, receiver, target, sourceHost };
    links.push(l);
    ends.set(`${from.name}/${name}`, { end: sender, link: l });
    ends.set(`${to.name}/${name}`, { end: receiver, link: l });
    return l;
  }

  function log(qmgr: string, line: string): void {
    const qm = qmgrs.get(qmgr);
    if (!qm) return;
    const t = now();
    qm.errorLog.push(`${mqDate(t, timeZone)} ${mqTime(t, timeZone)} ${line}`);
    if (qm.errorLog.length > 500) qm.errorLog.splice(0, qm.errorLog.length - 500);
  }

  const reachable = (l: ChannelLink) => !networkDown.has(l.bank) && targetListens(parts, l);

  const ctx: EngineContext = {
    qmgr: (name) => mustQmgr(name),
    reachable,
    now,
    retryTicks: options.retryTicks ?? 3,
    longRetryTicks: options.longRetryTicks ?? 12000,
    log,
  };

  const channels: ChannelAccess = {
    findEnd: (qmgr, channel) => ends.get(`${qmgr}/${channel}`),
    reachable,
    xmitqOf: (end) => qmgrs.get(end.qmgr)?.queues.get(end.def.xmitq),
    restoreToXmitq: (end) => {
      const xq = qmgrs.get(end.qmgr)?.queues.get(end.def.xmitq);
      if (xq) xq.messages.unshift(...end.rt.inDoubtMsgs);
      end.rt.inDoubtMsgs = [];
    },
  };

  function mustQmgr(name: string): QueueManager {
    const qm = qmgrs.get(name);
    if (!qm) throw new MqObjectNotFoundError(name);
    return qm;
  }

  function mustQueue(qmgr: string, queue: string) {
    const q = mustQmgr(qmgr).queues.get(queue);
    if (!q) throw new MqObjectNotFoundError(qmgr, queue);
    return q;
  }

  /** A queue MQGET may take from: local and not get-inhibited. */
  function gettable(qmgr: string, queue: string): QueueDef {
    const q = mustQueue(qmgr, queue);
    if (q.type !== 'QLOCAL') throw new MqPutError(qmgr, queue, 2045); // MQRC_OPTION_NOT_VALID_FOR_TYPE
    if (q.get === 'DISABLED') throw new MqPutError(qmgr, queue, 2016);
    return q;
  }

  function mustBank(code: string) {
    const l = linksByBank.get(code);
    if (!l) throw new Error(`unknown bank ${code}`);
    return l;
  }

  function busy(): boolean {
    return links.some((l) => {
      const st = l.sender.rt.status;
      if (st === 'STARTING' || st === 'BINDING' || st === 'STOPPING') return true;
      if (st === 'RETRYING') return reachable(l) && l.receiver.rt.status !== 'STOPPED';
      const xq = qmgrs.get(l.sender.qmgr)?.queues.get(l.sender.def.xmitq);
      const pending = !!xq && xq.get === 'ENABLED' && xq.messages.length > 0;
      // A running channel whose partner is gone still has a step to take: into RETRYING.
      if (st === 'RUNNING') return pending || !reachable(l) || l.receiver.rt.status === 'STOPPED';
      return st === 'INACTIVE' && pending && !!xq?.trigger && !l.sender.rt.indoubt;
    });
  }

  if (options.startChannels ?? true) {
    for (const l of links) l.sender.rt.status = 'STARTING';
    for (let i = 0; i < 3; i++) for (const l of links) stepLink(ctx, l);
  }

  const estate: MqEstate = {
    financeQmgr: finance.name,
    timeZone,
    channels,
    qmgrNames: () => [...qmgrs.keys()],
    queueManager: (name) => qmgrs.get(name),
    now,

    tick() {
      for (const l of links) stepLink(ctx, l);
    },

    drain(maxTicks = 50) {
      let n = 0;
      while (n < maxTicks && busy()) {
        estate.tick();
        n++;
      }
      return n;
    },

    put(qmgr, queue, body, opts = {}) {
      return { msgId: estate.putAll(qmgr, queue, [body], opts).msgIds[0] as string };
    },

    putAll(qmgr, queue, bodies, opts = {}) {
      const qm = mustQmgr(qmgr);
      if (!qm.queues.has(queue)) throw new MqObjectNotFoundError(qmgr, queue);
      const put: { msgId: string; on: QueueDef }[] = [];
      for (const body of bodies) {
        const msg: SandboxMessage = {
          msgId: newMsgId(qmgr),
          correlId: toCorrelId(opts.correlId),
          body,
          format: 'MQSTR',
          persistent: opts.persistent ?? true,
          putTime: now(),
        };
        const outcome = putResolved(qm, queue, msg);
        if (!outcome.ok) {
          // MQBACK: each put added one message at the end of its queue, and nothing ran in between.
          for (const p of put.reverse()) p.on.messages.pop();
          throw new MqPutError(qmgr, queue, outcome.reason);
        }
        put.push({ msgId: msg.msgId, on: outcome.queue });
      }
      return { msgIds: put.map((p) => p.msgId) };
    },

    get(qmgr, queue, match = {}) {
      const q = gettable(qmgr, queue);
      const i = q.messages.findIndex(
        (m) =>
          (!match.msgId || m.msgId === match.msgId.toUpperCase()) &&
          (!match.correlId || m.correlId === toCorrelId(match.correlId)),
      );
      if (i < 0) return undefined;
      return q.messages.splice(i, 1)[0];
    },

    getAll(qmgr, queue, msgIds) {
      const q = gettable(qmgr, queue);
      const wanted = new Set(msgIds.map((id) => id.toUpperCase()));
      const got: SandboxMessage[] = [];
      let kept = 0;
      for (const m of q.messages) {
        if (wanted.has(m.msgId)) got.push(m);
        else q.messages[kept++] = m;
      }
      q.messages.length = kept;
      return got;
    },

    browse(qmgr, queue, max) {
      return mustQueue(qmgr, queue).messages.slice(0, max);
    },

    depth(qmgr, queue) {
      return mustQueue(qmgr, queue).messages.length;
    },

    async setNetworkDown(bankCode, down) {
      mustBank(bankCode);
      if (down) {
        networkDown.add(bankCode);
        await frontEnds.close(bankCode);
      } else {
        networkDown.delete(bankCode);
        await frontEnds.open(bankCode);
      }
    },

    isNetworkDown: (bankCode) => networkDown.has(bankCode),

    injectSequenceMismatch(bankCode, delta = 5) {
      const { outbound } = mustBank(bankCode);
      const s = outbound.sender.rt;
      const r = outbound.receiver.rt;
      r.lastSeq = Math.max(0, s.lastSeq + delta);
      r.curSeq = r.lastSeq;
      r.hasSaved = true;
      s.hasSaved = true;
      s.pendingReset = undefined;
      const line = amq.sequenceError(
        outbound.name,
        nextSeq(outbound.sender, s.lastSeq),
        nextSeq(outbound.receiver, r.lastSeq),
      );
      log(outbound.sender.qmgr, line);
      log(outbound.receiver.qmgr, line);
      stopChannelCommand(channels, outbound.sender.qmgr, outbound.name, { immediate: true });
    },

    injectInDoubt(bankCode, opts = {}) {
      const { outbound } = mustBank(bankCode);
      const s = outbound.sender;
      const xq = mustQueue(s.qmgr, s.def.xmitq);
      const batch = xq.messages.splice(0, s.def.batchsz);
      s.rt.inDoubtMsgs = batch;
      s.rt.indoubt = true;
      s.rt.curLuwid = newLuwid();
      s.rt.curSeq = s.rt.lastSeq;
      for (let i = 0; i < batch.length; i++) s.rt.curSeq = nextSeq(s, s.rt.curSeq);
      s.rt.hasSaved = true;
      if (opts.received) {
        // The bank committed the batch but its confirmation never came back.
        const to = mustQmgr(outbound.receiver.qmgr);
        for (const m of batch) {
          deliver(to, m, outbound.name, now());
          outbound.receiver.rt.lastSeq = nextSeq(outbound.receiver, outbound.receiver.rt.lastSeq);
        }
        outbound.receiver.rt.curSeq = outbound.receiver.rt.lastSeq;
        outbound.receiver.rt.hasSaved = true;
      }
      log(
        s.qmgr,
        amq.channelEndedAbnormally(outbound.name, `${outbound.target.host} (${outbound.target.port})`),
      );
      stopChannelCommand(channels, s.qmgr, outbound.name, { immediate: true });
      return { messages: batch.length };
    },

    stopChannel(qmgr, channel) {
      const out = stopChannelCommand(channels, qmgr, channel, { immediate: true });
      if (out.completionCode !== 0) throw new Error(out.text.join(' '));
    },

    addDeadLetters(qmgr, count, why = 2085) {
      const qm = mustQmgr(qmgr);
      const t = now();
      for (let i = 0; i < count; i++) {
        const msg: SandboxMessage = {
          msgId: newMsgId(qmgr),
          correlId: toCorrelId(undefined),
          body: JSON.stringify({ head: { msgType: 'unknown', sendTime: t.toISOString() }, body: {} }),
          format: 'MQSTR',
          persistent: true,
          putTime: t,
          injected: true,
        };
        deadLetter(qm, msg, why, { destQmgr: qmgr, destQueue: 'PAY.UNKNOWN' }, 'runmqchl', t);
      }
    },

    setCommandRefused(qmgr, channel, verb, refused) {
      const key = `${qmgr}/${channel}/${verb}`;
      if (refused) refusedCommands.add(key);
      else refusedCommands.delete(key);
    },
    isCommandRefused: (qmgr, channel, verb) => refusedCommands.has(`${qmgr}/${channel}/${verb}`),
    async clearFaults() {
      refusedCommands.clear();
      for (const code of [...networkDown]) await estate.setNetworkDown(code, false);
      for (const l of links) {
        const s = l.sender.rt;
        if (s.indoubt) {
          channels.restoreToXmitq(l.sender);
          s.indoubt = false;
          s.curSeq = s.lastSeq;
        }
        if (l.receiver.rt.lastSeq !== s.lastSeq) {
          l.receiver.rt.lastSeq = s.lastSeq;
          l.receiver.rt.curSeq = s.lastSeq;
        }
        s.pendingReset = undefined;
        if (l.receiver.rt.status === 'STOPPED') l.receiver.rt.status = 'INACTIVE';
        if (s.status === 'STOPPED' || s.status === 'RETRYING') {
          s.status = 'STARTING';
          s.shortRts = l.sender.def.shortrty;
        }
      }
      for (const qm of qmgrs.values()) {
        const dlq = qm.queues.get(qm.deadq);
        if (dlq) dlq.messages = dlq.messages.filter((m) => !m.injected);
      }
    },

    errorLog: (qmgr) => [...mustQmgr(qmgr).errorLog],

    recordMqsc(qmgr, command) {
      const log = mustQmgr(qmgr).mqscLog;
      log.push({ at: now().toISOString(), command: command.trim() });
      // Trimmed a few hundred at a time, not once a command when full.
      if (log.length > mqscLogKept + 500) log.splice(0, log.length - mqscLogKept);
    },

    mqscLog: (qmgr) => mustQmgr(qmgr).mqscLog.slice(-mqscLogKept),

    deliveries: (qmgr) => new Map(mustQmgr(qmgr).deliveries),

    defineQueue: (qmgr, spec, replace) => defineQueue(parts, qmgr, spec, replace),

    defineChannel: (qmgr, spec, replace) => defineChannel(parts, qmgr, spec, replace),

    async addBank(bank) {
      if (qmgrs.has(bank.qmgr)) throw new Error(`queue manager ${bank.qmgr} already exists`);
      if (linksByBank.has(bank.code)) throw new Error(`bank ${bank.code} already has channels`);
      frontEnds.add(bank.code, bank.frontEnd);
      try {
        await frontEnds.open(bank.code);
      } catch (err) {
        frontEnds.forget(bank.code);
        throw err;
      }
      addBankQmgr(parts, bank);
    },

    async listen() {
      await frontEnds.openAll((b) => networkDown.has(b));
    },

    async close() {
      await frontEnds.closeAll();
    },

    snapshot() {
      return {
        qmgrs: [...qmgrs.values()].map((qm) => ({
          name: qm.name,
          deadq: qm.deadq,
          queues: [...qm.queues.values()].map((q) => ({
            name: q.name,
            type: q.type,
            usage: q.usage,
            depth: q.messages.length,
            get: q.get,
            put: q.put,
          })),
          channels: [...qm.channels.values()].map((c) => ({
            name: c.def.name,
            chltype: c.def.chltype,
            status: c.rt.status,
            substate: c.rt.substate,
            lastSeq: c.rt.lastSeq,
            curSeq: c.rt.curSeq,
            indoubt: c.rt.indoubt,
            msgs: c.rt.msgs,
            ...(c.rt.pendingReset !== undefined ? { pendingReset: c.rt.pendingReset } : {}),
          })),
          errorLog: qm.errorLog.slice(-20),
        })),
        networkDown: [...networkDown],
      };
    },
  };
  return estate;
}
