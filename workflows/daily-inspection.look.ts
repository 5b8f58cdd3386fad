/**
 * How the daily inspection looks at its banks. In bulk: each check asked once for every bank
 * (one DISPLAY per queue manager, one traffic query), then the front ends by the senders' state;
 * a bank a bulk look could not read is asked alone, as one bank at a time is — the per-bank path
 * that runs recorded before the bulk looks replay.
 */
import { ApplicationFailure, log, patched } from '@temporalio/workflow';
import type { createHostActivities } from '../activities/host.ts';
import type { BulkAnswer, createBulkInspectionActivities } from '../activities/inspection-bulk.ts';
import type { createMqActivities } from '../activities/mq.ts';
import type { createTreasuryActivities } from '../activities/treasury.ts';
import { mapWithConcurrency } from '../domain/concurrency.ts';
import type {
  BankInspection,
  InspectionCheck,
  InspectionSkip,
} from '../domain/runbooks/daily-inspection.types.ts';
import { bulkReadActivities, readActivities } from './shared/retry-profiles.ts';

type Mq = ReturnType<typeof createMqActivities>;
type Host = ReturnType<typeof createHostActivities>;
type Treasury = ReturnType<typeof createTreasuryActivities>;
type Bulk = ReturnType<typeof createBulkInspectionActivities>;

type Bank = { code: string; name: string };
export type Look = ReturnType<typeof lookers> & { date: string; skip: Set<InspectionSkip> };
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
 * The front ends come last: PING CHANNEL where the sender is not running, TCP otherwise. A bank
 * whose every check the bulk looks answered is put together at once; only the others are asked
 * alone, a few at a time.
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
  const knownOf = (bank: Bank): Known => ({
    channels: channels[bank.code],
    queues: queues[bank.code],
    programs: programs[bank.code],
    traffic: traffic[bank.code],
  });
  // Runs begun before the banks answered in bulk were put together at once replay as they ran.
  const atOnce = patched('inspection-known-at-once');
  const inspected = await atOnceOrAsked(
    banks,
    concurrency,
    atOnce,
    (bank) => knownChecks(bank, look, knownOf(bank)),
    (bank) => firstChecks(bank, look, knownOf(bank)),
  );
  const running = inspected.filter(senderRunning).map((b) => b.bank);
  const stopped = inspected.filter((b) => !senderRunning(b)).map((b) => b.bank);
  const [tcp, ping] = await Promise.all([
    inBulk(look, 'frontEnd', running, (banks) => bulk.probeFrontEndsInBulk({ banks })),
    inBulk(look, 'frontEnd', stopped, (banks) => bulk.pingChannelsInBulk({ banks })),
  ]);
  const frontEndOf = (b: BankInspection) => (senderRunning(b) ? tcp : ping)[b.bank];
  return atOnceOrAsked(
    inspected,
    concurrency,
    atOnce,
    (b) => (knownFrontEnd(b, look, frontEndOf(b)) ? assess(b) : undefined),
    async (b) => {
      await frontEndCheck(b, look, frontEndOf(b));
      return assess(b);
    },
  );
}

/**
 * `known(item)` for each item it answers without asking anything, then `asked(item)` for the
 * others with at most `concurrency` in flight; the results in the items' order. Not `atOnce`:
 * every item asked, as runs recorded before replay.
 */
async function atOnceOrAsked<T, R>(
  items: readonly T[],
  concurrency: number,
  atOnce: boolean,
  known: (item: T) => R | undefined,
  asked: (item: T) => Promise<R>,
): Promise<R[]> {
  if (!atOnce) return mapWithConcurrency(items, concurrency, asked);
  const results = items.map(known);
  const left = items.flatMap((item, i) => (results[i] === undefined ? [{ item, i }] : []));
  const answers = await mapWithConcurrency(left, concurrency, ({ item }) => asked(item));
  left.forEach(({ i }, k) => (results[i] = answers[k]));
  return results as R[];
}

const firstCheckNames = ['channels', 'queues', 'programs', 'traffic'] as const;

/** One bank's first checks when each is skipped or known, as `firstChecks` puts them; undefined when one must be asked. */
function knownChecks(bank: Bank, look: Look, known: Known): BankInspection | undefined {
  if (firstCheckNames.some((name) => !look.skip.has(name) && !known[name])) return undefined;
  const result = newInspection(bank);
  for (const name of firstCheckNames) {
    if (look.skip.has(name)) result.checks[name] = { light: 'skipped' };
    else Object.assign(result, { [name]: known[name] });
  }
  return result;
}

/** The front end into `result` when it is skipped or known, as `frontEndCheck` puts it; false when it must be asked. */
function knownFrontEnd(
  result: BankInspection,
  look: Look,
  known: BankInspection['frontEnd'] | null | undefined,
): boolean {
  if (look.skip.has('frontEnd')) result.checks.frontEnd = { light: 'skipped' };
  else if (known) result.frontEnd = known;
  else return false;
  return true;
}

const newInspection = (bank: Bank): BankInspection => ({
  bank: bank.code,
  bankName: bank.name,
  light: 'green',
  checks: {},
  findings: [],
});

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
  const result = newInspection(bank);
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
