/**
 * How the daily inspection looks at its banks. In bulk: each check asked once for every bank
 * (one DISPLAY per queue manager, one traffic query), then the front ends by the senders' state;
 * a bank a bulk look could not read is asked alone, as one bank at a time is — the per-bank path
 * that runs recorded before the bulk looks replay.
 */
import { ApplicationFailure, log } from '@temporalio/workflow';
import type { createHostActivities } from '../activities/host.ts';
import type { BulkAnswer, createBulkInspectionActivities } from '../activities/inspection-bulk.ts';
import type { createMqActivities } from '../activities/mq.ts';
import type { createTreasuryActivities } from '../activities/treasury.ts';
import { mapWithConcurrency } from '../domain/concurrency.ts';
import type { BankInspection, InspectionCheck } from '../domain/runbooks/daily-inspection.types.ts';
import { bulkReadActivities, readActivities } from './shared/retry-profiles.ts';

type Mq = ReturnType<typeof createMqActivities>;
type Host = ReturnType<typeof createHostActivities>;
type Treasury = ReturnType<typeof createTreasuryActivities>;
type Bulk = ReturnType<typeof createBulkInspectionActivities>;

type Bank = { code: string; name: string };
export type Look = ReturnType<typeof lookers> & { date: string; skip: Set<InspectionCheck> };
/** What a bulk look found for one bank, check by check; absent or null: ask the bank alone. */
type Known = { [K in InspectionCheck]?: BankInspection[K] | null };

/** The read-only activities an inspection looks through, in the zones that reach each system. */
export function lookers(queues: { comm: string; db: string }) {
  return {
    mq: readActivities<Mq>({ taskQueue: queues.comm }),
    host: readActivities<Host>({ taskQueue: queues.comm }),
    treasury: readActivities<Treasury>({ taskQueue: queues.db }),
    bulk: bulkReadActivities<Bulk>({ taskQueue: queues.comm }),
    bulkTreasury: bulkReadActivities<Treasury>({ taskQueue: queues.db }),
  };
}

/**
 * Every bank's checks, each asked in bulk first; `assess` judges each bank as its checks are in.
 * The front ends come last: PING CHANNEL where the sender is not running, TCP otherwise.
 */
export async function inspectInBulk(
  banks: Bank[],
  look: Look,
  concurrency: number,
  assess: (inspected: BankInspection) => BankInspection,
): Promise<BankInspection[]> {
  const codes = banks.map((b) => b.code);
  const { bulk, bulkTreasury, date } = look;
  const [channels, queues, programs, traffic] = await Promise.all([
    inBulk(look, 'channels', codes, (banks) => bulk.inspectChannelsInBulk({ banks })),
    inBulk(look, 'queues', codes, (banks) => bulk.inspectQueuesInBulk({ banks })),
    inBulk(look, 'programs', codes, (banks) => bulk.checkProgramsInBulk({ banks })),
    inBulk(look, 'traffic', codes, (banks) => bulkTreasury.countTrafficInBulk({ banks, date })),
  ]);
  const inspected = await mapWithConcurrency(banks, concurrency, (bank) =>
    firstChecks(bank, look, {
      channels: channels[bank.code],
      queues: queues[bank.code],
      programs: programs[bank.code],
      traffic: traffic[bank.code],
    }),
  );
  const running = inspected.filter(senderRunning).map((b) => b.bank);
  const stopped = inspected.filter((b) => !senderRunning(b)).map((b) => b.bank);
  const [tcp, ping] = await Promise.all([
    inBulk(look, 'frontEnd', running, (banks) => bulk.probeFrontEndsInBulk({ banks })),
    inBulk(look, 'frontEnd', stopped, (banks) => bulk.pingChannelsInBulk({ banks })),
  ]);
  return mapWithConcurrency(inspected, concurrency, async (b) => {
    await frontEndCheck(b, look, (senderRunning(b) ? tcp : ping)[b.bank]);
    return assess(b);
  });
}

/** One bank's checks, one activity each: channels, queues, programs and traffic, then the front end. */
export async function inspectBank(bank: Bank, look: Look): Promise<BankInspection> {
  const result = await firstChecks(bank, look, {});
  await frontEndCheck(result, look, undefined);
  return result;
}

/** The bulk answer of one check for `codes`; nothing when the check is skipped, none asked or the look failed. */
async function inBulk<T>(
  look: Look,
  check: InspectionCheck,
  codes: string[],
  ask: (codes: string[]) => Promise<BulkAnswer<T> | Record<string, T>>,
): Promise<BulkAnswer<T>> {
  if (look.skip.has(check) || codes.length === 0) return {};
  try {
    return await ask(codes);
  } catch (err) {
    log.warn('A bulk look failed: each bank is asked alone', { check, error: describeFailure(err) });
    return {};
  }
}

/** Channels, queues, programs and traffic, in parallel: what `known` holds, each other one asked alone. */
async function firstChecks(bank: Bank, look: Look, known: Known): Promise<BankInspection> {
  const { mq, host, treasury, date } = look;
  const result: BankInspection = {
    bank: bank.code,
    bankName: bank.name,
    light: 'green',
    checks: {},
    findings: [],
  };
  await Promise.all([
    check(result, look, 'channels', known.channels, () => mq.inspectChannels({ bank: bank.code })),
    check(result, look, 'queues', known.queues, () => mq.inspectQueues({ bank: bank.code })),
    check(result, look, 'programs', known.programs, () => host.checkPrograms({ bank: bank.code })),
    check(result, look, 'traffic', known.traffic, () => treasury.countTraffic({ bank: bank.code, date })),
  ]);
  return result;
}

/** The front end: PING CHANNEL when the sender is not running, TCP otherwise. */
async function frontEndCheck(
  result: BankInspection,
  look: Look,
  known: BankInspection['frontEnd'] | null | undefined,
): Promise<void> {
  const bank = result.bank;
  await check(result, look, 'frontEnd', known, () =>
    senderRunning(result) ? look.host.probeFrontEnd({ bank }) : look.mq.pingChannel({ bank }),
  );
}

/** One check into `result`: skipped, known, or asked; a check that fails is red with its error. */
async function check<K extends InspectionCheck>(
  result: BankInspection,
  look: Look,
  name: K,
  known: BankInspection[K] | null | undefined,
  ask: () => Promise<NonNullable<BankInspection[K]>>,
): Promise<void> {
  if (look.skip.has(name)) {
    result.checks[name] = { light: 'skipped' };
    return;
  }
  try {
    result[name] = known ?? (await ask());
  } catch (err) {
    result.checks[name] = { light: 'red', error: describeFailure(err) };
  }
}

const senderRunning = (b: BankInspection) => b.channels?.sender.status === 'RUNNING';

function describeFailure(err: unknown): string {
  if (err instanceof ApplicationFailure) return `${err.type ?? 'Error'}: ${err.message}`;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  return err instanceof Error ? err.message : String(err);
}
