/**
 * The year-end rollover on Temporal's time-skipping server, with the real worker, the sandbox and
 * its send/receive programs. Bad input is refused naming the field before anything is recorded: a
 * year already closed, an unknown bank, a freeze after the opening — and an opening in a year the
 * calendar does not know, naming the year. Then a whole rollover across New Year: from Monday 28
 * December to the new year's first working day, five banks, the days between jumped in seconds,
 * once the site declares the new year's New Year holiday in a calendar file (as a bureau adds it
 * from the State Council's notice). One pre-check is red at the start and fixed (a re-check asked
 * for); one bank stays silent on its cancellation until it is escalated. Every bank's totals match,
 * and each bank decided exactly one cancellation and one restoration. (The rollover with its worker
 * killed at every step, on the dev server: test/integration/year-end-rollover-crash.test.ts.)
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { stringify } from 'yaml';
import { addDays } from '../../domain/calendar/dates.ts';
import type { YearEndRolloverResult, YearEndTimes } from '../../domain/runbooks/year-end-rollover.types.ts';
import { recheckUpdate } from '../../workflows/year-end-rollover.checks.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { startTimeSkipping, timeSkippingTemporal, type TimeSkipping } from '../support/time-skipping.ts';
import { until } from '../support/worker-lane.ts';
import {
  comingYearEnd,
  rolloverFacts,
  startRollover,
  trafficSettled,
  waitForProgress,
  waitForStep,
} from '../support/year-end.ts';

const year = comingYearEnd();
const next = year + 1;
const startsAt = `${year}-12-28T09:00:00+08:00`;
let timeSkipping: TimeSkipping;
let estate: TestEstate;

before(async () => {
  timeSkipping = await startTimeSkipping({ initialTime: startsAt });
  estate = await startTestEstate({
    temporal: await timeSkippingTemporal(timeSkipping),
    clock: { mode: 'offset', offsetMs: Date.parse(startsAt) - Date.now() },
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'year-end-rollover': { roles: ['comm-approver'] },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
  // A site that has not yet declared the new year: the sandbox's assumed one taken away.
  rmSync(join(estate.site.calendar.dir!, `sandbox-${next}.yaml`), { force: true });
});
after(async () => {
  await estate?.stop();
});

const serverNow = async () => new Date(await timeSkipping.env.currentTimeMs());

/** Jumps the server's clock to `at`, and the sandbox's business clock with it. */
async function skipTo(at: string): Promise<void> {
  await timeSkipping.env.sleep(Math.max(0, Date.parse(at) - (await serverNow()).getTime()));
  estate.sandbox.clock.set((await serverNow()).toISOString());
}

/** The first Monday-to-Friday from `date` on (`step` 1) or back (-1). */
function weekdayFrom(date: string, step: 1 | -1): string {
  let day = date;
  while ([0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay())) day = addDays(day, step);
  return day;
}

/** Starts a rollover with `input` and checks it fails with `type` matching `message`, having only read. */
async function refused(input: Record<string, unknown>, type: string, message: RegExp): Promise<void> {
  const id = `year-end-rollover/${year}/refused-${Date.now()}`;
  const handle = await startRollover(estate, id, input, await serverNow());
  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const failure = err.cause instanceof ActivityFailure ? err.cause.cause : err.cause;
    assert.ok(failure instanceof ApplicationFailure, String(failure));
    assert.equal(failure.type, type);
    assert.match(failure.message, message);
    return true;
  });
  const history = await handle.fetchHistory();
  const scheduled = (history.events ?? []).flatMap(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
  );
  const reads = ['describeEstate', 'fiscalYearState', 'yearEndTimes'];
  assert.ok(
    scheduled.every((n) => reads.includes(n)),
    `only reads before refusing: ${scheduled.join()}`,
  );
}

it('refuses bad input naming the field, and an opening the calendar cannot place naming the year, before anything is recorded', async () => {
  const at = (days: number) => new Date(Date.parse(startsAt) + days * 86_400_000).toISOString();
  await refused({ fiscalYear: year - 1 }, 'InvalidInput', /input\.fiscalYear: \d+ is already closed/);
  await refused({ fiscalYear: year, banks: ['ICBC', 'XYZ'] }, 'InvalidInput', /input\.banks\[1\]/);
  await refused(
    { fiscalYear: year, freezeAt: at(7), openAt: at(3) },
    'InvalidInput',
    /input\.openAt: the new year opens/,
  );
  await refused({ fiscalYear: year }, 'CalendarYearUnknown', new RegExp(`no data for ${next}`));
});

