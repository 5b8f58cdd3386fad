/**
 * The end of `npm test`: each test file's wall time — node's test runner reports a whole file as
 * one test named by its path, from its process's start to its end — and the ten slowest, printed
 * with the CPU time each cost (scripts/lib/test-file-cpu.ts) and the CPU time of all the files; and
 * every file's, as a table to keep (`data/test-times.tsv`).
 */
import { relative, resolve } from 'node:path';
import type { TestEvent } from 'node:test/reporters';
import { projectRoot } from '../../temporal.config.ts';

type Complete = Extract<TestEvent, { type: 'test:complete' }>['data'];

export interface FileTime {
  file: string;
  ms: number;
  passed: boolean;
  /** User and system time of the file's processes; absent when the file's process did not say. */
  cpuSeconds?: number | undefined;
}

/** The file this event completes, when it is a whole file's (its tests are named by their titles). */
export function fileTime(event: Complete): FileTime | undefined {
  if (event.nesting !== 0 || event.file === undefined || resolve(event.name) !== event.file) return undefined;
  return { file: event.file, ms: event.details.duration_ms, passed: event.details.passed };
}

const seconds = (s: number | undefined) => (s === undefined ? '?' : `${s.toFixed(1)} s`);

export function slowestFiles(times: readonly FileTime[], shown = 10): string {
  if (times.length === 0) return '';
  const slowest = [...times]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, shown)
    .map((t) => ({ ...t, name: relative(projectRoot, t.file) }));
  const width = Math.max(...slowest.map((t) => t.name.length));
  const cpu = times.reduce((sum, t) => sum + (t.cpuSeconds ?? 0), 0);
  return [
    `The ${slowest.length} slowest of ${times.length} test files (wall time, CPU time):`,
    ...slowest.map(
      (t) =>
        `  ${t.name.padEnd(width)} ${seconds(t.ms / 1000).padStart(8)} ${seconds(t.cpuSeconds).padStart(8)}` +
        `${t.passed ? '' : '  (failed)'}`,
    ),
    `CPU time of all ${times.length} files: ${seconds(cpu)}`,
  ].join('\n');
}

/** Every file's times, slowest first, as tab-separated lines under a heading: wall and CPU seconds, passed, file. */
export function fileTimesTable(times: readonly FileTime[]): string {
  const rows = [...times]
    .sort((a, b) => b.ms - a.ms)
    .map((t) =>
      [
        (t.ms / 1000).toFixed(1),
        t.cpuSeconds?.toFixed(1) ?? '',
        t.passed ? 'passed' : 'failed',
        relative(projectRoot, t.file),
      ].join('\t'),
    );
  return ['wall_s\tcpu_s\toutcome\tfile', ...rows].join('\n') + '\n';
}
