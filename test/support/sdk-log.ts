/**
 * What the Temporal SDK logs in a test's process, captured as workers/main.ts routes it: the
 * workflows' own lines (a refused update, an ignored signal) and the worker's (an input it cannot
 * read). Runtime.install works once per process, before any connection or worker exists.
 */
import { Runtime } from '@temporalio/worker';
import { patienceMs } from './patience.ts';

export interface SdkLine {
  level: string;
  message: string;
  meta: Record<string, unknown>;
  /** Message and metadata as one searchable line. */
  text: string;
}

export function captureSdkLog(): SdkLine[] {
  const lines: SdkLine[] = [];
  const keep = (level: string) => (message: string, meta?: Record<string, unknown>) =>
    void lines.push({ level, message, meta: meta ?? {}, text: `${message} ${JSON.stringify(meta ?? {})}` });
  Runtime.install({
    logger: {
      log: (level, message, meta) => keep(level)(message, meta),
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: keep('WARN'),
      error: keep('ERROR'),
    },
  });
  return lines;
}

/** The first line `match` finds, waited for: a workflow logs when its worker runs its task. */
export async function loggedLine(lines: SdkLine[], match: (line: SdkLine) => boolean): Promise<SdkLine> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    const found = lines.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('the worker did not log the line awaited');
    await new Promise((r) => setTimeout(r, 200));
  }
}
