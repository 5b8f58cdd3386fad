/**
 * Signed-in people, in memory: a session per sign-in (browser cookie or CLI bearer token, never
 * interchangeable), each with its own CSRF synchronizer token, ended by sign-out or by idle
 * expiry. Restarting the inbox signs everyone out, which is acceptable for a tool used a few
 * times a day. The sign-in throttle is in login-throttle.ts.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DirectoryUser } from '../connectors/users/directory.ts';

export type SessionKind = 'browser' | 'bearer';

export interface Session {
  /** 32 random bytes, base64url: the cookie value or the bearer token. */
  id: string;
  kind: SessionKind;
  user: DirectoryUser;
  /** The synchronizer token every form of this session carries. */
  csrfToken: string;
  createdMs: number;
  lastSeenMs: number;
}

export interface SessionStore {
  create(user: DirectoryUser, kind: SessionKind): Session;
  /** The live session with this id and kind, its idle timer restarted; undefined otherwise. */
  touch(id: string | undefined, kind: SessionKind): Session | undefined;
  end(id: string | undefined): void;
  /** Drops idle sessions; returns how many are left. */
  sweep(): number;
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function createSessionStore(options: { idleMs: number; now?: () => number }): SessionStore {
  const now = options.now ?? Date.now;
  // Keyed by a hash of the id, so a lookup's timing says nothing about stored ids.
  const sessions = new Map<string, Session>();
  const key = (id: string) => createHash('sha256').update(id).digest('base64url');
  const alive = (s: Session, at: number) => at - s.lastSeenMs < options.idleMs;

  return {
    create(user, kind) {
      const at = now();
      const session: Session = {
        id: randomToken(),
        kind,
        user,
        csrfToken: randomToken(),
        createdMs: at,
        lastSeenMs: at,
      };
      sessions.set(key(session.id), session);
      return session;
    },
    touch(id, kind) {
      if (!id || id.length > 100) return undefined;
      const k = key(id);
      const session = sessions.get(k);
      if (!session || session.kind !== kind) return undefined;
      const at = now();
      if (!alive(session, at)) {
        sessions.delete(k);
        return undefined;
      }
      session.lastSeenMs = at;
      return session;
    },
    end(id) {
      if (id) sessions.delete(key(id));
    },
    sweep() {
      const at = now();
      for (const [k, s] of sessions) if (!alive(s, at)) sessions.delete(k);
      return sessions.size;
    },
  };
}

/** Constant-time comparison of two tokens (a missing one never matches). */
export function tokensMatch(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
