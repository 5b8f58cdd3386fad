/**
 * The end of `npm test`: the slowest files and the failed tests, as its runner prints them after
 * running real files in processes of their own (test/unit/fixtures/test-run/).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fileTimesTable } from '../../scripts/lib/slowest-test-files.ts';
import { entryPointArgs } from '../support/test-build.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/test-run/${name}.ts`, import.meta.url));

/**
 * The runner's verdict and summary over these fixtures, each file given `timeoutMs` and run compiled,
 * as `npm test` runs it.
 */
async function runFiles(
  timeoutMs: number,
  ...names: string[]
): Promise<{ verdict: string; summary: string }> {
  const env = { ...process.env };
  // Set in a test file's process; the runner it starts would otherwise run nothing.
  delete env.NODE_TEST_CONTEXT;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...entryPointArgs('test/unit/fixtures/test-run/run-files.ts'), String(timeoutMs), ...names.map(fixture)],
    { env },
  );
  const [, verdict = '', summary = ''] = /^--- (\w+)\n([\s\S]*)$/m.exec(stdout) ?? [];
  return { verdict, summary: summary.trimEnd() };
}

/**
 * Slowest files, then failures: of passing, failing and exiting files, one whose child process works
 * the CPU, and of one that hangs.
 */
const runs: Record<'failing' | 'hanging', string[]> = { failing: [], hanging: [] };

before(async () => {
  const [failing, hanging] = await Promise.all([
    runFiles(120_000, 'passes', 'failing-tests', 'exits', 'busy-child'),
    runFiles(5_000, 'hangs'),
  ]);
  assert.equal(failing.verdict, 'failed');
  assert.equal(hanging.verdict, 'failed');
  runs.failing = failing.summary.split('\n');
  runs.hanging = hanging.summary.split('\n');
});

/** The line naming this failure, and the lines under it. */
function failure(lines: string[], heading: RegExp): string[] {
  const at = lines.findIndex((l) => heading.test(l));
  assert.ok(at > 0, `${heading} in:\n${lines.join('\n')}`);
  const next = lines.findIndex((l, i) => i > at && /^ {2}\S/.test(l));
  return lines.slice(at + 1, next < 0 ? undefined : next).map((l) => l.trim());
}

test('every failed test is named by its file, its suites and its name, with its error and where in the source it was thrown', () => {
  const lines = runs.failing;
  assert.ok(lines.includes('6 failed (and 2 cancelled with them):'), lines.join('\n'));
  const file = 'test/unit/fixtures/test-run/failing-tests.ts';
  assert.deepEqual(failure(lines, new RegExp(`^ {2}${file} {2}fails an assertion$`)), [
    'AssertionError: one and one make three',
    '2 !== 3',
    `at TestContext.<anonymous> (${file}:8:10)`,
  ]);
  assert.deepEqual(failure(lines, new RegExp(`^ {2}${file} {2}a suite › throws a long error$`)), [
    'Error: first line',
    'second',
    'third',
    'fourth',
    'fifth',
    'sixth',
    '… 1 more in the log above',
    `at TestContext.<anonymous> (${file}:13:11)`,
  ]);
  assert.deepEqual(failure(lines, new RegExp(`^ {2}${file} {2}a suite whose hook fails$`)), [
    'Error: the hook broke',
    `at SuiteContext.<anonymous> (${file}:20:11)`,
  ]);
  const alike = failure(
    lines,
    new RegExp(`^ {2}${file} {2}a suite whose hook fails its tests alike › first$`),
  );
  assert.equal(alike[0], `Error: a line too long to show whole: ${'x'.repeat(200 - 38)}…`);
  assert.deepEqual(
    failure(lines, new RegExp(`^ {2}${file} {2}a suite whose hook fails its tests alike › second$`)),
    ['(the same error)'],
  );
  assert.doesNotMatch(lines.join('\n'), /never runs|passes beside it|passes {2}/);
});

test('a file that fails by itself is named with why: its exit code, or the time it ran out', () => {
  assert.ok(
    failure(runs.failing, /^ {2}test\/unit\/fixtures\/test-run\/exits\.ts {2}the file itself$/).includes(
      'its process exited with 3',
    ),
  );
  assert.ok(runs.hanging.includes('1 failed:'), runs.hanging.join('\n'));
  assert.deepEqual(
    failure(runs.hanging, /^ {2}test\/unit\/fixtures\/test-run\/hangs\.ts {2}the file itself$/),
    ['test timed out after 5000ms'],
  );
});

test('the slowest files come first, with their wall and CPU seconds, the failed ones marked', () => {
  const [heading, ...files] = runs.failing.slice(0, 5);
  assert.equal(heading, 'The 4 slowest of 4 test files (wall time, CPU time):');
  const seconds = files.map((l) => Number(/ (\d+\.\d) s +\d+\.\d s/.exec(l)?.[1]));
  assert.deepEqual(
    [...seconds].sort((a, b) => b - a),
    seconds,
  );
  assert.match(
    files.find((l) => l.includes('test-run/passes.ts'))!,
    /\d s +\d+\.\d s$/,
  );
  assert.match(
    files.find((l) => l.includes('test-run/failing-tests.ts'))!,
    /\d s {2}\(failed\)$/,
  );
  assert.match(
    files.find((l) => l.includes('test-run/exits.ts'))!,
    /\d s {2}\(failed\)$/,
  );
  assert.match(runs.failing[5] ?? '', /^CPU time of all 4 files: \d+\.\d s$/);
});

test("a file's CPU time holds what the processes it started and waited for cost", () => {
  const cpu = (name: string) => {
    const line = runs.failing.find((l) => l.includes(`test-run/${name}.ts`)) ?? '';
    return Number(/ (\d+\.\d) s(?: {2}\(failed\))?$/.exec(line)?.[1]);
  };
  // Both files start alike; the busy one's child worked two seconds of CPU on top.
  assert.ok(cpu('busy-child') - cpu('passes') >= 1.5, runs.failing.join('\n'));
  // And what records it leaves the file's worker threads alone.
  assert.doesNotMatch(runs.failing.join('\n'), /busy-child\.ts.*\(failed\)|busy-child\.ts {2}\S/);
});

test('a run where everything passed ends with the slowest files only', async () => {
  const run = await runFiles(120_000, 'passes');
  assert.equal(run.verdict, 'passed');
  assert.match(
    run.summary,
    /^The 1 slowest of 1 test files \(wall time, CPU time\):\n {2}test\/unit\/fixtures\/test-run\/passes\.ts +\d+\.\d s +\d+\.\d s\nCPU time of all 1 files: \d+\.\d s$/,
  );
});

test("every file's times as a table to keep, slowest first, a file without its CPU time kept", () => {
  const file = (name: string) => fileURLToPath(new URL(`../${name}.test.ts`, import.meta.url));
  const table = fileTimesTable([
    { file: file('unit/catalog'), ms: 1234, passed: true, cpuSeconds: 0.84 },
    { file: file('integration/worker-crash'), ms: 81_100, passed: false, cpuSeconds: 12.4 },
    { file: file('unit/cli-output'), ms: 2000, passed: true },
  ]);
  assert.equal(
    table,
    [
      'wall_s\tcpu_s\toutcome\tfile',
      '81.1\t12.4\tfailed\ttest/integration/worker-crash.test.ts',
      '2.0\t\tpassed\ttest/unit/cli-output.test.ts',
      '1.2\t0.8\tpassed\ttest/unit/catalog.test.ts',
      '',
    ].join('\n'),
  );
});
