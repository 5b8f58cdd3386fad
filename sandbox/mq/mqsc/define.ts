/**
 * DEFINE QLOCAL, DEFINE QREMOTE and DEFINE CHANNEL (SDR, RCVR; TCP) with the attributes the
 * sandbox models, answered as a queue manager answers: AMQ8006I (queue created) or AMQ8014I
 * (channel created) — also for REPLACE of an existing object —, AMQ8150E when it exists and
 * REPLACE was not given, AMQ8151E when REPLACE meets an object of another type. A keyword the
 * model does not hold (DEFPSIST, LIKE, SSLCIPH…), a required one left out (CHLTYPE; CONNAME and
 * XMITQ of a sender) or a bad value is refused as a syntax error (AMQ8405E), so a command the
 * sandbox cannot honour never looks accepted.
 */
import type { MqEstate } from '../estate.ts';
import type { ChannelAttrs, DefineResult, QueueAttrs } from '../objects.ts';
import { amq, reason } from '../messages.ts';
import type { MqscItem } from './result.ts';
import { failure } from './result.ts';
import { type ParsedCommand, MqscSyntaxError, segmentUpTo } from './parse.ts';

type Rule =
  | { kind: 'text'; max: number }
  | { kind: 'name'; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'flag' };

const text = (max: number): Rule => ({ kind: 'text', max });
const name = (max: number): Rule => ({ kind: 'name', max });
const oneOf = (...values: string[]): Rule => ({ kind: 'enum', values });
const int = (min: number, max: number): Rule => ({ kind: 'int', min, max });
const flag: Rule = { kind: 'flag' };

const common = { DESCR: text(64), REPLACE: flag, NOREPLACE: flag };
const enabled = oneOf('ENABLED', 'DISABLED');

const localRules: Record<string, Rule> = {
  ...common,
  USAGE: oneOf('NORMAL', 'XMITQ'),
  MAXDEPTH: int(0, 999_999_999),
  MAXMSGL: int(0, 104_857_600),
  GET: enabled,
  PUT: enabled,
  TRIGGER: flag,
  NOTRIGGER: flag,
  TRIGTYPE: oneOf('FIRST', 'EVERY', 'DEPTH', 'NONE'),
  TRIGDATA: text(64),
  INITQ: name(48),
};

const remoteRules: Record<string, Rule> = {
  ...common,
  RNAME: name(48),
  RQMNAME: name(48),
  XMITQ: name(48),
  PUT: enabled,
};

const channelCommon: Record<string, Rule> = {
  ...common,
  CHLTYPE: oneOf('SDR', 'RCVR'),
  TRPTYPE: oneOf('TCP'),
  BATCHSZ: int(1, 9999),
  HBINT: int(0, 999_999),
  MAXMSGL: int(0, 104_857_600),
  NPMSPEED: oneOf('FAST', 'NORMAL'),
  SEQWRAP: int(100, 999_999_999),
};

const senderRules: Record<string, Rule> = {
  ...channelCommon,
  CONNAME: text(264),
  XMITQ: name(48),
  DISCINT: int(0, 999_999),
  SHORTRTY: int(0, 999_999_999),
  SHORTTMR: int(0, 999_999_999),
  LONGRTY: int(0, 999_999_999),
  LONGTMR: int(0, 999_999_999),
};

const objectName = /^[A-Za-z0-9._/%]+$/;

