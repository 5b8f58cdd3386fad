/**
 * MQ activities (comm zone): read channel ends, queue depths and front-end reachability
 * through MQSC, whichever adapter the site uses (mqweb REST or runmqsc).
 */
import { ApplicationFailure } from '@temporalio/common';
import { MqCommandError } from '../connectors/mq/errors.ts';
import { createMqOperations, type ChannelStatus, type PingResult } from '../connectors/mq/mq-operations.ts';
import { MqAuthError, MqUnreachableError, type MqAdminPort } from '../connectors/mq/port.ts';
import type { ChannelActionResult } from '../domain/channel-action.ts';
import { ErrorKind } from '../domain/errors.ts';
import type {
  ChannelEnd,
  ChannelsCheck,
  FrontEndCheck,
  QueuesCheck,
} from '../domain/runbooks/daily-inspection.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { mqscAction, requiresProof } from './proof-actions.ts';
import { requireBank } from './site-lookup.ts';

/** MQRC_NOT_AUTHORIZED. */
const mqrcNotAuthorized = 2035;

/** The MQSC text of a channel start and a quiescing stop, as plans show them. */
export const startCommand = (channel: string) => `START CHANNEL(${channel})`;
export const stopCommand = (channel: string) => `STOP CHANNEL(${channel}) MODE(QUIESCE)`;

export function createMqActivities({ mq, site }: { mq: MqAdminPort; site: SiteConfig }) {
  const ops = createMqOperations(mq);
  const finance = site.mq.financeQmgr;

  const channelEnd = async (qmgr: string, channel: string, chltype: string): Promise<ChannelEnd> => {
    const current = await ops.displayChannelStatus(qmgr, channel);
    // A channel with no current status keeps its sequence numbers in the saved status.
    const seq = current.found ? current : await ops.displayChannelStatus(qmgr, channel, { saved: true });
    return toEnd(qmgr, channel, chltype, current, seq);
  };

  const startChannel = (qmgr: string, channel: string) =>
    mqCall(() => tolerate(() => ops.startChannel(qmgr, channel), 'AMQ9514', startCommand(channel)));
  const stopChannel = (qmgr: string, channel: string) =>
    mqCall(() =>
      tolerate(() => ops.stopChannel(qmgr, channel, { mode: 'QUIESCE' }), 'AMQ9533', stopCommand(channel)),
    );

  return {
    async inspectChannels({ bank }: { bank: string }): Promise<ChannelsCheck> {
      const b = requireBank(site, bank);
      return mqCall(async () => {
        const [sender, receiver] = await Promise.all([
          channelEnd(finance, b.senderChannel, 'SDR'),
          channelEnd(finance, b.receiverChannel, 'RCVR'),
        ]);
        const result: ChannelsCheck = { sender, receiver };
        if (b.bankQmgrAccess) {
          // The bank's ends are a bonus: when its queue manager cannot be reached (as with a
          // network fault) the inspection still reports the finance side.
          try {
            const [bankReceiver, bankSender] = await Promise.all([
              channelEnd(b.qmgr, b.senderChannel, 'RCVR'),
              channelEnd(b.qmgr, b.receiverChannel, 'SDR'),
            ]);
            Object.assign(result, { bankReceiver, bankSender });
          } catch (err) {
            if (!(err instanceof MqUnreachableError)) throw err;
          }
        }
        return result;
      });
    },

    async inspectQueues({ bank }: { bank: string }): Promise<QueuesCheck> {
      const b = requireBank(site, bank);
      return mqCall(async () => {
        const xmitq = { qmgr: finance, queue: b.xmitq, depth: await ops.queueDepth(finance, b.xmitq) };
        if (!b.bankQmgrAccess) return { xmitq, deadLetter: null };
        const dlq = b.deadLetterQueue ?? (await ops.deadLetterQueue(b.qmgr));
        return {
          xmitq,
          deadLetter: dlq ? { qmgr: b.qmgr, queue: dlq, depth: await ops.queueDepth(b.qmgr, dlq) } : null,
        };
      });
    },

    /**
     * START CHANNEL on the finance side's sender. Safe to repeat: a channel already running
     * (AMQ9514E, in use) counts as started — a retry after a lost reply must not fail the run.
     */
    startSenderChannel: requiresProof(
      ({ bank }: { bank: string }) => [
        mqscAction(finance, startCommand(requireBank(site, bank).senderChannel)),
      ],
      async ({ bank }) => startChannel(finance, requireBank(site, bank).senderChannel),
    ),

    /** STOP CHANNEL … MODE(QUIESCE); a channel already stopped (AMQ9533E) counts as stopped. */
    stopSenderChannel: requiresProof(
      ({ bank }: { bank: string }) => [
        mqscAction(finance, stopCommand(requireBank(site, bank).senderChannel)),
      ],
      async ({ bank }) => stopChannel(finance, requireBank(site, bank).senderChannel),
    ),

    /** The same two on the bank's sender (bank → finance), on the bank's queue manager. */
    startBankSenderChannel: requiresProof(
      ({ bank }: { bank: string }) => {
        const b = requireBankAccess(site, bank);
        return [mqscAction(b.qmgr, startCommand(b.receiverChannel))];
      },
      async ({ bank }) => {
        const b = requireBankAccess(site, bank);
        return startChannel(b.qmgr, b.receiverChannel);
      },
    ),

    stopBankSenderChannel: requiresProof(
      ({ bank }: { bank: string }) => {
        const b = requireBankAccess(site, bank);
        return [mqscAction(b.qmgr, stopCommand(b.receiverChannel))];
      },
      async ({ bank }) => {
        const b = requireBankAccess(site, bank);
        return stopChannel(b.qmgr, b.receiverChannel);
      },
    ),

    async pingChannel({ bank }: { bank: string }): Promise<FrontEndCheck> {
      const b = requireBank(site, bank);
      return mqCall(async () => pingCheck(b.senderChannel, await ops.pingChannel(finance, b.senderChannel)));
    },
  };
}