it('rolls five banks over from 28 December to the first working day of the new year', async () => {
  writeFileSync(
    join(estate.site.calendar.dir!, `${next}.yaml`),
    stringify({ year: next, holidays: [{ name: '元旦', from: `${next}-01-01`, to: `${next}-01-03` }] }),
  );
  const banks = estate.site.banks.map((b) => b.code);
  assert.equal(banks.length, 5);
  await trafficSettled(estate.sandbox, year);
  await estate.sandbox.faults.inject({ fault: 'channel-stopped', bank: 'ABC' });
  const id = `year-end-rollover/${year}`;
  const handle = await startRollover(
    estate,
    id,
    { fiscalYear: year, remindAfterMinutes: 1, escalateAfterMinutes: 1, recheckMinutes: 60 },
    await serverNow(),
  );

  // Red: ABC's channel is stopped. Fixed, a re-check is asked for; green, the run sleeps until the freeze.
  await waitForProgress(estate.client, id, 'a red pre-check', (p) => waiting(p) === 'red');
  await estate.sandbox.faults.clear({ fault: 'channel-stopped', bank: 'ABC' });
  await handle.executeUpdate(recheckUpdate, { args: [{ reason: 'ABC 通道已恢复' }] });
  const asleep = await waitForStep(estate.client, id, 'awaiting-freeze');
  const { times } = asleep.detail as { times: YearEndTimes };
  const lastDay = weekdayFrom(`${year}-12-31`, -1);
  const firstDay = weekdayFrom(`${next}-01-04`, 1);
  assert.match(times.freezeFrom, new RegExp(`^${lastDay} 最晚营业结束`));
  assert.match(times.openFrom, new RegExp(`^${firstDay} 最早营业开始`));

  await skipTo(times.freezeAt);
  const freeze = await waitForGate(estate.client, id);
  assert.equal(freeze.step, 'freeze');
  await estate.sandbox.faults.inject({ fault: 'quota-notice-silent', bank: 'BOC' });
  await decide(
    estate.client,
    id,
    signedBy(estate.site, freeze, 'wang', { issuedAt: (await serverNow()).toISOString() }),
  );
  // BOC's wait looks for its answer in real time (20 s a look); the timers between are skipped.
  const silent = estate.client.workflow.getHandle(`${id}/YE${year}-ZX-BOC`);
  await until('BOC waiting', async () => (await silent.describe().catch(() => null)) !== null);
  const skipped = timeSkipping.env.sleep(90_000);
  await until('BOC escalated', async () => {
    const progress = await silent.query<{ detail: { escalated: boolean } }>('progress').catch(() => null);
    return progress?.detail.escalated === true;
  });
  await estate.sandbox.faults.clear({ fault: 'quota-notice-silent', bank: 'BOC' });
  await skipped;

  await waitForStep(estate.client, id, 'awaiting-opening');
  await skipTo(times.openAt);
  const open = await waitForGate(estate.client, id);
  assert.equal(open.step, 'open');
  await decide(
    estate.client,
    id,
    signedBy(estate.site, open, 'li', { issuedAt: (await serverNow()).toISOString() }),
  );
  const result: YearEndRolloverResult = await handle.result();
  assert.equal(result.outcome, 'rolled-over');
  const closed = (await handle.describe()).closeTime;
  assert.ok(
    closed && closed < new Date(`${addDays(firstDay, 1)}T16:00:00Z`),
    `ended ${closed?.toISOString()}`,
  );

  const [first, ...later] = result.preChecks;
  assert.deepEqual(
    first?.findings.map((f) => [f.bank, f.check, f.runbook]),
    [['ABC', 'channels', 'channel-recovery']],
  );
  assert.deepEqual(later.at(-1)?.findings, []);
  const escalated = result.cancellations.filter((c) => c.escalated).map((c) => c.bank);
  assert.deepEqual(escalated, ['BOC']);
  assert.ok((result.cancellations.find((c) => c.bank === 'BOC')?.reminders ?? 0) >= 1);
  for (const answer of [...result.cancellations, ...result.restorations])
    assert.deepEqual(
      [answer.bank, answer.outcome, answer.bankTotals],
      [answer.bank, 'confirmed', answer.expected],
    );

  const facts = await rolloverFacts(estate, year);
  assert.deepEqual(facts.years, { [year]: 'closed', [next]: 'open' });
  for (const bank of banks) {
    assert.deepEqual(facts.bankAnswers(bank), { cancellation: 1, restoration: 1 }, bank);
    assert.ok(facts.bankRestarted(bank, next), `${bank} restarted its serials for ${next}`);
  }
  assert.equal(facts.openQuotas(year), 0, 'no quota of the old year is left active');
  assert.equal(
    facts.issued(next),
    result.restorations.reduce((t, r) => t + r.expected.totalFen, 0),
  );
  assert.equal(facts.unpaid(), 0, 'every voucher unpaid at close was carried over');
});

const waiting = (p: { detail: unknown }) => (p.detail as { waiting?: { why: string } }).waiting?.why;
