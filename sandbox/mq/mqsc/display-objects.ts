/**
 * DISPLAY CHANNEL, DISPLAY QLOCAL/QREMOTE/QUEUE and DISPLAY QMGR: object definitions with the
 * attributes IBM MQ prints for them (identity first, the rest alphabetical), AMQ8147E
 * (MQRC_UNKNOWN_OBJECT_NAME) when nothing matches.
 */
import type { ChannelEnd, QueueDef, QueueManager } from '../types.ts';
import type { MqEstate } from '../estate.ts';
import type { Attr } from './format.ts';
import type { MqscItem } from './result.ts';
import { displayItem, failure, selectAttrs } from './result.ts';
import { type ParsedCommand, MqscSyntaxError, matchesGeneric, segmentUpTo } from './parse.ts';
import { amq, reason } from '../messages.ts';
import { mqDate, mqTime } from '../mq-format.ts';

type Tz = string;

function channelAttrs(end: ChannelEnd, tz: Tz): Attr[] {
  const d = end.def;
  const common: Attr[] = [
    { key: 'CHANNEL', value: d.name },
    { key: 'CHLTYPE', value: d.chltype },
    { key: 'ALTDATE', value: mqDate(d.altered, tz) },
    { key: 'ALTTIME', value: mqTime(d.altered, tz) },
    { key: 'BATCHSZ', value: String(d.batchsz) },
    { key: 'CERTLABL', value: '' },
    { key: 'COMPHDR', value: 'NONE' },
    { key: 'COMPMSG', value: 'NONE' },
    { key: 'DESCR', value: d.descr },
    { key: 'HBINT', value: String(d.hbint) },
    { key: 'KAINT', value: 'AUTO' },
    { key: 'MAXMSGL', value: String(d.maxmsgl) },
    { key: 'MCAUSER', value: '' },
    { key: 'MONCHL', value: 'QMGR' },
    { key: 'MSGDATA', value: '' },
    { key: 'MSGEXIT', value: '' },
    { key: 'NPMSPEED', value: d.npmspeed },
    { key: 'PROPCTL', value: 'COMPAT' },
    { key: 'RCVDATA', value: '' },
    { key: 'RCVEXIT', value: '' },
    { key: 'RESETSEQ', value: end.rt.pendingReset !== undefined ? String(end.rt.pendingReset) : 'NO' },
    { key: 'SCYDATA', value: '' },
    { key: 'SCYEXIT', value: '' },
    { key: 'SENDDATA', value: '' },
    { key: 'SENDEXIT', value: '' },
    { key: 'SEQWRAP', value: String(d.seqwrap) },
    { key: 'SSLCAUTH', value: 'REQUIRED' },
    { key: 'SSLCIPH', value: '' },
    { key: 'SSLPEER', value: '' },
    { key: 'STATCHL', value: 'QMGR' },
    { key: 'TRPTYPE', value: 'TCP' },
    { key: 'USEDLQ', value: 'YES' },
  ];
  if (d.chltype === 'SDR') {
    common.push(
      { key: 'BATCHHB', value: '0' },
      { key: 'BATCHINT', value: '0' },
      { key: 'BATCHLIM', value: '5000' },
      { key: 'CONNAME', value: d.conname },
      { key: 'CONVERT', value: 'NO' },
      { key: 'DISCINT', value: String(d.discint) },
      { key: 'LOCLADDR', value: '' },
      { key: 'LONGRTY', value: String(d.longrty) },
      { key: 'LONGTMR', value: String(d.longtmr) },
      { key: 'MCANAME', value: '' },
      { key: 'MCATYPE', value: 'PROCESS' },
      { key: 'MODENAME', value: '' },
      { key: 'PASSWORD', value: '' },
      { key: 'SHORTRTY', value: String(d.shortrty) },
      { key: 'SHORTTMR', value: String(d.shorttmr) },
      { key: 'TPNAME', value: '' },
      { key: 'USERID', value: '' },
      { key: 'XMITQ', value: d.xmitq },
    );
  } else {
    common.push(
      { key: 'MRDATA', value: '' },
      { key: 'MREXIT', value: '' },
      { key: 'MRRTY', value: '10' },
      { key: 'MRTMR', value: '1000' },
      { key: 'PUTAUT', value: 'DEF' },
    );
  }
  return common;
}

