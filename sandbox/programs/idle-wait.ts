/**
 * How an idle send/receive program waits before its next round. A round that found nothing to move
 * is followed by a wait of the program's interval, doubled after each further idle round up to
 * `longestMs`: an estate at rest costs a few rounds a second instead of three per program. The wait
 * ends at once when one of the watched files changes — the treasury database (a commit by a worker,
 * the sandbox or another program: a voucher to send may be waiting) or the business clock — so new
 * work is taken up as soon as it is there; only what the bank sends while the program waits is picked
 * up at its next round.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface IdleWait {
  /** A round starts: changes seen until now are its to find. */
  roundStarts(): void;
  /** The round moved something: the next idle wait is short again. */
  moved(): void;
  /** After an idle round: resolves once a watched file changed or the wait ended. */
  idle(): Promise<void>;
  close(): void;
}

export function idleWait(options: {
  /** Files whose change ends the wait: an SQLite database also by its write-ahead log. */
  files: string[];
  intervalMs: number;
  longestMs: number;
  onError: (err: Error) => void;
}): IdleWait {
  let delay = options.intervalMs;
  let changed = false;
  let wake: (() => void) | undefined;
  const byDir = new Map<string, Set<string>>();
  for (const file of options.files) {
    const names = byDir.get(dirname(file)) ?? new Set<string>();
    names.add(basename(file)).add(`${basename(file)}-wal`);
    byDir.set(dirname(file), names);
  }
  const watchers: FSWatcher[] = [...byDir].map(([dir, names]) =>
    watch(dir, { persistent: false }, (_event, name) => {
      if (name !== null && !names.has(name)) return;
      changed = true;
      wake?.();
    }).on('error', options.onError),
  );

  return {
    roundStarts() {
      changed = false;
    },
    moved() {
      delay = options.intervalMs;
    },
    async idle() {
      if (changed) return;
      await new Promise<void>((resolve) => {
        const end = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(end, delay);
        wake = end;
      });
      if (!changed) delay = Math.min(delay * 2, options.longestMs);
    },
    close() {
      for (const watcher of watchers) watcher.close();
    },
  };
}
