import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import type { DailyInspectionResult } from '../../workflows/daily-inspection.types.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { startWorkerProcess } from '../support/worker-process.ts';

let estate: TestEstate;

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
  await estate?.stop();
});

test('killing the worker mid-inspection: a new worker finishes the same run, with exactly one report', async () => {
  const first = await startWorkerProcess(estate.env);
  const handle = await estate.client.workflow.start('dailyInspection', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `test-crash-${Date.now()}`,
    args: [{}],
  });
  // Kill -9 once some banks are done but not all.
  let progress = { done: 0, total: 0 };
  for (let i = 0; i < 600 && progress.done < 5; i++) {
    await new Promise((r) => setTimeout(r, 50));
    progress =
      ((await handle.query('progress').catch(() => null)) as { detail: typeof progress } | null)?.detail ??
      progress;
  }
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  assert.ok(progress.done >= 5 && progress.done < 40, `killed at ${progress.done}/40 banks`);
  assert.equal((await handle.describe()).status.name, 'RUNNING');

  const second = await startWorkerProcess(estate.env);
  try {
    const result: DailyInspectionResult = await handle.result();
    assert.equal(result.banks.length, 40);
    assert.equal(new Set(result.banks.map((b) => b.bank)).size, 40);
    const reports = readdirSync(dirname(result.report.markdown)).filter((f) =>
      f.startsWith(handle.workflowId),
    );
    assert.deepEqual(reports.sort(), [`${handle.workflowId}.html`, `${handle.workflowId}.md`]);
    const history = await handle.fetchHistory();
    const reportWrites = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'writeInspectionReport',
    );
    assert.equal(reportWrites.length, 1);
  } finally {
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
  }
});