const channelKeys = new Set([
  'ALL',
  'ALTDATE',
  'ALTTIME',
  'BATCHHB',
  'BATCHINT',
  'BATCHLIM',
  'BATCHSZ',
  'CERTLABL',
  'CHLTYPE',
  'COMPHDR',
  'COMPMSG',
  'CONNAME',
  'CONVERT',
  'DESCR',
  'DISCINT',
  'HBINT',
  'KAINT',
  'LOCLADDR',
  'LONGRTY',
  'LONGTMR',
  'MAXMSGL',
  'MCANAME',
  'MCATYPE',
  'MCAUSER',
  'MODENAME',
  'MONCHL',
  'MRDATA',
  'MREXIT',
  'MRRTY',
  'MRTMR',
  'MSGDATA',
  'MSGEXIT',
  'NPMSPEED',
  'PASSWORD',
  'PROPCTL',
  'PUTAUT',
  'RCVDATA',
  'RCVEXIT',
  'RESETSEQ',
  'SCYDATA',
  'SCYEXIT',
  'SENDDATA',
  'SENDEXIT',
  'SEQWRAP',
  'SHORTRTY',
  'SHORTTMR',
  'SSLCAUTH',
  'SSLCIPH',
  'SSLPEER',
  'STATCHL',
  'TPNAME',
  'TRPTYPE',
  'USEDLQ',
  'USERID',
  'XMITQ',
  'TYPE',
]);

export function displayChannel(estate: MqEstate, qm: QueueManager, cmd: ParsedCommand): MqscItem[] {
  const requested = new Set<string>();
  let typeFilter: string | undefined;
  for (const k of cmd.keywords) {
    if (!channelKeys.has(k.key) || (k.value !== undefined && k.key !== 'TYPE'))
      throw new MqscSyntaxError(segmentUpTo(cmd, k.key));
    if (k.key === 'TYPE') typeFilter = k.value;
    else requested.add(k.key);
  }
  const pattern = cmd.name ?? '*';
  const ends = [...qm.channels.values()]
    .filter((e) => matchesGeneric(pattern, e.def.name))
    .filter((e) => !typeFilter || typeFilter === 'ALL' || typeFilter === e.def.chltype)
    .sort((a, b) => (a.def.name < b.def.name ? -1 : 1));
  if (ends.length === 0) return [failure(reason.unknownObjectName, amq.objectNotFound(pattern))];
  return ends.map((e) =>
    displayItem(amq.displayChannel, selectAttrs(channelAttrs(e, estate.timeZone), 2, [], requested)),
  );
}

