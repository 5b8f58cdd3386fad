/**
 * The channel commands operators issue — START, STOP, PING, RESET and RESOLVE CHANNEL — applied
 * to the model with the checks and outcomes IBM MQ has (in use, not found, in doubt, host not
 * available). Each returns the completion code, reason code and the AMQ line runmqsc prints.
 */
import type { ChannelEnd, ChannelLink } from './types.ts';
import { MQCC_FAILED, MQCC_OK, amq, reason } from './messages.ts';
import { endSession, hostLabel } from './channel-engine.ts';

export interface CommandOutcome {
  completionCode: number;
  reasonCode: number;
  text: string[];
}

export interface ChannelAccess {
  findEnd(qmgr: string, channel: string): { end: ChannelEnd; link: ChannelLink } | undefined;
  reachable(link: ChannelLink): boolean;
  xmitqOf(end: ChannelEnd): { messages: unknown[] } | undefined;
  restoreToXmitq(end: ChannelEnd): void;
}

const ok = (line: string): CommandOutcome => ({
  completionCode: MQCC_OK,
  reasonCode: reason.none,
  text: [line],
});
const fail = (rc: number, line: string): CommandOutcome => ({
  completionCode: MQCC_FAILED,
  reasonCode: rc,
  text: [line],
});

const activeStates = new Set(['RUNNING', 'BINDING', 'STARTING', 'STOPPING']);

export function startChannel(access: ChannelAccess, qmgr: string, channel: string): CommandOutcome {
  const found = access.findEnd(qmgr, channel);
  if (!found) return fail(reason.channelNotFound, amq.channelNotFound(channel));
  const { end } = found;
  if (end.def.chltype === 'RCVR') {
    if (end.rt.status === 'STOPPED') end.rt.status = 'INACTIVE';
    return ok(amq.startAccepted);
  }
  if (activeStates.has(end.rt.status)) return fail(reason.channelInUse, amq.channelInUse(channel));
  if (end.rt.status === 'RETRYING') {
    end.rt.retryCountdown = 0;
    return ok(amq.startAccepted);
  }
  end.rt.status = 'STARTING';
  end.rt.substate = '';
  return ok(amq.startAccepted);
}

export interface StopOptions {
  mode?: 'QUIESCE' | 'FORCE' | 'TERMINATE';
  status?: 'STOPPED' | 'INACTIVE';
  /** Skip the STOPPING step (fault injection). */
  immediate?: boolean;
}

export function stopChannel(
  access: ChannelAccess,
  qmgr: string,
  channel: string,
  opts: StopOptions = {},
): CommandOutcome {
  const found = access.findEnd(qmgr, channel);
  if (!found) return fail(reason.channelNotFound, amq.channelNotFound(channel));
  const { end, link } = found;
  const target = opts.status ?? 'STOPPED';
  if (end.def.chltype === 'RCVR') {
    if (end.rt.status === 'INACTIVE' && target === 'INACTIVE') {
      return fail(reason.channelNotActive, amq.channelNotActive(channel));
    }
    end.rt.status = target;
    end.rt.substate = '';
    end.rt.remoteQmgr = '';
    return ok(amq.stopAccepted);
  }
  const rt = end.rt;
  if (rt.status === 'INACTIVE' || rt.status === 'STOPPED') {
    if (target === 'INACTIVE') {
      if (rt.status === 'INACTIVE') return fail(reason.channelNotActive, amq.channelNotActive(channel));
      rt.status = 'INACTIVE';
      return ok(amq.stopAccepted);
    }
    rt.status = 'STOPPED';
    rt.substate = '';
    return ok(amq.stopAccepted);
  }
  if (opts.immediate || opts.mode === 'FORCE' || opts.mode === 'TERMINATE' || rt.status !== 'RUNNING') {
    endSession(link, target);
    return ok(amq.stopAccepted);
  }
  rt.status = 'STOPPING';
  rt.substate = '';
  rt.stopTarget = target;
  return ok(amq.stopAccepted);
}

export function pingChannel(access: ChannelAccess, qmgr: string, channel: string): CommandOutcome {
  const found = access.findEnd(qmgr, channel);
  if (!found) return fail(reason.channelNotFound, amq.channelNotFound(channel));
  const { end, link } = found;
  if (end.def.chltype !== 'SDR') return fail(reason.wrongChannelType, amq.notSuitable);
  if (activeStates.has(end.rt.status)) return fail(reason.channelInUse, amq.channelInUse(channel));
  if (!access.reachable(link)) return fail(reason.hostNotAvailable, amq.hostNotAvailable(hostLabel(link)));
  if (link.missing === 'receiver') return fail(reason.commandFailed, amq.channelNotDefinedRemotely(channel));
  if (link.receiver.rt.status === 'STOPPED') {
    return fail(reason.remoteQmgrUnavailable, amq.remoteChannelNotAvailable(channel, hostLabel(link)));
  }
  return ok(amq.pingComplete);
}

export function resetChannel(
  access: ChannelAccess,
  qmgr: string,
  channel: string,
  seqnum = 1,
): CommandOutcome {
  const found = access.findEnd(qmgr, channel);
  if (!found) return fail(reason.channelNotFound, amq.channelNotFound(channel));
  const { end } = found;
  const rt = end.rt;
  if (activeStates.has(rt.status) || rt.status === 'RETRYING')
    return fail(reason.channelInUse, amq.channelInUse(channel));
  if (rt.indoubt) return fail(reason.channelIndoubt, amq.channelIndoubt(channel));
  rt.lastSeq = seqnum;
  rt.curSeq = seqnum;
  rt.hasSaved = true;
  // A sender passes the new number to its partner at the next start; a receiver resets only itself.
  if (end.def.chltype === 'SDR') rt.pendingReset = seqnum;
  return ok(amq.channelReset);
}

export function resolveChannel(
  access: ChannelAccess,
  qmgr: string,
  channel: string,
  action: 'COMMIT' | 'BACKOUT',
): CommandOutcome {
  const found = access.findEnd(qmgr, channel);
  if (!found) return fail(reason.channelNotFound, amq.channelNotFound(channel));
  const { end } = found;
  if (end.def.chltype !== 'SDR') return fail(reason.wrongChannelType, amq.notSuitable);
  const rt = end.rt;
  if (activeStates.has(rt.status) || rt.status === 'RETRYING')
    return fail(reason.channelInUse, amq.channelInUse(channel));
  if (rt.indoubt) {
    if (action === 'BACKOUT') {
      access.restoreToXmitq(end);
      rt.curSeq = rt.lastSeq;
    } else {
      rt.lastSeq = rt.curSeq;
      rt.lstLuwid = rt.curLuwid;
      rt.inDoubtMsgs = [];
    }
    rt.indoubt = false;
  }
  return ok(amq.resolveAccepted);
}
