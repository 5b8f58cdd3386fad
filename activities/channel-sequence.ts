/**
 * Channel sequence activities (comm zone), for sequence resync: both ends' message sequence
 * numbers and in-doubt state as DISPLAY CHSTATUS … SAVED shows them, and the two commands that
 * change them — RESET CHANNEL … SEQNUM on the sending end and RESOLVE CHANNEL … ACTION(BACKOUT).
 * There is deliberately no COMMIT: committing an in-doubt batch is a person's call with the bank.
 */
import { MqCommandError } from '../connectors/mq/errors.ts';
import { createMqOperations } from '../connectors/mq/mq-operations.ts';
import { MqUnreachableError, type MqAdminPort } from '../connectors/mq/port.ts';
import type { ChannelActionResult } from '../domain/channel-action.ts';
import { channelCommand } from '../domain/runbooks/sequence-resync.plan.ts';
import type {
  ReceiverReading,
  SequenceEnd,
  SequenceState,
} from '../domain/runbooks/sequence-resync.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { mqCall } from './mq.ts';
import { mqscAction, requiresProof } from './proof-actions.ts';
import { requireBank } from './site-lookup.ts';

const defaultSeqwrap = 999_999_999;

export function createChannelSequenceActivities({ mq, site }: { mq: MqAdminPort; site: SiteConfig }) {
  const ops = createMqOperations(mq);
  const finance = site.mq.financeQmgr;

  /** The current status for the state, the saved status for the numbers (what was committed). */
  const readEnd = async (qmgr: string, channel: string): Promise<SequenceEnd> => {
    const current = await ops.displayChannelStatus(qmgr, channel);
    const saved = await ops.displayChannelStatus(qmgr, channel, { saved: true });
    const numbers = saved.found ? saved : current;
    return {
      qmgr,
      channel,
      status: current.status,
      lastSeq: numbers.lastSeq ?? 0,
      ...(!saved.found && { noSavedStatus: true }),
      ...(numbers.currentSeq !== undefined && { currentSeq: numbers.currentSeq }),
      ...(numbers.indoubt !== undefined && { indoubt: numbers.indoubt }),
      ...(numbers.raw.LSTLUWID && { lastLuwid: numbers.raw.LSTLUWID }),
      ...(numbers.raw.CURLUWID && { currentLuwid: numbers.raw.CURLUWID }),
    };
  };

  return {
    /** Both ends of CZ.TO.<bank>, the transmission queue's depth, and whether the channel exists. */
    async readSequenceState({ bank }: { bank: string }): Promise<SequenceState> {
      const b = requireBank(site, bank);
      return mqCall(async () => {
        const base = {
          bank: b.code,
          qmgr: finance,
          bankQmgr: b.qmgr,
          channel: b.senderChannel,
          xmitq: b.xmitq,
        };
        const definition = await ops.displayChannel(finance, b.senderChannel);
        if (!definition) {
          return {
            ...base,
            defined: false,
            seqwrap: defaultSeqwrap,
            xmitqDepth: 0,
            sender: { qmgr: finance, channel: b.senderChannel, status: 'INACTIVE' },
            receiver: { readable: false, why: 'no-status', detail: 'the sender is not defined' },
          };
        }
        const seqwrap = Number(definition.raw.SEQWRAP) || defaultSeqwrap;
        const [sender, xmitqDepth] = await Promise.all([
          readEnd(finance, b.senderChannel),
          ops.queueDepth(finance, b.xmitq),
        ]);
        return { ...base, defined: true, seqwrap, xmitqDepth, sender, receiver: await readReceiver(b) };
      });
    },

    /** RESET CHANNEL(CZ.TO.<bank>) SEQNUM(n) on the finance side; repeating it sets the same value. */
    resetSenderSequence: requiresProof(
      ({ bank, seqnum }: { bank: string; seqnum: number }) => [
        mqscAction(finance, channelCommand('reset', requireBank(site, bank).senderChannel, seqnum)),
      ],
      async ({ bank, seqnum }): Promise<ChannelActionResult> => {
        const b = requireBank(site, bank);
        return mqCall(async () => ({
          ...(await ops.resetChannel(finance, b.senderChannel, seqnum)),
          alreadyDone: false,
        }));
      },
    ),

    /** RESOLVE CHANNEL(CZ.TO.<bank>) ACTION(BACKOUT): the in-doubt batch returns to the transmission queue. */
    backOutInDoubt: requiresProof(
      ({ bank }: { bank: string }) => [
        mqscAction(finance, channelCommand('resolve', requireBank(site, bank).senderChannel)),
      ],
      async ({ bank }): Promise<ChannelActionResult> => {
        const b = requireBank(site, bank);
        return mqCall(async () => ({
          ...(await ops.resolveChannel(finance, b.senderChannel, 'BACKOUT')),
          alreadyDone: false,
        }));
      },
    ),
  };

  async function readReceiver(b: ReturnType<typeof requireBank>): Promise<ReceiverReading> {
    if (!b.bankQmgrAccess) {
      return {
        readable: false,
        why: 'no-access',
        detail: `the site may not read ${b.qmgr} (bankQmgrAccess: false)`,
      };
    }
    try {
      // Without a definition there is no receiving end to speak of (a saved status alone proves nothing).
      if (!(await ops.displayChannel(b.qmgr, b.senderChannel)))
        return {
          readable: false,
          why: 'no-status',
          detail: `${b.senderChannel} is not defined on ${b.qmgr}`,
        };
      return { readable: true, end: await readEnd(b.qmgr, b.senderChannel) };
    } catch (err) {
      // The bank's queue manager down or refusing us is evidence to show, not a reason to fail.
      if (err instanceof MqUnreachableError || err instanceof MqCommandError)
        return { readable: false, why: 'unreachable', detail: err.message };
      throw err;
    }
  }
}
