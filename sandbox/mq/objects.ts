/**
 * Objects defined while the estate runs: DEFINE QLOCAL/QREMOTE/CHANNEL as the MQSC interpreter
 * receives them, and a bank's queue manager brought online with its own ends of the channel pair.
 * A channel joins its two ends by name across two queue managers; while only one side has defined
 * it, the link carries a stand-in for the other end (`missing`) — the sender then retries with
 * AMQ9520E, as a real one does when its partner has no definition — until a DEFINE attaches it.
 */
import type {
  BankMqConfig,
  ChannelDef,
  ChannelEnd,
  ChannelLink,
  ChannelType,
  QueueDef,
  QueueManager,
} from './types.ts';
import {
  createQueueManager,
  defineChannelEnd,
  defineLocalQueue,
  defineRemoteQueue,
  defineXmitQueue,
} from './queue-manager.ts';

export interface Endpoint {
  host: string;
  port: number;
}

/** The estate's state this module reads and extends (owned by createMqEstate). */
export interface EstateParts {
  financeQmgr: string;
  financeListener: Endpoint;
  qmgrs: Map<string, QueueManager>;
  links: ChannelLink[];
  ends: Map<string, { end: ChannelEnd; link: ChannelLink }>;
  linksByBank: Map<string, { outbound: ChannelLink; inbound: ChannelLink }>;
  /** Where each queue manager's channel listener is: finance's, and each bank's front end. */
  listeners: Map<string, Endpoint>;
  /** Bank code by its queue manager's name. */
  bankOfQmgr: Map<string, string>;
  now(): Date;
}

export type DefineResult = { ok: true; created: boolean } | { ok: false; why: 'exists' | 'wrong-type' };

export type QueueAttrs = Partial<
  Pick<
    QueueDef,
    | 'descr'
    | 'usage'
    | 'maxdepth'
    | 'maxmsgl'
    | 'get'
    | 'put'
    | 'trigger'
    | 'trigtype'
    | 'trigdata'
    | 'initq'
    | 'rname'
    | 'rqmname'
    | 'xmitq'
  >
>;

export interface QueueSpec {
  name: string;
  type: 'QLOCAL' | 'QREMOTE';
  attrs: QueueAttrs;
}

export type ChannelAttrs = Partial<Omit<ChannelDef, 'name' | 'chltype' | 'altered'>>;

export interface ChannelSpec {
  name: string;
  chltype: ChannelType;
  attrs: ChannelAttrs;
}

/** `host(port)` → endpoint; MQ's default port 1414 when none is given; the first of a list. */
export function parseConname(conname: string): Endpoint {
  const first = conname.split(',')[0]?.trim() ?? '';
  const m = first.match(/^([^()]+?)\s*(?:\((\d+)\))?$/);
  return { host: m?.[1] ?? first, port: m?.[2] ? Number(m[2]) : 1414 };
}

const sameEndpoint = (a: Endpoint | undefined, b: Endpoint) => !!a && a.host === b.host && a.port === b.port;

/** Whether the receiving queue manager of the link listens where its sender connects. */
export function targetListens(parts: EstateParts, link: ChannelLink): boolean {
  return sameEndpoint(parts.listeners.get(link.receiver.qmgr), link.target);
}

/**
 * DEFINE QLOCAL / QREMOTE. With REPLACE an existing queue of the same type gets the new
 * definition (attributes not given take their defaults, as with DEFINE) and keeps its messages.
 */
export function defineQueue(
  parts: EstateParts,
  qmgr: string,
  spec: QueueSpec,
  replace: boolean,
): DefineResult {
  const qm = mustQmgr(parts, qmgr);
  const existing = qm.queues.get(spec.name);
  if (existing && !replace) return { ok: false, why: 'exists' };
  if (existing && existing.type !== spec.type) return { ok: false, why: 'wrong-type' };
  const at = parts.now();
  const q =
    spec.type === 'QLOCAL'
      ? defineLocalQueue(qm, spec.name, existing?.created ?? at, {})
      : defineRemoteQueue(
          qm,
          spec.name,
          { rname: spec.attrs.rname ?? '', rqmname: spec.attrs.rqmname ?? '', xmitq: spec.attrs.xmitq ?? '' },
          existing?.created ?? at,
        );
  Object.assign(q, spec.attrs, { altered: at });
  if (existing) q.messages = existing.messages;
  return { ok: true, created: !existing };
}

/**
 * DEFINE CHANNEL (SDR or RCVR). REPLACE keeps the channel's status and sequence numbers (a
 * changed definition takes effect at the next start); a new end joins its partner, if defined.
 */
export function defineChannel(
  parts: EstateParts,
  qmgr: string,
  spec: ChannelSpec,
  replace: boolean,
): DefineResult {
  const qm = mustQmgr(parts, qmgr);
  const existing = qm.channels.get(spec.name);
  if (existing && !replace) return { ok: false, why: 'exists' };
  if (existing && existing.def.chltype !== spec.chltype) return { ok: false, why: 'wrong-type' };
  const at = parts.now();
  if (existing) {
    const fresh = standIn(qm.name, existing.bank, spec.name, spec.chltype, at, spec.attrs);
    existing.def = fresh.def;
    const link = parts.ends.get(`${qm.name}/${spec.name}`)?.link;
    if (link && spec.chltype === 'SDR') retarget(parts, link);
    return { ok: true, created: false };
  }
  const end = defineChannelEnd(qm, '', spec.name, spec.chltype, {
    conname: spec.attrs.conname ?? '',
    xmitq: spec.attrs.xmitq ?? '',
    altered: at,
  });
  Object.assign(end.def, spec.attrs);
  attach(parts, end);
  return { ok: true, created: true };
}