export function define(estate: MqEstate, qmgr: string, cmd: ParsedCommand): MqscItem[] {
  const objName = cmd.name ?? '';
  const maxName = cmd.object === 'CHANNEL' ? 20 : 48;
  if (!objectName.test(objName) || objName.length > maxName) throw new MqscSyntaxError(cmd.text);
  const chltype = cmd.keywords.find((k) => k.key === 'CHLTYPE')?.value;
  const rules =
    cmd.object === 'QLOCAL'
      ? localRules
      : cmd.object === 'QREMOTE'
        ? remoteRules
        : chltype === 'SDR'
          ? senderRules
          : channelCommon;
  const kw = readKeywords(cmd, rules);
  if (kw.has('REPLACE') && kw.has('NOREPLACE')) throw new MqscSyntaxError(segmentUpTo(cmd, 'NOREPLACE'));
  if (kw.has('TRIGGER') && kw.has('NOTRIGGER')) throw new MqscSyntaxError(segmentUpTo(cmd, 'NOTRIGGER'));
  const replace = kw.has('REPLACE');
  const str = (key: string) => kw.get(key) as string | undefined;
  const num = (key: string) => (kw.has(key) ? Number(kw.get(key)) : undefined);

  let result: DefineResult;
  if (cmd.object === 'CHANNEL') {
    if (!chltype) throw new MqscSyntaxError(cmd.text);
    if (chltype === 'SDR' && (!kw.has('CONNAME') || !kw.has('XMITQ'))) throw new MqscSyntaxError(cmd.text);
    const attrs: ChannelAttrs = defined({
      descr: str('DESCR'),
      conname: str('CONNAME'),
      xmitq: str('XMITQ'),
      batchsz: num('BATCHSZ'),
      hbint: num('HBINT'),
      discint: num('DISCINT'),
      shortrty: num('SHORTRTY'),
      shorttmr: num('SHORTTMR'),
      longrty: num('LONGRTY'),
      longtmr: num('LONGTMR'),
      maxmsgl: num('MAXMSGL'),
      npmspeed: str('NPMSPEED') as ChannelAttrs['npmspeed'],
      seqwrap: num('SEQWRAP'),
    });
    result = estate.defineChannel(
      qmgr,
      { name: objName, chltype: chltype as 'SDR' | 'RCVR', attrs },
      replace,
    );
  } else {
    const attrs: QueueAttrs = defined({
      descr: str('DESCR'),
      usage: str('USAGE') as QueueAttrs['usage'],
      maxdepth: num('MAXDEPTH'),
      maxmsgl: num('MAXMSGL'),
      get: str('GET') as QueueAttrs['get'],
      put: str('PUT') as QueueAttrs['put'],
      trigger: kw.has('TRIGGER') ? true : kw.has('NOTRIGGER') ? false : undefined,
      trigtype: str('TRIGTYPE') as QueueAttrs['trigtype'],
      trigdata: str('TRIGDATA'),
      initq: str('INITQ'),
      rname: str('RNAME'),
      rqmname: str('RQMNAME'),
      xmitq: str('XMITQ'),
    });
    result = estate.defineQueue(
      qmgr,
      { name: objName, type: cmd.object as 'QLOCAL' | 'QREMOTE', attrs },
      replace,
    );
  }
  if (!result.ok) {
    return [
      result.why === 'exists'
        ? failure(reason.objectAlreadyExists, amq.objectExists)
        : failure(reason.objectWrongType, amq.objectWrongType),
    ];
  }
  const line = cmd.object === 'CHANNEL' ? amq.channelCreated : amq.queueCreated;
  return [{ completionCode: 0, reasonCode: reason.none, text: [line] }];
}

/** Each keyword once, known to the object type, with a value of the right form (or none, for flags). */
function readKeywords(cmd: ParsedCommand, rules: Record<string, Rule>): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const k of cmd.keywords) {
    const rule = rules[k.key];
    const bad = () => new MqscSyntaxError(segmentUpTo(cmd, k.key));
    if (!rule || out.has(k.key)) throw bad();
    if (rule.kind === 'flag') {
      if (k.value !== undefined) throw bad();
      out.set(k.key, true);
      continue;
    }
    const v = k.value;
    if (v === undefined) throw bad();
    const ok =
      rule.kind === 'text'
        ? v.length <= rule.max
        : rule.kind === 'name'
          ? v === '' || (objectName.test(v) && v.length <= rule.max)
          : rule.kind === 'enum'
            ? rule.values.includes(v)
            : /^\d+$/.test(v) && Number(v) >= rule.min && Number(v) <= rule.max;
    if (!ok) throw bad();
    out.set(k.key, v);
  }
  return out;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
