/**
 * Runs test files with node's test runner, each in a process of its own, `concurrency` at a time,
 * writing the spec reporter's lines as they come; then says how it went: the ten slowest files and
 * every failed test (scripts/lib/slowest-test-files.ts, scripts/lib/failed-tests.ts).
 */
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { FailedTests } from './failed-tests.ts';
import { fileTime, slowestFiles, type FileTime } from './slowest-test-files.ts';

export async function runTestFiles(options: {
  files: string[];
  concurrency: number;
  /** A file still running after this is failed. */
  timeoutMs: number;
  write: (text: string) => void;
}): Promise<{ passed: boolean; summary: string }> {
  const times: FileTime[] = [];
  const failures = new FailedTests();
  const stream = run({ files: options.files, concurrency: options.concurrency, timeout: options.timeoutMs });
  stream.on('test:start', (event) => failures.started(event));
  stream.on('test:fail', (event) => failures.failed(event));
  stream.on('test:complete', (event) => {
    const time = fileTime(event);
    if (time) times.push(time);
  });
  for await (const line of stream.compose(new spec())) options.write(line as string);
  const passed = failures.count === 0 && times.every((t) => t.passed);
  return { passed, summary: [slowestFiles(times), ...(passed ? [] : [failures.summary()])].join('\n') };
}
