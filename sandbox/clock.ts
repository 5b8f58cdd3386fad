/**
 * The sandbox's controllable business clock. Real time by default; `set` moves it to an instant
 * (running on from there, or frozen), `advance` shifts it, `reset` returns to real time. The state
 * is a small JSON value so it can be shared with the send/receive program processes via a file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const clockStateSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('real') }),
  z.object({ mode: z.literal('offset'), offsetMs: z.number() }),
  z.object({ mode: z.literal('frozen'), at: z.string() }),
]);
export type ClockState = z.infer<typeof clockStateSchema>;

export interface SandboxClock {
  now(): Date;
  state(): ClockState;
  /** Moves the clock to `iso`; it keeps running from there unless `frozen`. */
  set(iso: string, options?: { frozen?: boolean }): void;
  advance(minutes: number): void;
  reset(): void;
  /** Called after every change (the server mirrors the state to the programs' clock file). */
  onChange(listener: (state: ClockState) => void): void;
}

export function createClock(initial: ClockState = { mode: 'real' }): SandboxClock {
  let state: ClockState = initial;
  const listeners: ((s: ClockState) => void)[] = [];
  const changed = (next: ClockState) => {
    state = next;
    for (const l of listeners) l(state);
  };
  return {
    now: () => instantOf(state),
    state: () => state,
    set(iso, options = {}) {
      const at = Date.parse(iso);
      if (Number.isNaN(at)) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
      changed(
        options.frozen
          ? { mode: 'frozen', at: new Date(at).toISOString() }
          : { mode: 'offset', offsetMs: at - Date.now() },
      );
    },
    advance(minutes) {
      const ms = minutes * 60_000;
      if (state.mode === 'frozen')
        changed({ mode: 'frozen', at: new Date(Date.parse(state.at) + ms).toISOString() });
      else changed({ mode: 'offset', offsetMs: (state.mode === 'offset' ? state.offsetMs : 0) + ms });
    },
    reset: () => changed({ mode: 'real' }),
    onChange: (listener) => void listeners.push(listener),
  };
}

export function instantOf(state: ClockState): Date {
  if (state.mode === 'frozen') return new Date(state.at);
  if (state.mode === 'offset') return new Date(Date.now() + state.offsetMs);
  return new Date();
}

export function writeClockFile(path: string, state: ClockState): void {
  writeFileSync(path, JSON.stringify(state));
}

/**
 * A clock that follows the file the server writes, as it was when last `look`ed at (a program
 * looks once a round: reading and checking the file at every timestamp cost it more than its
 * work); real time when the file is absent or bad.
 */
export function fileClock(path: string): { now: () => Date; look: () => void } {
  const read = (): ClockState => {
    try {
      const parsed = clockStateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      return parsed.success ? parsed.data : { mode: 'real' };
    } catch {
      return { mode: 'real' };
    }
  };
  let state = read();
  return {
    now: () => instantOf(state),
    look: () => {
      state = read();
    },
  };
}
