/**
 * Runs one MQSC command against a queue manager of the sandbox estate and returns the response a
 * real queue manager gives: per-object items with codes and runmqsc's text, or AMQ8405E for a
 * command it cannot parse.
 */
import type { MqEstate } from '../estate.ts';
import { MqObjectNotFoundError } from '../estate.ts';
import type { MqscItem, MqscOutcome } from './result.ts';
import { failure, outcome, syntaxErrorItem } from './result.ts';
import { amq, reason } from '../messages.ts';
import { type ParsedCommand, MqscSyntaxError, isGeneric, parseMqsc, segmentUpTo } from './parse.ts';
import { displayChstatus } from './display-chstatus.ts';
import { displayChannel, displayQmgr, displayQueue } from './display-objects.ts';
import { define } from './define.ts';
import {
  type CommandOutcome,
  pingChannel,
  resetChannel,
  resolveChannel,
  startChannel,
  stopChannel,
} from '../channel-commands.ts';

export function runMqsc(estate: MqEstate, qmgr: string, text: string): MqscOutcome {
  const qm = estate.queueManager(qmgr);
  if (!qm) throw new MqObjectNotFoundError(qmgr);
  estate.recordMqsc(qmgr, text);
  let cmd: ParsedCommand;
  try {
    cmd = parseMqsc(text);
    return outcome(cmd.text, execute(estate, qmgr, cmd));
  } catch (err) {
    if (err instanceof MqscSyntaxError) return outcome(text.trim(), [syntaxErrorItem(err.segment)]);
    throw err;
  }
}

function execute(estate: MqEstate, qmgr: string, cmd: ParsedCommand): MqscItem[] {
  const qm = estate.queueManager(qmgr);
  if (!qm) throw new MqObjectNotFoundError(qmgr);
  if (cmd.verb === 'DISPLAY') {
    switch (cmd.object) {
      case 'CHSTATUS':
        return displayChstatus(estate, qmgr, cmd);
      case 'CHANNEL':
        return displayChannel(estate, qm, cmd);
      case 'QMGR':
        return displayQmgr(estate, qm, cmd);
      default:
        return displayQueue(estate, qm, cmd);
    }
  }
  if (cmd.verb === 'DEFINE') return define(estate, qmgr, cmd);
  const channel = cmd.name ?? '';
  if (isGeneric(channel)) throw new MqscSyntaxError(cmd.text);
  if (estate.isCommandRefused(qmgr, channel, cmd.verb))
    return [failure(reason.notAuthorized, amq.notAuthorized)];
  const kw = keywordValues(cmd);
  const access = estate.channels;
  switch (cmd.verb) {
    case 'START':
      kw.only([]);
      return [item(startChannel(access, qmgr, channel))];
    case 'STOP': {
      kw.only(['MODE', 'STATUS', 'QMNAME', 'CONNAME']);
      const mode = kw.oneOf('MODE', ['QUIESCE', 'FORCE', 'TERMINATE']);
      const status = kw.oneOf('STATUS', ['STOPPED', 'INACTIVE']);
      return [
        item(
          stopChannel(access, qmgr, channel, { ...(mode ? { mode } : {}), ...(status ? { status } : {}) }),
        ),
      ];
    }
    case 'PING':
      kw.only(['DATALEN']);
      kw.integer('DATALEN', 16, 32768);
      return [item(pingChannel(access, qmgr, channel))];
    case 'RESET': {
      kw.only(['SEQNUM']);
      const seq = kw.integer('SEQNUM', 1, 999999999);
      return [item(resetChannel(access, qmgr, channel, seq ?? 1))];
    }
    case 'RESOLVE': {
      kw.only(['ACTION']);
      const action = kw.oneOf('ACTION', ['COMMIT', 'BACKOUT']);
      if (!action) throw new MqscSyntaxError(cmd.text);
      return [item(resolveChannel(access, qmgr, channel, action))];
    }
  }
  throw new MqscSyntaxError(cmd.text);
}

function item(o: CommandOutcome): MqscItem {
  return { completionCode: o.completionCode, reasonCode: o.reasonCode, text: o.text };
}

function keywordValues(cmd: ParsedCommand) {
  const fail = (key: string): never => {
    throw new MqscSyntaxError(segmentUpTo(cmd, key));
  };
  return {
    only(allowed: string[]) {
      for (const k of cmd.keywords) if (!allowed.includes(k.key) || k.value === undefined) fail(k.key);
    },
    oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
      const k = cmd.keywords.find((x) => x.key === key);
      if (!k) return undefined;
      const v = values.find((x) => x === k.value);
      return v ?? fail(key);
    },
    integer(key: string, min: number, max: number): number | undefined {
      const k = cmd.keywords.find((x) => x.key === key);
      if (!k) return undefined;
      const v = Number(k.value);
      if (!/^\d+$/.test(k.value ?? '') || v < min || v > max) fail(key);
      return v;
    },
  };
}