function queueAttrs(q: QueueDef, tz: Tz): Attr[] {
  const head: Attr[] = [
    { key: 'QUEUE', value: q.name },
    { key: 'TYPE', value: q.type },
  ];
  const common: Attr[] = [
    { key: 'ALTDATE', value: mqDate(q.altered, tz) },
    { key: 'ALTTIME', value: mqTime(q.altered, tz) },
    { key: 'CLUSNL', value: '' },
    { key: 'CLUSTER', value: '' },
    { key: 'CLWLPRTY', value: '0' },
    { key: 'CLWLRANK', value: '0' },
    { key: 'CUSTOM', value: '' },
    { key: 'DEFBIND', value: 'OPEN' },
    { key: 'DEFPRESP', value: 'SYNC' },
    { key: 'DEFPRTY', value: '0' },
    { key: 'DEFPSIST', value: 'NO' },
    { key: 'DESCR', value: q.descr },
    { key: 'PUT', value: q.put },
    { key: 'SCOPE', value: 'QMGR' },
  ];
  if (q.type === 'QREMOTE') {
    return [
      ...head,
      ...common,
      { key: 'RNAME', value: q.rname },
      { key: 'RQMNAME', value: q.rqmname },
      { key: 'XMITQ', value: q.xmitq },
    ];
  }
  return [
    ...head,
    ...common,
    { key: 'ACCTQ', value: 'QMGR' },
    { key: 'BOQNAME', value: '' },
    { key: 'BOTHRESH', value: '0' },
    { key: 'CLCHNAME', value: '' },
    { key: 'CLWLUSEQ', value: 'QMGR' },
    { key: 'CRDATE', value: mqDate(q.created, tz) },
    { key: 'CRTIME', value: mqTime(q.created, tz) },
    { key: 'CURDEPTH', value: String(q.messages.length) },
    { key: 'DEFREADA', value: 'NO' },
    { key: 'DEFSOPT', value: 'SHARED' },
    { key: 'DEFTYPE', value: 'PREDEFINED' },
    { key: 'DISTL', value: 'NO' },
    { key: 'GET', value: q.get },
    { key: 'HARDENBO' },
    { key: 'IMGRCOVQ', value: 'QMGR' },
    { key: 'INITQ', value: q.initq },
    { key: 'IPPROCS', value: '0' },
    { key: 'MAXDEPTH', value: String(q.maxdepth) },
    { key: 'MAXFSIZE', value: 'DEFAULT' },
    { key: 'MAXMSGL', value: String(q.maxmsgl) },
    { key: 'MONQ', value: 'QMGR' },
    { key: 'MSGDLVSQ', value: 'PRIORITY' },
    q.trigger ? { key: 'TRIGGER' } : { key: 'NOTRIGGER' },
    { key: 'NPMCLASS', value: 'NORMAL' },
    { key: 'OPPROCS', value: '0' },
    { key: 'PROCESS', value: '' },
    { key: 'PROPCTL', value: 'COMPAT' },
    { key: 'QDEPTHHI', value: '80' },
    { key: 'QDEPTHLO', value: '20' },
    { key: 'QDPHIEV', value: 'DISABLED' },
    { key: 'QDPLOEV', value: 'DISABLED' },
    { key: 'QDPMAXEV', value: 'ENABLED' },
    { key: 'QSVCIEV', value: 'NONE' },
    { key: 'QSVCINT', value: '999999999' },
    { key: 'RETINTVL', value: '999999999' },
    { key: 'SHARE' },
    { key: 'STATQ', value: 'QMGR' },
    { key: 'TRIGDATA', value: q.trigdata },
    { key: 'TRIGDPTH', value: '1' },
    { key: 'TRIGMPRI', value: '0' },
    { key: 'TRIGTYPE', value: q.trigtype },
    { key: 'USAGE', value: q.usage },
  ];
}

const queueKeys = new Set([
  'ALL',
  'ACCTQ',
  'ALTDATE',
  'ALTTIME',
  'BOQNAME',
  'BOTHRESH',
  'CLCHNAME',
  'CLUSNL',
  'CLUSTER',
  'CLWLPRTY',
  'CLWLRANK',
  'CLWLUSEQ',
  'CRDATE',
  'CRTIME',
  'CURDEPTH',
  'CUSTOM',
  'DEFBIND',
  'DEFPRESP',
  'DEFPRTY',
  'DEFPSIST',
  'DEFREADA',
  'DEFSOPT',
  'DEFTYPE',
  'DESCR',
  'DISTL',
  'GET',
  'HARDENBO',
  'IMGRCOVQ',
  'INITQ',
  'IPPROCS',
  'MAXDEPTH',
  'MAXFSIZE',
  'MAXMSGL',
  'MONQ',
  'MSGDLVSQ',
  'NPMCLASS',
  'OPPROCS',
  'PROCESS',
  'PROPCTL',
  'PUT',
  'QDEPTHHI',
  'QDEPTHLO',
  'QDPHIEV',
  'QDPLOEV',
  'QDPMAXEV',
  'QSVCIEV',
  'QSVCINT',
  'RETINTVL',
  'RNAME',
  'RQMNAME',
  'SCOPE',
  'SHARE',
  'STATQ',
  'TRIGDATA',
  'TRIGDPTH',
  'TRIGGER',
  'TRIGMPRI',
  'TRIGTYPE',
  'USAGE',
  'XMITQ',
  'TYPE',
]);
const flagAliases: Record<string, string[]> = {
  TRIGGER: ['TRIGGER', 'NOTRIGGER'],
  SHARE: ['SHARE', 'NOSHARE'],
  HARDENBO: ['HARDENBO', 'NOHARDENBO'],
};

