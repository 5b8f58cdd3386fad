/**
 * The very end of `npm test`, after the slowest files: every failed test — its file, the suites it
 * sits in and its name — with the first lines of its error and where in the project it was thrown,
 * so the tail of a CI log says what failed. A suite failed only by its subtests is not repeated;
 * tests cancelled with their suite or file are counted, not listed; a file's own failure is listed
 * when it timed out, or when its process exited badly and none of its tests says why.
 */
import { relative, resolve } from 'node:path';
import type { TestEvent } from 'node:test/reporters';
import { projectRoot } from '../../temporal.config.ts';

type Start = Extract<TestEvent, { type: 'test:start' }>['data'];
type Fail = Extract<TestEvent, { type: 'test:fail' }>['data'];

/** Lines of an error shown, and their width; the whole error is in the log above. */
const errorLinesShown = 6;
const lineWidth = 200;

interface Failure {
  file: string;
  timedOut: boolean;
  /** Suites outermost first, then the test. */
  path: string[];
  error: string[];
}

/** What node's test runner puts in `details.error` of a failed test. */
interface RunnerError {
  failureType?: string;
  cause?: unknown;
  exitCode?: number | null;
  signal?: string | null;
}

export class FailedTests {
  /** Per file, the names of the tests now open, by nesting. */
  private readonly open = new Map<string, string[]>();
  private readonly failures: Failure[] = [];
  private readonly fileFailures: Failure[] = [];
  private readonly cancelled = new Map<string, number>();

  started(event: Start): void {
    if (event.file === undefined) return;
    const names = this.open.get(event.file) ?? [];
    names.length = event.nesting;
    names.push(event.name);
    this.open.set(event.file, names);
  }

  /** Node's runner reports a test's failure after its start, and a suite's after its tests'. */
  failed(event: Fail): void {
    if (event.file === undefined) return;
    const error = event.details.error as RunnerError;
    if (error.failureType === 'subtestsFailed') return;
    if (error.failureType === 'cancelledByParent') {
      this.cancelled.set(event.file, (this.cancelled.get(event.file) ?? 0) + 1);
      return;
    }
    const wholeFile = event.nesting === 0 && resolve(event.name) === event.file;
    const suites = wholeFile ? [] : (this.open.get(event.file) ?? []).slice(0, event.nesting);
    (wholeFile ? this.fileFailures : this.failures).push({
      file: event.file,
      timedOut: error.failureType === 'testTimeoutFailure',
      path: wholeFile ? ['the file itself'] : [...suites, event.name],
      error: errorLines(error),
    });
  }

  get count(): number {
    return this.failures.length + this.shownFileFailures().length;
  }

  summary(): string {
    // By file, in the order each file reported them.
    const shown = [...this.failures, ...this.shownFileFailures()].sort((a, b) =>
      a.file.localeCompare(b.file),
    );
    if (shown.length === 0) return '';
    const cancelled = [...this.cancelled.values()].reduce((a, b) => a + b, 0);
    return [
      `${shown.length} failed${cancelled > 0 ? ` (and ${cancelled} cancelled with them)` : ''}:`,
      ...shown.flatMap((f, i) => {
        const before = shown[i - 1];
        // A failed hook fails every test under it alike: its error once, under the first.
        const same = before?.file === f.file && before.error.join('\n') === f.error.join('\n');
        return [
          `  ${relative(projectRoot, f.file)}  ${f.path.join(' › ')}`,
          ...(same ? ['      (the same error)'] : f.error.map((l) => `      ${l}`)),
        ];
      }),
    ].join('\n');
  }

  /** A file's own failure says something when it ran out of time, or when none of its tests failed. */
  private shownFileFailures(): Failure[] {
    return this.fileFailures.filter((ff) => ff.timedOut || !this.failures.some((f) => f.file === ff.file));
  }
}

function errorLines(error: RunnerError): string[] {
  const { cause, exitCode, signal } = error;
  const ended = signal
    ? `its process was killed by ${signal}`
    : exitCode
      ? `its process exited with ${exitCode}`
      : '';
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause ?? 'no error given');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const where =
    cause instanceof Error
      ? cause.stack
          ?.split('\n')
          .find((l) => /^\s+at /.test(l) && l.includes(projectRoot) && !l.includes('node_modules'))
          ?.trim()
      : undefined;
  return [
    ...lines.slice(0, errorLinesShown).map((l) => (l.length > lineWidth ? `${l.slice(0, lineWidth)}…` : l)),
    ...(lines.length > errorLinesShown ? [`… ${lines.length - errorLinesShown} more in the log above`] : []),
    ...(where ? [where.replace(`file://${projectRoot}/`, '').replace(`${projectRoot}/`, '')] : []),
    ...(ended ? [ended] : []),
  ];
}
