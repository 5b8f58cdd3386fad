/**
 * The end of `npm test`: each test file's wall time — node's test runner reports a whole file as
 * one test named by its path, from its process's start to its end — and the ten slowest, printed.
 */
import { relative, resolve } from 'node:path';
import type { TestEvent } from 'node:test/reporters';
import { projectRoot } from '../../temporal.config.ts';

type Complete = Extract<TestEvent, { type: 'test:complete' }>['data'];

export interface FileTime {
  file: string;
  ms: number;
  passed: boolean;
}

/** The file this event completes, when it is a whole file's (its tests are named by their titles). */
export function fileTime(event: Complete): FileTime | undefined {
  if (event.nesting !== 0 || event.file === undefined || resolve(event.name) !== event.file) return undefined;
  return { file: event.file, ms: event.details.duration_ms, passed: event.details.passed };
}

export function slowestFiles(times: readonly FileTime[], shown = 10): string {
  if (times.length === 0) return '';
  const slowest = [...times]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, shown)
    .map((t) => ({ ...t, name: relative(projectRoot, t.file) }));
  const width = Math.max(...slowest.map((t) => t.name.length));
  return [
    `The ${slowest.length} slowest of ${times.length} test files:`,
    ...slowest.map(
      (t) =>
        `  ${t.name.padEnd(width)} ${`${(t.ms / 1000).toFixed(1)} s`.padStart(8)}${t.passed ? '' : '  (failed)'}`,
    ),
  ].join('\n');
}
