/**
 * The daily inspection with its worker killed (kill -9) half-way through 40 banks, on a worker lane
 * of its own (test/support/worker-lane.ts): a new worker finishes the same run, every bank
 * inspected once in the result, and one report written.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { activityRuns, until, WorkerLane } from '../support/worker-lane.ts';
import { patienceMs } from '../support/patience.ts';

let estate: TestEstate;
let lane: WorkerLane | undefined;

before(async () => {
  estate = await startTestEstate({
    programs: false,
    edit: (raw) => {
      const template = raw.banks[0] as Record<string, unknown>;
      raw.banks = Array.from({ length: 40 }, (_, i) => ({
        ...template,
        code: `B${String(i + 1).padStart(3, '0')}`,
        name: `模拟银行${i + 1}`,
      }));
      raw.inspection = { concurrency: 2 };
    },
  });
});
after(async () => {
  await lane?.close();
  await estate?.stop();
});

test('killing the worker mid-inspection: a new worker finishes the same run, with exactly one report', async () => {
  lane = new WorkerLane(estate, 'inspection');
  await lane.start();
  const handle = await lane.startWorkflow('dailyInspection', `test-crash-${Date.now()}`, {});
  // Kill -9 once the inspection is under way (it knows its banks) and before every bank is done: the
  // checks ask all banks at once, so the count jumps from none to all.
  let progress = { done: 0, total: 0 };
  await until(
    'the inspection under way',
    async () => {
      progress =
        ((await handle.query('progress').catch(() => null)) as { detail: typeof progress } | null)?.detail ??
        progress;
      return progress.total > 0;
    },
    patienceMs,
    50,
  );
  await lane.kill();
  assert.ok(progress.done < 40, `killed at ${progress.done}/40 banks`);
  assert.equal((await handle.describe()).status.name, 'RUNNING');

  await lane.start();
  const result: DailyInspectionResult = await handle.result();
  await lane.stop();
  assert.equal(result.banks.length, 40);
  assert.equal(new Set(result.banks.map((b) => b.bank)).size, 40);
  const reports = readdirSync(dirname(result.report.markdown)).filter((f) => f.startsWith(handle.workflowId));
  assert.deepEqual(reports.sort(), [`${handle.workflowId}.html`, `${handle.workflowId}.md`]);
  const runs = await activityRuns(estate.client, handle.workflowId);
  assert.equal(runs.scheduled.get('writeInspectionReport'), 1);
});
