/**
 * The local user store: a JSON file of users with scrypt password hashes
 * (`scrypt$N$r$p$salt$hash`, base64), re-read when it changes so added users need no restart.
 * Verification is constant-time and spends the same work for unknown users as for known ones.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { DirectoryUser, UserDirectory } from './directory.ts';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

const params = { N: 16384, r: 8, p: 1 };
const keyLength = 32;

export const userIdPattern = /^[a-z][a-z0-9._-]{1,31}$/;

const storeSchema = z
  .object({
    users: z.array(
      z
        .object({
          id: z.string().regex(userIdPattern, 'a user id: lower-case letters, digits, . _ -'),
          displayName: z.string().min(1),
          roles: z.array(z.string().min(1)),
          password: z
            .string()
            .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, 'an scrypt hash'),
        })
        .strict(),
    ),
  })
  .strict();
type StoredUser = z.infer<typeof storeSchema>['users'][number];

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, keyLength, { ...params, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash ?? '', 'base64');
  const key = await scrypt(password, Buffer.from(salt ?? '', 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const publicView = (u: StoredUser): DirectoryUser => ({
  id: u.id,
  displayName: u.displayName,
  roles: u.roles,
});

export function createLocalUserStore(file: string): UserDirectory & {
  /** Adds or replaces a user (the `users` script and the embedded stack's demo users). */
  put(user: DirectoryUser, password: string): Promise<void>;
  /** Removes a user; false when there was none with that id. */
  remove(id: string): Promise<boolean>;
} {
  let cache: { mtimeMs: number; users: StoredUser[] } | undefined;
  const dummyHash = hashPassword(randomBytes(12).toString('hex'));

  const load = (): StoredUser[] => {
    if (!existsSync(file)) return [];
    const mtimeMs = statSync(file).mtimeMs;
    if (cache?.mtimeMs === mtimeMs) return cache.users;
    const parsed = storeSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`user store ${file}: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    cache = { mtimeMs, users: parsed.data.users };
    return cache.users;
  };

  return {
    async authenticate(id, password) {
      const user = load().find((u) => u.id === id);
      const ok = await passwordMatches(password, user?.password ?? (await dummyHash));
      return user && ok ? publicView(user) : undefined;
    },
    async get(id) {
      const user = load().find((u) => u.id === id);
      return user && publicView(user);
    },
    async list() {
      return load().map(publicView);
    },
    async put(user, password) {
      if (!userIdPattern.test(user.id))
        throw new Error(`user id "${user.id}": expected lower-case letters, digits, . _ -`);
      if (password.length < 10) throw new Error('password: expected at least 10 characters');
      const users = load().filter((u) => u.id !== user.id);
      users.push({ ...user, password: await hashPassword(password) });
      save(users);
    },
    async remove(id) {
      const users = load();
      const kept = users.filter((u) => u.id !== id);
      if (kept.length === users.length) return false;
      save(kept);
      return true;
    },
  };

  function save(users: StoredUser[]): void {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });
    cache = undefined;
  }
}
