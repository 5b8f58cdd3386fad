/**
 * Typed MQ operations over any MqAdminPort, for the activities: each builds the exact MQSC an
 * operator would type (so plans and audit trails show real commands), checks names first, and
 * returns typed results or throws MqCommandError — never raw text to interpret.
 */
import {
  channelStates,
  type ChannelState,
  type MqAdminPort,
  type MqscObjectResponse,
  type MqscResult,
} from './port.ts';
import { MqCommandError, MqInvalidNameError } from './errors.ts';
import { assertMqName } from './mqsc-names.ts';
import { MQCC_FAILED } from './mqsc-text.ts';

export const MQRC_UNKNOWN_OBJECT_NAME = 2085;
export const MQRCCF_CHL_STATUS_NOT_FOUND = 3065;

export interface ChannelStatus {
  found: boolean;
  status: ChannelState;
  substate?: string;
  indoubt?: boolean;
  lastSeq?: number;
  currentSeq?: number;
  chltype?: string;
  xmitq?: string;
  conname?: string;
  msgs?: number;
  /** Attributes as the queue manager gave them, upper-case keys. */
  raw: Record<string, string>;
}

export interface ChannelDefinition {
  channel: string;
  chltype: string;
  conname?: string;
  xmitq?: string;
  descr?: string;
  raw: Record<string, string>;
}

export interface PingResult {
  ok: boolean;
  messageIds: string[];
  detail: string;
}

/** What an accepted action command answered, e.g. `AMQ8019I: Stop IBM MQ channel accepted.` */
export interface ActionResult {
  command: string;
  messageIds: string[];
  detail: string;
}

export type StopMode = 'QUIESCE' | 'FORCE' | 'TERMINATE';
export type ResolveAction = 'BACKOUT' | 'COMMIT';

export class MqOperations {
  constructor(private readonly admin: MqAdminPort) {}

  /** `DISPLAY CHSTATUS(X) ALL` (or `SAVED ALL`); no status at all reads as INACTIVE. */
  async displayChannelStatus(
    qmgr: string,
    channel: string,
    options: { saved?: boolean } = {},
  ): Promise<ChannelStatus> {
    const command = `DISPLAY CHSTATUS(${name('channel', channel)})${options.saved ? ' SAVED' : ''} ALL`;
    const result = await this.run(qmgr, command, { allow: isStatusNotFound });
    return statusOf(
      result,
      result.responses.filter((r) => r.attributes.CHANNEL !== undefined),
      options.saved,
    );
  }

  /**
   * The status of many channels of one queue manager in one command over their common prefix, read
   * per channel as `displayChannelStatus` reads one: `DISPLAY CHSTATUS(<generic>) SUBSTATE INDOUBT
   * LSTSEQNO CURSEQNO` (or `SAVED INDOUBT LSTSEQNO CURSEQNO`), the attributes beside the default
   * ones (type, state, connection, transmission queue) that a channel end is judged by — not ALL,
   * whose fifty-odd attributes an end cost the queue manager and the worker several times the
   * reading. A channel whose part of the answer cannot be read maps to undefined: ask it alone.
   */
  async displayChannelStatuses(
    qmgr: string,
    channels: readonly string[],
    options: { saved?: boolean } = {},
  ): Promise<Map<string, ChannelStatus | undefined>> {
    const wanted = options.saved ? 'SAVED INDOUBT LSTSEQNO CURSEQNO' : 'SUBSTATE INDOUBT LSTSEQNO CURSEQNO';
    const command = `DISPLAY CHSTATUS(${generic('channel', channels)}) ${wanted}`;
    const result = await this.run(qmgr, command, { allow: isStatusNotFound });
    const byChannel = groupBy(result.responses, 'CHANNEL');
    return new Map(
      channels.map((channel) => {
        try {
          return [channel, statusOf(result, byChannel.get(channel) ?? [], options.saved)];
        } catch (err) {
          if (err instanceof MqCommandError) return [channel, undefined];
          throw err;
        }
      }),
    );
  }

  /** `DISPLAY CHANNEL(X) ALL`; null when the channel is not defined. */
  async displayChannel(qmgr: string, channel: string): Promise<ChannelDefinition | null> {
    const command = `DISPLAY CHANNEL(${name('channel', channel)}) ALL`;
    const result = await this.run(qmgr, command, { allow: isUnknownObject });
    const a = result.responses.find((r) => r.attributes.CHANNEL !== undefined)?.attributes;
    if (!a) return null;
    return {
      channel: a.CHANNEL ?? channel,
      chltype: a.CHLTYPE ?? '',
      ...optional('conname', a.CONNAME),
      ...optional('xmitq', a.XMITQ),
      ...optional('descr', a.DESCR),
      raw: a,
    };
  }

