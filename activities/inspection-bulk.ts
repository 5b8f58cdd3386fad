/**
 * The daily inspection's comm-zone looks for many banks at once: one DISPLAY CHSTATUS (and one
 * DISPLAY QLOCAL) over a generic name per queue manager instead of one per channel and queue, the
 * bank queue managers, pings, programs and front ends a few at a time inside one activity instead
 * of an activity each. Each bank's answer is what the single-bank activity (mq.ts, host.ts) gives
 * for it; a bank whose part could not be read maps to null, and the inspection asks it alone, so
 * it is retried and reported exactly as before.
 */
import { MqCommandError } from '../connectors/mq/errors.ts';
import { createMqOperations, type MqOperations } from '../connectors/mq/mq-operations.ts';
import { MqUnreachableError, type MqAdminPort } from '../connectors/mq/port.ts';
import type { HostPort } from '../connectors/host/port.ts';
import { mapWithConcurrency } from '../domain/concurrency.ts';
import type {
  ChannelEnd,
  ChannelsCheck,
  FrontEndCheck,
  ProgramsCheck,
  QueuesCheck,
} from '../domain/runbooks/daily-inspection.types.ts';
import type { BankConfig, SiteConfig } from '../temporal.config.ts';
import { probeFrontEnd } from './host.ts';
import { mqCall, pingCheck, toEnd } from './mq.ts';
import { liveBanks } from './site-lookup.ts';

/** Per bank code: its check, or null to ask that bank alone. */
export type BulkAnswer<T> = Record<string, T | null>;

export function createBulkInspectionActivities({
  mq,
  host,
  site,
}: {
  mq: MqAdminPort;
  host: HostPort;
  site: SiteConfig;
}) {
  const ops = createMqOperations(mq);
  const finance = site.mq.financeQmgr;
  const limit = site.inspection.concurrency;
  /** The banks among `codes` the site knows; an unknown one is left to its single-bank activity to refuse. */
  const known = (codes: string[]) => {
    const byCode = new Map(liveBanks(site).map((b) => [b.code, b]));
    return codes.flatMap((c) => byCode.get(c) ?? []);
  };
  /**
   * `look` for each bank, a few at a time: what it found, by bank code. A bank whose look failed is
   * absent; its single-bank activity asks again, with retries, and reports the failure as before.
   */
  const eachBank = async <T>(banks: BankConfig[], look: (b: BankConfig) => Promise<T>) => {
    const found = new Map<string, T>();
    await mapWithConcurrency(banks, limit, (b) =>
      look(b).then(
        (answer) => found.set(b.code, answer),
        () => undefined,
      ),
    );
    return found;
  };
  /** Each bank's answer in `found`, null for the others. */
  const answers = <T>(banks: BankConfig[], found: Map<string, T>): BulkAnswer<T> =>
    Object.fromEntries(banks.map((b) => [b.code, found.has(b.code) ? (found.get(b.code) as T) : null]));

  return {
    /** inspectChannels for many banks: one DISPLAY CHSTATUS per queue manager (and one SAVED for the ends with no current status). */
    async inspectChannelsInBulk({ banks }: { banks: string[] }): Promise<BulkAnswer<ChannelsCheck>> {
      const bs = known(banks);
      const financeEnds = await mqCall(() =>
        readable(() =>
          channelEnds(
            ops,
            finance,
            bs.flatMap((b) => [
              { channel: b.senderChannel, chltype: 'SDR' },
              { channel: b.receiverChannel, chltype: 'RCVR' },
            ]),
          ),
        ),
      );
      const bankEnds = await eachQmgr(
        bs.filter((b) => b.bankQmgrAccess),
        limit,
        (qmgr, group) =>
          channelEnds(
            ops,
            qmgr,
            group.flatMap((b) => [
              { channel: b.senderChannel, chltype: 'RCVR' },
              { channel: b.receiverChannel, chltype: 'SDR' },
            ]),
          ),
      );
      const checks = new Map<string, ChannelsCheck>();
      for (const b of bs) {
        const sender = financeEnds?.get(b.senderChannel);
        const receiver = financeEnds?.get(b.receiverChannel);
        if (!sender || !receiver) continue;
        const theirs = b.bankQmgrAccess ? bankEnds.get(b.qmgr) : 'not administered';
        // An unreachable bank queue manager leaves the bank's ends out, as inspectChannels does.
        if (theirs === 'not administered' || theirs === 'unreachable')
          checks.set(b.code, { sender, receiver });
        const bankReceiver = theirs instanceof Map ? theirs.get(b.senderChannel) : undefined;
        const bankSender = theirs instanceof Map ? theirs.get(b.receiverChannel) : undefined;
        if (bankReceiver && bankSender) checks.set(b.code, { sender, receiver, bankReceiver, bankSender });
      }
      return answers(bs, checks);
    },

    /**
     * inspectQueues for many banks: one DISPLAY QLOCAL over the transmission queues, the dead-letter
     * queues a few banks at a time (DEADQ asked only where the site does not name the queue).
     */
    async inspectQueuesInBulk({ banks }: { banks: string[] }): Promise<BulkAnswer<QueuesCheck>> {
      const bs = known(banks);
      const depths = await mqCall(() =>
        readable(() =>
          ops.queueDepths(
            finance,
            bs.map((b) => b.xmitq),
          ),
        ),
      );
      const deadLetters = await eachBank(
        bs.filter((b) => b.bankQmgrAccess),
        async (b) => {
          const dlq = b.deadLetterQueue ?? (await ops.deadLetterQueue(b.qmgr));
          return dlq ? { qmgr: b.qmgr, queue: dlq, depth: await ops.queueDepth(b.qmgr, dlq) } : null;
        },
      );
      const checks = new Map<string, QueuesCheck>();
      for (const b of bs) {
        const depth = depths?.get(b.xmitq);
        if (depth === undefined) continue;
        const xmitq = { qmgr: finance, queue: b.xmitq, depth };
        if (!b.bankQmgrAccess) checks.set(b.code, { xmitq, deadLetter: null });
        else if (deadLetters.has(b.code))
          checks.set(b.code, { xmitq, deadLetter: deadLetters.get(b.code) ?? null });
      }
      return answers(bs, checks);
    },

    /** pingChannel for many banks' senders, a few at a time. */
    async pingChannelsInBulk({ banks }: { banks: string[] }): Promise<BulkAnswer<FrontEndCheck>> {
      const bs = known(banks);
      return answers(
        bs,
        await eachBank(bs, async (b) =>
          pingCheck(b.senderChannel, await ops.pingChannel(finance, b.senderChannel)),
        ),
      );
    },

    /** checkPrograms for many banks, a few at a time. */
    async checkProgramsInBulk({ banks }: { banks: string[] }): Promise<BulkAnswer<ProgramsCheck>> {
      const bs = known(banks);
      return answers(
        bs,
        await eachBank(bs, async (b) => ({
          programs: await Promise.all(b.programs.map((p) => host.programStatus(p))),
        })),
      );
    },

    /** probeFrontEnd for many banks, a few at a time. */
    async probeFrontEndsInBulk({ banks }: { banks: string[] }): Promise<BulkAnswer<FrontEndCheck>> {
      const bs = known(banks);
      return answers(bs, await eachBank(bs, (b) => probeFrontEnd(host, site, b.frontEnd)));
    },
  };
}

