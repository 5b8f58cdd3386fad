/**
 * The production worker: `npm run build` compiles the entry points and bundles the workflows
 * once; `node <build>/workers/main.js` (no tsx) starts from that bundle and runs a runbook end to
 * end against the sandbox; its encrypted failures decode with the compiled failure converter. Under
 * `npm test` the build is the run's (scripts/lib/test-build.ts: the same build, made once for every
 * file); a file run on its own builds its own.
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import { testBuildEnv } from '../../scripts/lib/test-build-layout.ts';
import { projectRoot } from '../../temporal.config.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { startWorkerProcess } from '../support/worker-process.ts';

const execFileAsync = promisify(execFile);
const runBuild = process.env[testBuildEnv];
// Inside the project, so the compiled files find node_modules as dist/ does.
const out = runBuild ?? join(projectRoot, 'data', `test-build-${process.pid}`);
const entry = join(out, 'workers', 'main.js');
let estate: TestEstate;
let worker: ChildProcess | undefined;
let log = '';

before(async () => {
  if (!runBuild)
    await execFileAsync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out', out], {
      cwd: projectRoot,
    });
  // No send/receive programs: this test is about the worker, and five more processes only slow it.
  estate = await startTestEstate({ programs: false });
  worker = await startWorkerProcess(estate.env, { entry, onOutput: (chunk) => (log += chunk) });
});
after(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((done) => worker?.once('exit', done));
  }
  await estate?.stop();
  if (!runBuild) rmSync(out, { recursive: true, force: true });
});

test('the build holds compiled entry points and one workflow bundle', () => {
  for (const file of ['workers/main.js', 'inbox/main.js', 'scripts/runbook.js', 'workflow-bundle.js'])
    assert.ok(existsSync(join(out, file)), file);
});

test('the compiled worker starts from the prebuilt bundle and runs the daily inspection end to end', async () => {
  const result: DailyInspectionResult = await estate.client.workflow.execute('dailyInspection', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `test-production-worker-${process.pid}-${Date.now()}`,
    // The subsystems' processes are not run here.
    args: [{ skip: ['subsystems'] }],
  });
  assert.equal(result.light, 'green', JSON.stringify(result.findings));
  assert.equal(result.banks.length, 5);
  assert.ok(existsSync(result.report.markdown));
  const running = JSON.parse(log.split('\n').find((l) => l.includes('"worker running"')) ?? '{}');
  assert.equal(running.workflows, join(out, 'workflow-bundle.js'));
});

test('a bad input fails the run naming the field, through the compiled failure converter', async () => {
  const failed = await estate.client.workflow
    .execute('dailyInspection', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: `test-production-worker-bad-${process.pid}-${Date.now()}`,
      args: [{ banks: ['XYZ'] }],
    })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  assert.ok(failed instanceof WorkflowFailedError);
  assert.ok(failed.cause instanceof ApplicationFailure);
  assert.match(failed.cause.message, /input\.banks\[0\]/);
});

test('a compiled worker without its bundle stops before connecting, naming the file', async () => {
  const missing = join(out, 'no-such-bundle.js');
  const run = await execFileAsync(process.execPath, [entry, '--workflow-bundle', missing], {
    cwd: projectRoot,
    env: estate.env,
  }).then(
    () => ({ code: 0, output: '' }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      output: err.stdout + err.stderr,
    }),
  );
  assert.equal(run.code, 1);
  assert.match(run.output, new RegExp(`No workflow bundle at ${missing}: check --workflow-bundle`));
});