  /** `DISPLAY QLOCAL(Q) CURDEPTH` — transmission and dead-letter queues are local queues too. */
  async queueDepth(qmgr: string, queue: string): Promise<number> {
    const command = `DISPLAY QLOCAL(${name('queue', queue)}) CURDEPTH`;
    const result = await this.run(qmgr, command);
    const depth = toInt(
      result.responses.find((r) => r.attributes.CURDEPTH !== undefined)?.attributes.CURDEPTH,
    );
    if (depth === undefined) throw unexpected(result, 'no CURDEPTH in the answer');
    return depth;
  }

  /**
   * The depth of many local queues of one queue manager in one command, `DISPLAY QLOCAL(<generic>)
   * CURDEPTH` over their common prefix; a queue the answer does not show maps to undefined: ask it
   * alone (for the same answer, or the same error, as `queueDepth`).
   */
  async queueDepths(qmgr: string, queues: readonly string[]): Promise<Map<string, number | undefined>> {
    const command = `DISPLAY QLOCAL(${generic('queue', queues)}) CURDEPTH`;
    const result = await this.run(qmgr, command, { allow: isUnknownObject });
    const byQueue = groupBy(result.responses, 'QUEUE');
    return new Map(queues.map((q) => [q, toInt(byQueue.get(q)?.[0]?.attributes.CURDEPTH)]));
  }

  /** `DISPLAY QMGR DEADQ`; null when the queue manager has no dead-letter queue. */
  async deadLetterQueue(qmgr: string): Promise<string | null> {
    const result = await this.run(qmgr, 'DISPLAY QMGR DEADQ');
    const attrs = result.responses.find((r) => r.attributes.DEADQ !== undefined)?.attributes;
    if (!attrs) throw unexpected(result, 'no DEADQ in the answer');
    return attrs.DEADQ ? attrs.DEADQ : null;
  }

  /** `PING CHANNEL(X)`; a failed ping is an answer (ok: false), not an exception. */
  async pingChannel(qmgr: string, channel: string): Promise<PingResult> {
    const command = `PING CHANNEL(${name('channel', channel)})`;
    const result = await this.run(qmgr, command, { allow: () => true });
    return {
      ok:
        result.overallCompletionCode < MQCC_FAILED &&
        result.responses.every((r) => r.completionCode < MQCC_FAILED),
      messageIds: result.responses.flatMap((r) => r.messageIds),
      detail: detailOf(result),
    };
  }

  async startChannel(qmgr: string, channel: string): Promise<ActionResult> {
    return this.action(qmgr, `START CHANNEL(${name('channel', channel)})`);
  }

  async stopChannel(
    qmgr: string,
    channel: string,
    options: { mode?: StopMode; status?: 'STOPPED' | 'INACTIVE' } = {},
  ): Promise<ActionResult> {
    const mode = oneOf('mode', options.mode ?? 'QUIESCE', ['QUIESCE', 'FORCE', 'TERMINATE'] as const);
    const status = options.status && oneOf('status', options.status, ['STOPPED', 'INACTIVE'] as const);
    return this.action(
      qmgr,
      `STOP CHANNEL(${name('channel', channel)}) MODE(${mode})${status ? ` STATUS(${status})` : ''}`,
    );
  }

  async resetChannel(qmgr: string, channel: string, seqnum: number): Promise<ActionResult> {
    if (!Number.isInteger(seqnum) || seqnum < 1 || seqnum > 999_999_999) {
      throw new MqInvalidNameError(
        'sequence number',
        String(seqnum),
        'must be an integer from 1 to 999999999',
      );
    }
    return this.action(qmgr, `RESET CHANNEL(${name('channel', channel)}) SEQNUM(${seqnum})`);
  }

  async resolveChannel(qmgr: string, channel: string, action: ResolveAction): Promise<ActionResult> {
    const a = oneOf('action', action, ['BACKOUT', 'COMMIT'] as const);
    return this.action(qmgr, `RESOLVE CHANNEL(${name('channel', channel)}) ACTION(${a})`);
  }

  private async action(qmgr: string, command: string): Promise<ActionResult> {
    const result = await this.run(qmgr, command);
    return { command, messageIds: result.responses.flatMap((r) => r.messageIds), detail: detailOf(result) };
  }

