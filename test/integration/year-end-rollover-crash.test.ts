/**
 * The year-end rollover with its worker killed (kill -9) at every step boundary, on a worker lane
 * of its own (test/support/worker-lane.ts), and its Temporal dev server restarted mid-way (a server
 * of the test's own, keeping its state in a file): asleep until the freeze and at the freeze's
 * gate; right after the old year is frozen, after the cancellations are filed, once every bank has
 * confirmed its cancellation; then the server and the worker both, while the run waits for the
 * opening; at the opening's gate; right after the new year is prepared, after it is opened, after
 * the restorations are filed, once every bank has confirmed its restoration. A kill after a step
 * lands after Temporal recorded the step and before it heard what the run decided next, so the next
 * worker takes that decision again. The run still ends rolled over, each bank decided exactly one
 * cancellation and one restoration, every change was audited once and the report written once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { temporal } from '@temporalio/proto';
import type { YearEndRolloverResult } from '../../domain/runbooks/year-end-rollover.types.ts';
import { localDate } from '../../sandbox/calendar.ts';
import {
  addTestUsers,
  decide,
  quietHistoryLength,
  signedBy,
  waitForGate,
  type WaitingGate,
} from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { HistoryWatch } from '../support/history-watch.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { restartableTemporal } from '../support/temporal.ts';
import { activityRuns, auditPayloads, WorkerLane } from '../support/worker-lane.ts';
import { rolloverFacts, trafficSettled, waitForStep } from '../support/year-end.ts';

type History = temporal.api.history.v1.IHistory;

const banks = ['ICBC', 'ABC', 'BOC'];
const calendar = workingTodayCalendar();
let dir: string;
let server: Awaited<ReturnType<typeof restartableTemporal>>;
let estate: TestEstate;
let lane: WorkerLane;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jincai-year-end-crash-'));
  server = await restartableTemporal(dir);
  estate = await startTestEstate({
    banks,
    temporal: server,
    edit: openAllDay(calendar.file, 'year-end-rollover'),
  });
  await addTestUsers(estate.site);
  lane = new WorkerLane(estate, 'year-end');
});
after(async () => {
  await lane?.close();
  // The estate stops the server it was given; one that failed to start leaves it to us.
  await (estate ? estate.stop() : server?.stop());
  rmSync(dir, { recursive: true, force: true });
  calendar.remove();
});

test('killed at every step boundary and the server restarted, the rollover ends with one cancellation and one restoration per bank', async () => {
  const { client, site } = estate;
  const year = Number(localDate(estate.sandbox.clock.now()).slice(0, 4));
  await lane.start();
  await trafficSettled(estate.sandbox, year);
  await estate.sandbox.faults.inject({ fault: 'voucher-timed-out', bank: 'ABC', count: 1 });
  const id = `year-end-rollover/${year}/crash`;
  const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  // The freeze a minute away: the worker's start and the pre-checks across the banks end well before
  // it, so the run is found asleep until it (at load 30, twenty seconds were not enough).
  const handle = await lane.startWorkflow(
    'yearEndRollover',
    id,
    { fiscalYear: year, freezeAt: at(60), openAt: at(140), requestedBy: 'eng', remindAfterMinutes: 1 },
    { workflowTaskTimeout: '4 seconds' },
  );
  const history = () => client.workflow.getHandle(id).fetchHistory();

  /** Kills the worker while the run waits quietly (on a timer, at a gate). */
  const killQuiet = async (what: string) => {
    await quietHistoryLength(client, id);
    await lane.killWhen(what, () => true);
  };
  /** Approves at `gate`, what the worker sends from then on held a second (a step after it is quick). */
  const approve = async (gate: WaitingGate, user: string) => {
    lane.holdReports(1000);
    await decide(client, id, signedBy(site, gate, user));
  };
  /**
   * Kills the worker once `done` finds its event in the history, before the run's next decision
   * reached Temporal: what the worker sends is held a second, and no decision is recorded after it.
   * The history is followed (test/support/history-watch.ts): each new event is looked at as soon as
   * Temporal records it, well inside that second, and nothing is read while the run waits.
   */
  const killAfter = async (what: string, done: (h: History) => number | undefined) => {
    lane.holdReports(1000);
    const watch = new HistoryWatch(client, id, { events: true });
    let boundary = Infinity;
    const seen = async () => {
      await watch.next();
      return (boundary = done({ events: watch.events }) ?? Infinity) < Infinity;
    };
    await lane.killWhen(what, seen, {
      pollMs: 0,
      meanwhile: async () => {
        const decided = (await history()).events?.filter((e) => e.workflowTaskCompletedEventAttributes) ?? [];
        assert.ok(Number(decided.at(-1)?.eventId) < boundary, `${what}: killed before the next decision`);
      },
    });
  };

  await waitForStep(client, id, 'awaiting-freeze');
  await killQuiet('asleep until the freeze');
  const freeze = await waitForGate(client, id);
  assert.deepEqual(
    freeze.plan.actions.filter((a) => a.kind === 'message').map((a) => a.target),
    banks,
    'a cancellation notice to each bank in the plan',
  );
  await killQuiet('at the freeze gate');
  await approve(freeze, 'wang');
  await killAfter('the old year frozen', completed('freezeFiscalYear'));
  await killAfter('the cancellations filed', completed('fileQuotaNotices'));
  await killAfter('every cancellation confirmed', childrenDone('-ZX-'));

  // Mid-way — asleep until the opening, or waiting at its gate on a slow machine — Temporal restarts.
  await quietHistoryLength(client, id);
  await lane.kill();
  await server.restart();
  await lane.start();
  const open = await waitForGate(client, id);
  await killQuiet('at the opening gate');
  await approve(open, 'li');
  await killAfter('the new year prepared', completed('prepareNewYear'));
  await killAfter('the new year opened', completed('openFiscalYear'));
  await killAfter('the restorations filed', completed('fileQuotaNotices', 2));
  await killAfter('every restoration confirmed', childrenDone('-HF-'));

  const result: YearEndRolloverResult = await handle.result();
  await lane.stop();
  assert.equal(result.outcome, 'rolled-over');
  assert.equal(lane.kills.length, 10);

  const facts = await rolloverFacts(estate, year);
  assert.deepEqual(facts.years, { [year]: 'closed', [year + 1]: 'open' });
  for (const bank of banks) {
    assert.deepEqual(facts.bankAnswers(bank), { cancellation: 1, restoration: 1 }, bank);
    const mine = facts.notices.filter((n) => n.bank_code === bank);
    assert.deepEqual(
      mine.map((n) => [n.kind, n.status, n.bank_line_count, Number(n.bank_total_fen)]),
      mine.map((n) => [n.kind, 'confirmed', n.line_count, Number(n.total_fen)]),
    );
  }
  assert.equal(facts.unpaid(), 0, 'the voucher unpaid at close was carried over');

  const audited = await auditPayloads<{ action: string }>(site, id);
  const actions = audited.map((m) => m.action);
  assert.equal(new Set(actions).size, actions.length, `each change audited once: ${actions.join('; ')}`);
  assert.equal(actions.length, 4 + 2 * banks.length);
  const runs = await activityRuns(client, id);
  assert.equal(runs.scheduled.get('writeRunbookReport'), 1);
});

/** The eventId of the `nth` completion of activity `type`. */
function completed(type: string, nth = 1) {
  return (h: History): number | undefined => {
    const types = new Map<string, string>();
    const done: number[] = [];
    for (const e of h.events ?? []) {
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name) types.set(String(e.eventId), name);
      const c = e.activityTaskCompletedEventAttributes;
      if (c && types.get(String(c.scheduledEventId)) === type) done.push(Number(e.eventId));
    }
    return done[nth - 1];
  };
}

/** The eventId of the last of the banks' child workflows (`-ZX-` cancellations, `-HF-` restorations) to complete. */
function childrenDone(kind: string) {
  return (h: History): number | undefined => {
    const done = (h.events ?? []).filter((e) =>
      e.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId?.includes(kind),
    );
    return done.length === banks.length ? Number(done.at(-1)?.eventId) : undefined;
  };
}
