/**
 * DISPLAY CHSTATUS: current status (default) or saved status of the channel ends matching a name
 * or generic name, with the common, current-only and default attributes IBM MQ prints; AMQ8420I
 * (MQRCCF_CHL_STATUS_NOT_FOUND) when no status matches.
 */
import type { ChannelEnd } from '../types.ts';
import type { MqEstate } from '../estate.ts';
import type { Attr } from './format.ts';
import type { MqscItem } from './result.ts';
import { displayItem, failure, selectAttrs } from './result.ts';
import { type ParsedCommand, MqscSyntaxError, matchesGeneric, segmentUpTo } from './parse.ts';
import { amq, reason } from '../messages.ts';
import { mqDate, mqTime } from '../mq-format.ts';

const commonStatus = [
  'CHLTYPE',
  'CURLUWID',
  'CURMSGS',
  'CURSEQNO',
  'INDOUBT',
  'LSTLUWID',
  'LSTSEQNO',
  'STATUS',
];
const currentOnly = [
  'BATCHES',
  'BATCHSZ',
  'BUFSRCVD',
  'BUFSSENT',
  'BYTSRCVD',
  'BYTSSENT',
  'CHSTADA',
  'CHSTATI',
  'COMPHDR',
  'COMPMSG',
  'COMPRATE',
  'COMPTIME',
  'EXITTIME',
  'HBINT',
  'JOBNAME',
  'KAINT',
  'LOCLADDR',
  'LONGRTS',
  'LSTMSGDA',
  'LSTMSGTI',
  'MCASTAT',
  'MCAUSER',
  'MONCHL',
  'MSGS',
  'NETTIME',
  'NPMSPEED',
  'RAPPLTAG',
  'RPRODUCT',
  'RVERSION',
  'SECPROT',
  'SHORTRTS',
  'SSLCERTI',
  'SSLCIPH',
  'SSLKEYDA',
  'SSLKEYTI',
  'SSLPEER',
  'SSLRKEYS',
  'STATCHL',
  'STOPREQ',
  'SUBSTATE',
  'XBATCHSZ',
  'XQMSGSA',
  'XQTIME',
];
const allowedKeys = new Set([
  ...commonStatus,
  ...currentOnly,
  'ALL',
  'CURRENT',
  'SAVED',
  'CONNAME',
  'RQMNAME',
  'XMITQ',
  'MONITOR',
  'CHLDISP',
]);

const defaultsCurrent = ['CONNAME', 'CURRENT', 'RQMNAME', 'STATUS', 'SUBSTATE', 'XMITQ'];
const defaultsSaved = ['CONNAME', 'RQMNAME', 'SAVED', 'STATUS', 'XMITQ'];

export function displayChstatus(estate: MqEstate, qmgr: string, cmd: ParsedCommand): MqscItem[] {
  const requested = new Set<string>();
  let connameFilter: string | undefined;
  let xmitqFilter: string | undefined;
  for (const k of cmd.keywords) {
    if (!allowedKeys.has(k.key)) throw new MqscSyntaxError(segmentUpTo(cmd, k.key));
    if (k.key === 'CONNAME' && k.value !== undefined) connameFilter = k.value;
    else if (k.key === 'XMITQ' && k.value !== undefined) xmitqFilter = k.value;
    else if (k.value !== undefined && k.key !== 'CHLDISP') throw new MqscSyntaxError(segmentUpTo(cmd, k.key));
    else requested.add(k.key);
  }
  const saved = requested.has('SAVED');
  const qm = estate.queueManager(qmgr);
  const pattern = cmd.name ?? '*';
  const ends = [...(qm?.channels.values() ?? [])]
    .filter((e) => matchesGeneric(pattern, e.def.name))
    .filter((e) => (saved ? e.rt.hasSaved : e.rt.status !== 'INACTIVE'))
    .filter((e) => !xmitqFilter || matchesGeneric(xmitqFilter, e.def.xmitq))
    .sort((a, b) => (a.def.name < b.def.name ? -1 : 1));
  const items: MqscItem[] = [];
  for (const end of ends) {
    const attrs = statusAttrs(estate, end, saved);
    if (connameFilter && !matchesGeneric(connameFilter, attrs.find((a) => a.key === 'CONNAME')?.value ?? ''))
      continue;
    const allowed = saved
      ? new Set(['CHANNEL', ...commonStatus, 'CONNAME', 'RQMNAME', 'SAVED', 'XMITQ'])
      : undefined;
    const usable = allowed ? attrs.filter((a) => allowed.has(a.key)) : attrs;
    items.push(
      displayItem(
        amq.displayChstatus,
        selectAttrs(usable, 2, saved ? defaultsSaved : defaultsCurrent, requested),
      ),
    );
  }
  if (items.length === 0) return [failure(reason.chlStatusNotFound, amq.chstatusNotFound)];
  return items;
}