  /** Runs a command; failures not `allow`ed become MqCommandError. */
  private async run(
    qmgr: string,
    command: string,
    options: { allow?: (r: MqscObjectResponse, result: MqscResult) => boolean } = {},
  ): Promise<MqscResult> {
    assertMqName('qmgr', qmgr);
    const result = await this.admin.runMqsc(qmgr, command);
    const failures = result.responses.filter((r) => r.completionCode >= MQCC_FAILED);
    const refused = failures.filter((r) => !options.allow?.(r, result));
    const overallFailed = result.overallCompletionCode >= MQCC_FAILED && failures.length === 0;
    if (refused.length > 0 || (overallFailed && !options.allow?.(emptyFailure(result), result))) {
      const first = refused[0];
      throw new MqCommandError(
        qmgr,
        command,
        first?.completionCode ?? result.overallCompletionCode,
        first?.reasonCode ?? result.overallReasonCode,
        result.responses.flatMap((r) => r.messageIds),
        result.responses.flatMap((r) => r.text),
      );
    }
    return result;
  }
}

export function createMqOperations(admin: MqAdminPort): MqOperations {
  return new MqOperations(admin);
}

function name(kind: 'channel' | 'queue', value: string): string {
  return assertMqName(kind, value);
}

/**
 * The generic name (a prefix and a trailing `*`, as MQSC takes it) that covers `names`: their
 * longest common prefix, or the one name itself.
 */
export function generic(kind: 'channel' | 'queue', names: readonly string[]): string {
  const distinct = [...new Set(names)].map((n) => name(kind, n));
  const [first] = distinct;
  if (first === undefined) throw new MqInvalidNameError(kind, '', 'no names to cover');
  if (distinct.length === 1) return first;
  let prefix = first;
  for (const n of distinct) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return `${prefix}*`;
}

/** Response objects by the value of one attribute (CHANNEL, QUEUE), in the order given. */
function groupBy(responses: readonly MqscObjectResponse[], key: string): Map<string, MqscObjectResponse[]> {
  const groups = new Map<string, MqscObjectResponse[]>();
  for (const r of responses) {
    const value = r.attributes[key];
    if (value !== undefined) groups.set(value, [...(groups.get(value) ?? []), r]);
  }
  return groups;
}

/** One channel's status from its objects in a DISPLAY CHSTATUS answer: the current instance first. */
function statusOf(result: MqscResult, objects: MqscObjectResponse[], saved?: boolean): ChannelStatus {
  const [first] = objects;
  if (!first) return { found: false, status: 'INACTIVE', raw: {} };
  const chosen = (!saved && objects.find((r) => 'CURRENT' in r.attributes)) || first;
  const a = chosen.attributes;
  return {
    found: true,
    status: channelState(result, a.STATUS),
    ...optional('substate', a.SUBSTATE),
    ...(a.INDOUBT && { indoubt: a.INDOUBT === 'YES' }),
    ...optional('lastSeq', toInt(a.LSTSEQNO)),
    ...optional('currentSeq', toInt(a.CURSEQNO)),
    ...optional('chltype', a.CHLTYPE),
    ...optional('xmitq', a.XMITQ),
    ...optional('conname', a.CONNAME),
    ...optional('msgs', toInt(a.MSGS)),
    raw: a,
  };
}

function oneOf<T extends string>(kind: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new MqInvalidNameError(kind, value, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function isStatusNotFound(r: MqscObjectResponse): boolean {
  return r.reasonCode === MQRCCF_CHL_STATUS_NOT_FOUND || r.messageIds.some((id) => id.startsWith('AMQ8420'));
}

function isUnknownObject(r: MqscObjectResponse): boolean {
  return r.reasonCode === MQRC_UNKNOWN_OBJECT_NAME || r.messageIds.some((id) => id.startsWith('AMQ8147'));
}

function emptyFailure(result: MqscResult): MqscObjectResponse {
  return {
    completionCode: result.overallCompletionCode,
    reasonCode: result.overallReasonCode,
    text: [],
    attributes: {},
    messageIds: [],
  };
}

function channelState(result: MqscResult, value: string | undefined): ChannelState {
  const found = channelStates.find((s) => s === value);
  if (!found) throw unexpected(result, `unknown channel STATUS ${JSON.stringify(value)}`);
  return found;
}

function unexpected(result: MqscResult, why: string): MqCommandError {
  return new MqCommandError(
    result.qmgr,
    result.command,
    result.overallCompletionCode,
    result.overallReasonCode,
    result.responses.flatMap((r) => r.messageIds),
    [why, ...result.responses.flatMap((r) => r.text)],
  );
}

function detailOf(result: MqscResult): string {
  return result.responses
    .flatMap((r) => r.text)
    .map((t) => t.trim())
    .filter(Boolean)
    .join('\n');
}

function toInt(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, V>);
}