/**
 * A bank's side, as its own engineers set it up: its queue manager with PAY.IN, the remote queue
 * back to finance and its transmission queue, the receiver of finance's sender channel and its
 * own sender (idle until a message waits, as a triggered channel is). Finance's ends are not
 * made here: finance defines them, by MQSC.
 */
export function addBankQmgr(
  parts: EstateParts,
  bank: BankMqConfig,
): { outbound: ChannelLink; inbound: ChannelLink } {
  if (parts.qmgrs.has(bank.qmgr)) throw new Error(`queue manager ${bank.qmgr} already exists`);
  if (parts.linksByBank.has(bank.code)) throw new Error(`bank ${bank.code} already has channels`);
  const at = parts.now();
  const finance = parts.financeQmgr;
  const fl = parts.financeListener;
  const qm = createQueueManager(bank.qmgr, at);
  parts.qmgrs.set(qm.name, qm);
  registerBankQmgr(parts, bank.code, bank.qmgr, bank.frontEnd);
  defineXmitQueue(qm, finance, bank.receiverChannel, at);
  defineLocalQueue(qm, 'PAY.IN', at, {});
  defineRemoteQueue(
    qm,
    'PAY.TO.CZ',
    { rname: `PAY.FROM.${bank.code}`, rqmname: finance, xmitq: finance },
    at,
  );
  const receiver = defineChannelEnd(qm, bank.code, bank.senderChannel, 'RCVR', {
    conname: '',
    xmitq: '',
    altered: at,
  });
  const sender = defineChannelEnd(qm, bank.code, bank.receiverChannel, 'SDR', {
    conname: `${fl.host}(${fl.port})`,
    xmitq: finance,
    altered: at,
  });
  const outbound = attach(parts, receiver);
  const inbound = attach(parts, sender);
  for (const l of [outbound, inbound]) {
    l.bank = bank.code;
    l.sender.bank = bank.code;
    l.receiver.bank = bank.code;
  }
  parts.linksByBank.set(bank.code, { outbound, inbound });
  return { outbound, inbound };
}

export function registerBankQmgr(parts: EstateParts, code: string, qmgr: string, frontEnd: Endpoint): void {
  parts.listeners.set(qmgr, frontEnd);
  parts.bankOfQmgr.set(qmgr, code);
}

/** Joins a newly defined end to the link waiting for it, or starts a link waiting for its partner. */
function attach(parts: EstateParts, end: ChannelEnd): ChannelLink {
  const name = end.def.name;
  const isSender = end.def.chltype === 'SDR';
  const open = parts.links.find(
    (l) =>
      l.name === name &&
      l.missing === (isSender ? 'sender' : 'receiver') &&
      (isSender ? l.receiver.qmgr : l.sender.qmgr) !== end.qmgr,
  );
  let link: ChannelLink;
  if (open) {
    link = open;
    if (isSender) {
      link.sender = end;
      link.sourceHost = parts.listeners.get(end.qmgr)?.host ?? link.sourceHost;
    } else {
      link.receiver = end;
    }
    delete link.missing;
    if (isSender) retarget(parts, link);
  } else if (isSender) {
    const target = parseConname(end.def.conname);
    const partner = qmgrListeningAt(parts, target) ?? '';
    const bank = parts.bankOfQmgr.get(partner) ?? parts.bankOfQmgr.get(end.qmgr) ?? '';
    link = {
      bank,
      name,
      sender: end,
      receiver: standIn(partner, bank, name, 'RCVR', parts.now(), {}),
      target,
      sourceHost: parts.listeners.get(end.qmgr)?.host ?? '',
      missing: 'receiver',
    };
    parts.links.push(link);
  } else {
    const bank = parts.bankOfQmgr.get(end.qmgr) ?? '';
    link = {
      bank,
      name,
      sender: standIn('', bank, name, 'SDR', parts.now(), {}),
      receiver: end,
      target: parts.listeners.get(end.qmgr) ?? { host: '', port: 0 },
      sourceHost: '',
      missing: 'sender',
    };
    parts.links.push(link);
  }
  end.bank = link.bank || end.bank;
  parts.ends.set(`${end.qmgr}/${name}`, { end, link });
  return link;
}

/** After a sender's CONNAME changes: where it connects, and who stands in for a missing partner. */
function retarget(parts: EstateParts, link: ChannelLink): void {
  link.target = parseConname(link.sender.def.conname);
  if (link.missing !== 'receiver') return;
  const partner = qmgrListeningAt(parts, link.target) ?? '';
  link.receiver = standIn(partner, link.bank, link.name, 'RCVR', parts.now(), {});
  if (!link.bank) link.bank = parts.bankOfQmgr.get(partner) ?? '';
}

function qmgrListeningAt(parts: EstateParts, target: Endpoint): string | undefined {
  for (const [qmgr, ep] of parts.listeners) if (sameEndpoint(ep, target)) return qmgr;
  return undefined;
}

/** A channel end with IBM MQ's defaults, made on a detached queue manager: on no channel list. */
function standIn(
  qmgr: string,
  bank: string,
  name: string,
  chltype: ChannelType,
  at: Date,
  attrs: ChannelAttrs,
): ChannelEnd {
  const end = defineChannelEnd(createQueueManager(qmgr, at), bank, name, chltype, {
    conname: attrs.conname ?? '',
    xmitq: attrs.xmitq ?? '',
    altered: at,
  });
  Object.assign(end.def, attrs);
  return end;
}

function mustQmgr(parts: EstateParts, name: string): QueueManager {
  const qm = parts.qmgrs.get(name);
  if (!qm) throw new Error(`queue manager ${name} not found`);
  return qm;
}