export function displayQueue(estate: MqEstate, qm: QueueManager, cmd: ParsedCommand): MqscItem[] {
  const requested = new Set<string>();
  let typeFilter: string | undefined = cmd.object === 'QUEUE' ? undefined : cmd.object;
  for (const k of cmd.keywords) {
    if (!queueKeys.has(k.key) || (k.value !== undefined && k.key !== 'TYPE'))
      throw new MqscSyntaxError(segmentUpTo(cmd, k.key));
    if (k.key === 'TYPE') {
      if (cmd.object !== 'QUEUE') throw new MqscSyntaxError(segmentUpTo(cmd, k.key));
      typeFilter = k.value === 'QL' ? 'QLOCAL' : k.value === 'QR' ? 'QREMOTE' : k.value;
    } else {
      for (const alias of flagAliases[k.key] ?? [k.key]) requested.add(alias);
    }
  }
  const pattern = cmd.name ?? '*';
  const queues = [...qm.queues.values()]
    .filter((q) => matchesGeneric(pattern, q.name))
    .filter((q) => !typeFilter || typeFilter === 'ALL' || q.type === typeFilter)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  if (queues.length === 0) return [failure(reason.unknownObjectName, amq.objectNotFound(pattern))];
  return queues.map((q) =>
    displayItem(amq.displayQueue, selectAttrs(queueAttrs(q, estate.timeZone), 2, [], requested)),
  );
}

const qmgrKeys = new Set([
  'ALL',
  'ALTDATE',
  'ALTTIME',
  'CCSID',
  'CHAD',
  'CHLEV',
  'CMDLEVEL',
  'COMMANDQ',
  'CRDATE',
  'CRTIME',
  'DEADQ',
  'DEFXMITQ',
  'DESCR',
  'MAXHANDS',
  'MAXMSGL',
  'MAXPRTY',
  'PLATFORM',
  'QMID',
  'QMNAME',
  'STATCHL',
  'STATQ',
  'VERSION',
]);

export function displayQmgr(estate: MqEstate, qm: QueueManager, cmd: ParsedCommand): MqscItem[] {
  const requested = new Set<string>();
  for (const k of cmd.keywords) {
    if (!qmgrKeys.has(k.key) || k.value !== undefined) throw new MqscSyntaxError(segmentUpTo(cmd, k.key));
    requested.add(k.key);
  }
  // DISPLAY QMGR with no attribute list shows them all.
  if (requested.size === 0) requested.add('ALL');
  const tz = estate.timeZone;
  const attrs: Attr[] = [
    { key: 'QMNAME', value: qm.name },
    { key: 'ALTDATE', value: mqDate(qm.created, tz) },
    { key: 'ALTTIME', value: mqTime(qm.created, tz) },
    { key: 'CCSID', value: '1208' },
    { key: 'CHAD', value: 'DISABLED' },
    { key: 'CHLEV', value: 'DISABLED' },
    { key: 'CMDLEVEL', value: '940' },
    { key: 'COMMANDQ', value: 'SYSTEM.ADMIN.COMMAND.QUEUE' },
    { key: 'CRDATE', value: mqDate(qm.created, tz) },
    { key: 'CRTIME', value: mqTime(qm.created, tz) },
    { key: 'DEADQ', value: qm.deadq },
    { key: 'DEFXMITQ', value: '' },
    { key: 'DESCR', value: qm.descr },
    { key: 'MAXHANDS', value: '256' },
    { key: 'MAXMSGL', value: '4194304' },
    { key: 'MAXPRTY', value: '9' },
    { key: 'PLATFORM', value: 'UNIX' },
    { key: 'QMID', value: `${qm.name}_${mqDate(qm.created, tz)}_${mqTime(qm.created, tz)}` },
    { key: 'STATCHL', value: 'OFF' },
    { key: 'STATQ', value: 'OFF' },
    { key: 'VERSION', value: '09040000' },
  ];
  return [displayItem(amq.displayQmgr, selectAttrs(attrs, 1, [], requested))];
}
