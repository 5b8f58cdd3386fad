/**
 * Runs test files with node's test runner, each in a process of its own, `concurrency` at a time,
 * writing the spec reporter's lines as they come; then says how it went — every file's wall and CPU
 * time, and a summary: the ten slowest files with their CPU time (scripts/lib/test-file-cpu.ts) and every failed test
 * (scripts/lib/slowest-test-files.ts, scripts/lib/failed-tests.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { FailedTests } from './failed-tests.ts';
import { fileTime, slowestFiles, type FileTime } from './slowest-test-files.ts';
import { readTestFileCpu, recordTestFileCpu, testFileCpuEnv } from './test-file-cpu.ts';

export async function runTestFiles(options: {
  files: string[];
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
  const stream = run({ files: options.files, concurrency: options.concurrency, timeout: options.timeoutMs });
  stream.on('test:start', (event) => failures.started(event));
  stream.on('test:fail', (event) => failures.failed(event));
  stream.on('test:complete', (event) => {
    const time = fileTime(event);
    if (time) times.push(time);
  });
  for await (const line of stream.compose(new spec())) options.write(line as string);
  const cpu = readTestFileCpu(cpuDir);
  rmSync(cpuDir, { recursive: true, force: true });
  const measured = times.map((t) => ({ ...t, cpuSeconds: cpu.get(t.file) }));
  const passed = failures.count === 0 && times.every((t) => t.passed);
  return {
    passed,
    summary: [slowestFiles(measured), ...(passed ? [] : [failures.summary()])].join('\n'),
    times: measured,
  };
}
