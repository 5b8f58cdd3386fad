/**
 * Runs test files with node's test runner, each in a process of its own, `concurrency` at a time,
 * writing the spec reporter's lines as they come; then says how it went — every file's wall and CPU
 * time, and a summary: the ten slowest files with their CPU time (scripts/lib/test-file-cpu.ts) and every failed test
 * (scripts/lib/slowest-test-files.ts, scripts/lib/failed-tests.ts). Each file runs as its compiled
 * file in the test build (scripts/lib/compile-project.ts), and is still named as itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { FailedTests } from './failed-tests.ts';
import { fileTime, slowestFiles, type FileTime } from './slowest-test-files.ts';
import { compiledFile } from './test-build-layout.ts';
import { readTestFileCpu, recordTestFileCpu, testFileCpuEnv } from './test-file-cpu.ts';

/** tsx's loader among node's options (`--import tsx`, or the paths of its hooks the tsx command gives). */
const tsxOption = /^tsx$|[\\/]node_modules[\\/]tsx[\\/]/;

export async function runTestFiles(options: {
  files: string[];
  /**
   * A test build holding the project compiled (scripts/lib/test-build-layout.ts): each file runs
   * as its compiled file, in a process without tsx's loader, its stack traces mapped back to the
   * sources; the summary still names the file given.
   */
  build: string;
  concurrency: number;
  /** A file still running after this is failed. */
  timeoutMs: number;
  write: (text: string) => void;
}): Promise<{ passed: boolean; summary: string; times: FileTime[] }> {
  const times: FileTime[] = [];
  const failures = new FailedTests();
  const cpuDir = mkdtempSync(join(tmpdir(), 'jincai-test-cpu-'));
  process.env[testFileCpuEnv] = cpuDir;
  // Node's test runner starts each file's process with this process's own options, plus these.
  process.execArgv.push('--import', recordTestFileCpu);
  process.execArgv = [
    ...process.execArgv.filter((arg, i, all) => ![arg, all[i + 1]].some((a) => a && tsxOption.test(a))),
    '--enable-source-maps',
  ];
  const runAs = (file: string) => compiledFile(file, options.build);
  const given = new Map(options.files.map((file) => [runAs(file), file]));
  // The runner's events name the file it ran; the summary names the file given.
  const asGiven = <E extends { file?: string | undefined; name: string }>(event: E): E => {
    const file = event.file === undefined ? undefined : given.get(event.file);
    if (file === undefined) return event;
    return { ...event, file, name: resolve(event.name) === event.file ? file : event.name };
  };
  const stream = run({
    files: [...given.keys()],
    concurrency: options.concurrency,
    timeout: options.timeoutMs,
  });
  stream.on('test:start', (event) => failures.started(asGiven(event)));
  stream.on('test:fail', (event) => failures.failed(asGiven(event)));
  stream.on('test:complete', (event) => {
    const time = fileTime(asGiven(event));
    if (time) times.push(time);
  });
  for await (const line of stream.compose(new spec())) options.write(line as string);
  const cpu = readTestFileCpu(cpuDir);
  rmSync(cpuDir, { recursive: true, force: true });
  const measured = times.map((t) => ({ ...t, cpuSeconds: cpu.get(runAs(t.file)) }));
  const passed = failures.count === 0 && times.every((t) => t.passed);
  return {
    passed,
    summary: [slowestFiles(measured), ...(passed ? [] : [failures.summary()])].join('\n'),
    times: measured,
  };
}
