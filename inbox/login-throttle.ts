/**
 * The sign-in throttle, consulted before any password is hashed. Every attempt is counted the
 * moment it arrives, per account and per source address, so a burst sent at once is throttled
 * as surely as one sent in a row; only a success takes its count back. An account or source
 * whose count reaches its limit is locked for a while, and attempts already running for an
 * account or a source are capped, so a burst costs at most a handful of hash computations.
 * Answers say how long to wait (HTTP 429 with Retry-After).
 */
import type { DirectoryUser, UserDirectory } from '../connectors/users/directory.ts';

export interface ThrottleLimits {
  /** Unsuccessful attempts per account within the window before it is locked. */
  maxFailures: number;
  /** How long a lock lasts. */
  lockMs: number;
  /** Unsuccessful attempts per source address within the window before it is locked (default 20). */
  maxSourceFailures?: number;
  /** How long attempts are remembered (default 15 minutes). */
  windowMs?: number;
  /** Attempts hashing at once for one account (default 2) and from one source (default 4). */
  concurrentPerAccount?: number;
  concurrentPerSource?: number;
}

export type Admission =
  | { admitted: true; ticket: AttemptTicket }
  | { admitted: false; retryAfterSeconds: number; why: 'locked' | 'busy' };

/** An attempt allowed to hash; `finish` once, with whether the password was right. */
export interface AttemptTicket {
  finish(succeeded: boolean): void;
}

export interface LoginThrottle {
  /** Counts the attempt, then admits it or says how long to wait. */
  admit(userId: string, ip: string): Admission;
}

interface Counter {
  /** Counted attempts that have not succeeded, oldest first. */
  strikes: { id: number; at: number }[];
  inFlight: number;
  lockedUntilMs: number;
  /** The attempt whose count set the lock. */
  lockedBy?: number;
}

const maxTracked = 10_000;

export function createLoginThrottle(limits: ThrottleLimits, now: () => number = Date.now): LoginThrottle {
  const windowMs = limits.windowMs ?? 15 * 60_000;
  const accountLimit = { strikes: limits.maxFailures, concurrent: limits.concurrentPerAccount ?? 2 };
  const sourceLimit = {
    strikes: limits.maxSourceFailures ?? 20,
    concurrent: limits.concurrentPerSource ?? 4,
  };
  const accounts = new Map<string, Counter>();
  const sources = new Map<string, Counter>();

  const counter = (map: Map<string, Counter>, key: string, at: number): Counter => {
    let c = map.get(key);
    if (!c) {
      // Bounded memory under a spray of user ids or addresses: forget the quiet ones.
      if (map.size >= maxTracked) forgetQuiet(map, at);
      c = { strikes: [], inFlight: 0, lockedUntilMs: 0 };
      map.set(key, c);
    }
    while (c.strikes.length > 0 && at - (c.strikes[0]?.at ?? at) > windowMs) c.strikes.shift();
    return c;
  };
  const forgetQuiet = (map: Map<string, Counter>, at: number) => {
    for (const [k, c] of map) {
      const last = c.strikes.at(-1)?.at ?? 0;
      if (c.inFlight === 0 && c.lockedUntilMs < at && at - last > windowMs) map.delete(k);
    }
  };
  const strike = (c: Counter, limit: number, id: number, at: number) => {
    c.strikes.push({ id, at });
    if (c.strikes.length >= limit) {
      c.lockedUntilMs = at + limits.lockMs;
      c.lockedBy = id;
    }
  };
  /** A success takes back its own count, and the lock its count set. */
  const refund = (c: Counter, id: number) => {
    c.strikes = c.strikes.filter((s) => s.id !== id);
    if (c.lockedBy === id) c.lockedUntilMs = 0;
  };
  let attempts = 0;

  return {
    admit(userId, ip) {
      const at = now();
      const account = counter(accounts, userId.trim().toLowerCase(), at);
      const source = counter(sources, ip, at);
      const lockedUntil = Math.max(account.lockedUntilMs, source.lockedUntilMs);
      if (lockedUntil > at) {
        return { admitted: false, retryAfterSeconds: Math.ceil((lockedUntil - at) / 1000), why: 'locked' };
      }
      const id = ++attempts;
      strike(account, accountLimit.strikes, id, at);
      strike(source, sourceLimit.strikes, id, at);
      if (account.inFlight >= accountLimit.concurrent || source.inFlight >= sourceLimit.concurrent) {
        return { admitted: false, retryAfterSeconds: 1, why: 'busy' };
      }
      account.inFlight += 1;
      source.inFlight += 1;
      let finished = false;
      return {
        admitted: true,
        ticket: {
          finish(succeeded) {
            if (finished) return;
            finished = true;
            account.inFlight -= 1;
            source.inFlight -= 1;
            if (!succeeded) return;
            // The account's owner proved who they are: its count starts again.
            account.strikes = [];
            account.lockedUntilMs = 0;
            refund(source, id);
          },
        },
      };
    },
  };
}

export type SignInResult =
  | { ok: true; user: DirectoryUser }
  | { ok: false; status: 401 }
  | { ok: false; status: 429; retryAfterSeconds: number };

/** One sign-in attempt through the throttle: counted, then (when admitted) the password checked. */
export async function throttledSignIn(
  throttle: LoginThrottle,
  users: UserDirectory,
  attempt: { userId: string; password: string; ip: string },
): Promise<SignInResult> {
  const admission = throttle.admit(attempt.userId, attempt.ip);
  if (!admission.admitted) return { ok: false, status: 429, retryAfterSeconds: admission.retryAfterSeconds };
  let user: DirectoryUser | undefined;
  try {
    user =
      attempt.userId && attempt.password
        ? await users.authenticate(attempt.userId, attempt.password.slice(0, 200))
        : undefined;
  } finally {
    admission.ticket.finish(user !== undefined);
  }
  return user ? { ok: true, user } : { ok: false, status: 401 };
}