/**
 * The ends of `channels` on one queue manager: their current status in one DISPLAY CHSTATUS, and
 * for those with none, their saved status (sequence numbers) in one more. A channel whose part of
 * the answer could not be read is absent.
 */
async function channelEnds(
  ops: MqOperations,
  qmgr: string,
  channels: { channel: string; chltype: string }[],
): Promise<Map<string, ChannelEnd>> {
  const ends = new Map<string, ChannelEnd>();
  if (channels.length === 0) return ends;
  const current = await ops.displayChannelStatuses(
    qmgr,
    channels.map((c) => c.channel),
  );
  const notCurrent = channels.filter((c) => current.get(c.channel)?.found === false).map((c) => c.channel);
  const saved =
    notCurrent.length > 0 ? await ops.displayChannelStatuses(qmgr, notCurrent, { saved: true }) : new Map();
  for (const { channel, chltype } of channels) {
    const now = current.get(channel);
    const seq = now?.found ? now : saved.get(channel);
    if (now && seq) ends.set(channel, toEnd(qmgr, channel, chltype, now, seq));
  }
  return ends;
}

/**
 * `look` once per queue manager of `banks`, a few at a time: its answer, 'unreachable' when the
 * queue manager cannot be reached, or nothing when the look failed otherwise.
 */
async function eachQmgr<T>(
  banks: BankConfig[],
  limit: number,
  look: (qmgr: string, banks: BankConfig[]) => Promise<T>,
): Promise<Map<string, T | 'unreachable'>> {
  const byQmgr = new Map<string, BankConfig[]>();
  for (const b of banks) byQmgr.set(b.qmgr, [...(byQmgr.get(b.qmgr) ?? []), b]);
  const found = new Map<string, T | 'unreachable'>();
  await mapWithConcurrency([...byQmgr], limit, async ([qmgr, group]) => {
    try {
      found.set(qmgr, await look(qmgr, group));
    } catch (err) {
      // Any other failure leaves the queue manager's banks to be asked alone, as eachBank does.
      if (err instanceof MqUnreachableError) found.set(qmgr, 'unreachable');
    }
  });
  return found;
}

/** What `read` found, or undefined when the queue manager's answer could not be read (MqCommandError). */
async function readable<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof MqCommandError) return undefined;
    throw err;
  }
}
