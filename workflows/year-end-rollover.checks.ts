/**
 * The year-end's pre-checks: every bank's books and channels, all banks at once (the books in one
 * look at the treasury database, the channels in one DISPLAY per queue manager), judged per bank —
 * no voucher in flight, every receipt registered, the year's daily reports agreeing with finance's
 * payments, refunds settled, voids confirmed, channels healthy. Each red check names the runbook
 * that fixes it. The rollover never goes on while one is red: it tells the people and looks again
 * on a timer, or at once when someone asks (`recheck`, an update whose validator refuses it when
 * no re-check is awaited or one was asked for in the last minute, leaving no event in history);
 * and it looks once more at the freeze itself, after waiting for it on a durable timer.
 */
import { ApplicationFailure, condition, defineUpdate, setHandler, sleep } from '@temporalio/workflow';
import type { createMqActivities } from '../activities/mq.ts';
import type { createBulkInspectionActivities } from '../activities/inspection-bulk.ts';
import type { createYearEndBookActivities } from '../activities/year-end-books.ts';
import { ErrorKind } from '../domain/errors.ts';
import { preCheckFindings } from '../domain/runbooks/year-end-rollover.plan.ts';
import type {
  BankChannelCheck,
  PreCheckFinding,
  PreCheckRound,
} from '../domain/runbooks/year-end-rollover.types.ts';
import { assessChannels } from './daily-inspection.assess.ts';
import { bulkReadActivities, readActivities } from './shared/retry-profiles.ts';
import type { RunbookRun } from './shared/runbook-run.ts';

type Books = ReturnType<typeof createYearEndBookActivities>;
type Channels = ReturnType<typeof createBulkInspectionActivities> & ReturnType<typeof createMqActivities>;

export interface RecheckReceipt {
  accepted: true;
  at: string;
}

/** Asks a rollover waiting on a red pre-check to look again now. */
export const recheckUpdate = defineUpdate<RecheckReceipt, [{ reason?: string }]>('recheck');

/** The rounds a result and report keep: the first, and the latest ones. */
const keptRounds = 12;
const minIntervalMs = 60_000;

export interface PreChecks {
  rounds: PreCheckRound[];
  /** How many rounds ran in all (older ones are not kept). */
  count: number;
  /** While it waits: until when, and why. */
  waiting?: { until: string; why: 'red' | 'freeze' };
}

interface Checking {
  run: RunbookRun<{ fiscalYear: number; recheckMinutes: number }>;
  banks: string[];
  checks: PreChecks;
}

/** The pre-checks, until every one is green at the freeze (`freezeAt`) or later. */
export async function preCheckUntilFreeze(c: Checking, freezeAt: string): Promise<PreCheckRound> {
  const asked = answerRechecks(c.checks);
  for (;;) {
    c.run.step('pre-checks');
    const round = await checkRound(c);
    if (round.findings.length > 0) {
      await tellRed(c, round);
      const until = Date.now() + c.run.input.recheckMinutes * 60_000;
      c.checks.waiting = { until: new Date(until).toISOString(), why: 'red' };
      await condition(asked.requested, until - Date.now());
      asked.taken();
    } else if (Date.now() < Date.parse(freezeAt)) {
      c.run.step('awaiting-freeze');
      c.checks.waiting = { until: freezeAt, why: 'freeze' };
      await sleep(Date.parse(freezeAt) - Date.now());
    } else {
      delete c.checks.waiting;
      return round;
    }
    delete c.checks.waiting;
  }
}

/** One round: every bank's books and channels, judged. */
async function checkRound(c: Checking): Promise<PreCheckRound> {
  const { estate } = c.run;
  const books = readActivities<Books>({ taskQueue: estate.taskQueues.db });
  const [bookChecks, channels] = await Promise.all([
    books.yearEndBookChecks({ fiscalYear: c.run.input.fiscalYear, banks: c.banks }),
    channelChecks(c.banks, estate.taskQueues.comm),
  ]);
  c.checks.count += 1;
  const round = {
    round: c.checks.count,
    at: new Date().toISOString(),
    findings: preCheckFindings(bookChecks, channels),
  };
  c.checks.rounds.push(round);
  if (c.checks.rounds.length > keptRounds) c.checks.rounds.splice(1, 1);
  return round;
}

/** Each bank's channels in one bulk look; a bank the bulk look could not read is asked alone. */
async function channelChecks(banks: string[], taskQueue: string): Promise<BankChannelCheck[]> {
  const bulk = await bulkReadActivities<Channels>({ taskQueue }).inspectChannelsInBulk({ banks });
  const single = readActivities<Channels>({ taskQueue });
  return Promise.all(
    banks.map(async (bank) => {
      const seen = bulk[bank] ?? (await single.inspectChannels({ bank }));
      const red = assessChannels(seen).filter((f) => f.light === 'red');
      return { bank, healthy: red.length === 0, detail: red.map((f) => f.summary).join('；') };
    }),
  );
}

/** The people are told what is red and what fixes it, once for each new set of findings. */
async function tellRed(c: Checking, round: PreCheckRound): Promise<void> {
  const signature = (r: PreCheckRound) => r.findings.map((f) => `${f.bank}/${f.check}/${f.count}`).join(',');
  const previous = c.checks.rounds.at(-2);
  if (previous && signature(previous) === signature(round)) return;
  await c.run.record.notify({
    kind: 'run-escalated',
    title: `年终结转预检查未通过：${c.run.input.fiscalYear} 年度（第 ${round.round} 轮）`,
    lines: [
      ...round.findings.slice(0, 30).map(findingLine),
      ...(round.findings.length > 30 ? [`… 另有 ${round.findings.length - 30} 项`] : []),
      `每 ${c.run.input.recheckMinutes} 分钟复查一次，修复后可请求立即复查；检查全部通过前不会冻结年度`,
    ],
    link: c.run.runLink,
    key: `pre-checks/${round.round}`,
  });
}

export function findingLine(f: PreCheckFinding): string {
  return `${f.bank}：${f.detail}（由 ${f.runbook} 处理）`;
}

/** The `recheck` update: accepted while a red pre-check waits, at most once a minute. */
function answerRechecks(checks: PreChecks) {
  let requested = false;
  let lastAt = 0;
  setHandler(
    recheckUpdate,
    () => {
      requested = true;
      lastAt = Date.now();
      return { accepted: true as const, at: new Date(lastAt).toISOString() };
    },
    {
      validator: (arg: { reason?: unknown } | undefined) => {
        const reason = arg?.reason;
        const refuse = (message: string) => {
          throw ApplicationFailure.create({ type: ErrorKind.InvalidInput, nonRetryable: true, message });
        };
        if (reason !== undefined && (typeof reason !== 'string' || reason.length > 200))
          refuse('recheck refused: reason must be text of at most 200 characters');
        if (checks.waiting?.why !== 'red')
          refuse('recheck refused: no red pre-check is waiting for a re-check');
        if (requested || Date.now() - lastAt < minIntervalMs)
          refuse('recheck refused: a re-check was asked for less than a minute ago');
      },
    },
  );
  return {
    requested: () => requested,
    taken: () => {
      requested = false;
    },
  };
}