/** The bank, when the site may administer its queue manager; refused (not retried) otherwise. */
function requireBankAccess(site: SiteConfig, bank: string) {
  const b = requireBank(site, bank);
  if (!b.bankQmgrAccess) {
    throw ApplicationFailure.create({
      type: ErrorKind.InvalidInput,
      nonRetryable: true,
      message: `${bank}: the site does not administer the bank's queue manager ${b.qmgr} (bankQmgrAccess: false)`,
    });
  }
  return b;
}

export async function tolerate(
  action: () => Promise<{ command: string; messageIds: string[]; detail: string }>,
  alreadyDoneId: string,
  command: string,
): Promise<ChannelActionResult> {
  try {
    return { ...(await action()), alreadyDone: false };
  } catch (err) {
    if (err instanceof MqCommandError && err.messageIds.some((id) => id.startsWith(alreadyDoneId))) {
      return { command, messageIds: err.messageIds, detail: err.message, alreadyDone: true };
    }
    throw err;
  }
}

/** A PING CHANNEL's answer as the inspection's front-end check. */
export function pingCheck(channel: string, ping: PingResult): FrontEndCheck {
  return { method: 'ping', reachable: ping.ok, detail: `PING CHANNEL(${channel})：${ping.detail}` };
}

/** A channel end as the inspection reports it: its state now, its sequence numbers from `seq`. */
export function toEnd(
  qmgr: string,
  channel: string,
  chltype: string,
  current: ChannelStatus,
  seq: ChannelStatus,
): ChannelEnd {
  return {
    qmgr,
    channel,
    chltype: current.chltype ?? chltype,
    status: current.status,
    ...(current.substate !== undefined && { substate: current.substate }),
    ...(seq.indoubt !== undefined && { indoubt: seq.indoubt }),
    ...(seq.lastSeq !== undefined && { lastSeq: seq.lastSeq }),
    ...(seq.currentSeq !== undefined && { currentSeq: seq.currentSeq }),
  };
}

/** Maps connector errors to typed activity failures: bad credentials are not worth retrying. */
export async function mqCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // A command the queue manager refuses for want of authority (AMQ8135E) fails the same way
    // every time until an administrator grants it: no retry, the run pauses for an operator.
    if (
      err instanceof MqAuthError ||
      (err instanceof MqCommandError && err.reasonCode === mqrcNotAuthorized)
    ) {
      throw ApplicationFailure.create({
        type: ErrorKind.MqAuthFailed,
        nonRetryable: true,
        message: err.message,
        cause: err,
      });
    }
    if (err instanceof MqUnreachableError) {
      throw ApplicationFailure.create({
        type: ErrorKind.ChannelUnreachable,
        message: err.message,
        cause: err,
      });
    }
    throw err;
  }
}
