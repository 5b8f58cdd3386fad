/**
 * A kill -9 test file with several cases at once, each on a worker lane of its own
 * (worker-lane.ts): the estate started before the file's test with one approver of
 * `comm-approver` for each runbook it names and the test users, every lane closed and the estate
 * stopped after; and the cases run together, their workers started one after another (not all at
 * once on two cores), each case's account of what ran again told as a diagnostic and every
 * failure reported together.
 */
import assert from 'node:assert/strict';
import { after, before, type TestContext } from 'node:test';
import { addTestUsers } from './approvals.ts';
import { startTestEstate, type TestEstate } from './estate.ts';
import { WorkerLane } from './worker-lane.ts';

/** One case: given its lane and its worker's start, what ran again after the kill. */
export type CrashCase = (lane: WorkerLane, starting: Promise<void>) => Promise<string>;

export interface CrashEstate {
  estate(): TestEstate;
  /** Runs the cases at once; the first named starts its worker first (give it the longer road). */
  runCases(t: TestContext, cases: Record<string, CrashCase>): Promise<void>;
}

export function crashEstate(options: { banks: string[]; runbooks: string[] }): CrashEstate {
  let estate: TestEstate | undefined;
  const lanes: WorkerLane[] = [];
  before(async () => {
    estate = await startTestEstate({
      banks: options.banks,
      edit: (raw) => {
        (raw.approvals as Record<string, unknown>).runbooks = Object.fromEntries(
          options.runbooks.map((id) => [id, { roles: ['comm-approver'], quorum: 1 }]),
        );
      },
    });
    await addTestUsers(estate.site);
  });
  after(async () => {
    for (const lane of lanes) await lane.close();
    await estate?.stop();
  });
  const started = (): TestEstate => {
    assert.ok(estate, 'the estate starts before the test');
    return estate;
  };
  return {
    estate: started,
    async runCases(t, cases) {
      const named = Object.entries(cases);
      let previous: Promise<void> = Promise.resolve();
      const runs = named.map(([tag, run]) => {
        const lane = new WorkerLane(started(), tag);
        lanes.push(lane);
        const starting = previous.catch(() => undefined).then(() => lane.start());
        previous = starting;
        return run(lane, starting);
      });
      const settled = await Promise.allSettled(runs);
      const failures = settled.flatMap((c, i) =>
        c.status === 'rejected' ? [`${named[i]?.[0]}: ${String(c.reason?.stack ?? c.reason)}`] : [],
      );
      assert.deepEqual(failures, []);
      for (const c of settled) if (c.status === 'fulfilled') t.diagnostic(c.value);
    },
  };
}