function statusAttrs(estate: MqEstate, end: ChannelEnd, saved: boolean): Attr[] {
  const tz = estate.timeZone;
  const rt = end.rt;
  const def = end.def;
  const found = estate.channels.findEnd(end.qmgr, def.name);
  const link = found?.link;
  const sdr = def.chltype === 'SDR';
  const running = rt.status === 'RUNNING' || rt.status === 'STOPPING';
  const conname = sdr ? def.conname : (link?.sourceHost ?? '');
  const xq = sdr ? estate.channels.xmitqOf(end) : undefined;
  const date = (d: Date | undefined) => (d ? mqDate(d, tz) : '');
  const time = (d: Date | undefined) => (d ? mqTime(d, tz) : '');
  const attrs: Attr[] = [
    { key: 'CHANNEL', value: def.name },
    { key: 'CHLTYPE', value: def.chltype },
    { key: 'CONNAME', value: conname },
    saved ? { key: 'SAVED' } : { key: 'CURRENT' },
    { key: 'CURLUWID', value: rt.curLuwid },
    { key: 'CURMSGS', value: String(rt.indoubt ? rt.inDoubtMsgs.length : 0) },
    { key: 'CURSEQNO', value: String(rt.curSeq) },
    { key: 'INDOUBT', value: rt.indoubt ? 'YES' : 'NO' },
    { key: 'LSTLUWID', value: rt.lstLuwid },
    { key: 'LSTSEQNO', value: String(rt.lastSeq) },
    { key: 'RQMNAME', value: rt.remoteQmgr },
    { key: 'STATUS', value: rt.status },
    { key: 'XMITQ', value: sdr ? def.xmitq : '' },
    { key: 'BATCHES', value: String(rt.batches) },
    { key: 'BATCHSZ', value: String(def.batchsz) },
    { key: 'BUFSRCVD', value: String(rt.buffersRcvd) },
    { key: 'BUFSSENT', value: String(rt.buffersSent) },
    { key: 'BYTSRCVD', value: String(rt.bytesRcvd) },
    { key: 'BYTSSENT', value: String(rt.bytesSent) },
    { key: 'CHSTADA', value: date(rt.startedAt) },
    { key: 'CHSTATI', value: time(rt.startedAt) },
    { key: 'COMPHDR', value: 'NONE,NONE' },
    { key: 'COMPMSG', value: 'NONE,NONE' },
    { key: 'COMPRATE', value: '0,0' },
    { key: 'COMPTIME', value: '0,0' },
    { key: 'EXITTIME', value: '0,0' },
    { key: 'HBINT', value: String(def.hbint) },
    { key: 'JOBNAME', value: jobName(end) },
    { key: 'KAINT', value: '360' },
    { key: 'LOCLADDR', value: '' },
    { key: 'LONGRTS', value: String(rt.longRts) },
    { key: 'LSTMSGDA', value: date(rt.lastMsgAt) },
    { key: 'LSTMSGTI', value: time(rt.lastMsgAt) },
    { key: 'MCASTAT', value: running || rt.status === 'BINDING' ? 'RUNNING' : 'NOTRUNNING' },
    { key: 'MCAUSER', value: 'mqm' },
    { key: 'MONCHL', value: 'OFF' },
    { key: 'MSGS', value: String(rt.msgs) },
    { key: 'NETTIME', value: '0,0' },
    { key: 'NPMSPEED', value: def.npmspeed },
    { key: 'RAPPLTAG', value: running ? 'runmqchl' : '' },
    { key: 'RPRODUCT', value: running ? 'MQMM' : '' },
    { key: 'RVERSION', value: running ? '09040000' : '' },
    { key: 'SECPROT', value: 'NONE' },
    { key: 'SHORTRTS', value: String(rt.shortRts) },
    { key: 'SSLCERTI', value: '' },
    { key: 'SSLCIPH', value: '' },
    { key: 'SSLKEYDA', value: '' },
    { key: 'SSLKEYTI', value: '' },
    { key: 'SSLPEER', value: '' },
    { key: 'SSLRKEYS', value: '0' },
    { key: 'STATCHL', value: 'OFF' },
    { key: 'STOPREQ', value: rt.status === 'STOPPING' ? 'YES' : 'NO' },
    { key: 'SUBSTATE', value: rt.substate },
    { key: 'XBATCHSZ', value: '0,0' },
  ];
  if (sdr) {
    attrs.push({ key: 'XQMSGSA', value: String(xq?.messages.length ?? 0) }, { key: 'XQTIME', value: '0,0' });
  }
  return attrs;
}

function jobName(end: ChannelEnd): string {
  let h = 0;
  for (const c of `${end.qmgr}/${end.def.name}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `${(h & 0xffff).toString(16).toUpperCase().padStart(8, '0')}${'1'.padStart(8, '0')}`;
}
