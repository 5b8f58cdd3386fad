/**
 * The CLI's way through the front door: sign in to the inbox's JSON API as a person (`--user` or
 * JINCAI_USER; the password from JINCAI_PASSWORD or a hidden prompt on a terminal), call it with
 * the bearer token, sign out. The commands that change something — start, claim, approve, reject
 * — all go this way, so the inbox authenticates the person and signs for them; the CLI holds no
 * key. Also the exit codes those commands share: 0 done, 1 failed, 2 bad usage, 3 refused.
 */
import type { SiteConfig } from '../../temporal.config.ts';
import { canPrompt, promptHidden, PromptCancelledError, type PromptStreams } from './hidden-prompt.ts';

/** Where the commands write and read; stdin/stderr serve the hidden password prompt only. */
export interface CommandIo extends PromptStreams {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

export class UsageError extends Error {}
export class FailedError extends Error {}
export class RefusedError extends Error {}

export interface ApiAnswer {
  status: number;
  json: Record<string, unknown>;
}

export interface InboxSession {
  user: string;
  call(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** Signs out (the token ends on the server); never throws. */
  close(): Promise<void>;
}

function commandIo(partial: Partial<CommandIo> = {}): CommandIo {
  return {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    env: process.env,
    stdin: process.stdin,
    stderr: process.stderr,
    ...partial,
  };
}

/** What every command through the inbox is given; `io` defaults to the process's. */
export interface InboxCommandOptions {
  site: SiteConfig;
  io?: Partial<CommandIo>;
  /** `--check-args`: check the command line, then stop. */
  checkOnly?: boolean;
}

/**
 * A command through the inbox as the CLI runs it: `body` does the work and throws its typed
 * failures, which become the exit code with the message on stderr.
 */
export function inboxCommand<C, O extends InboxCommandOptions = InboxCommandOptions>(
  body: (command: C, argv: string[], options: O, io: CommandIo) => Promise<void>,
): (command: C, argv: string[], options: O) => Promise<number> {
  return async (command, argv, options) => {
    const io = commandIo(options.io);
    try {
      await body(command, argv, options, io);
      return 0;
    } catch (err) {
      const code =
        err instanceof UsageError ? 2 : err instanceof RefusedError ? 3 : err instanceof FailedError ? 1 : 0;
      if (code === 0) throw err;
      io.err((err as Error).message);
      return code;
    }
  };
}

export function unexpected(what: string, answer: ApiAnswer): FailedError {
  return new FailedError(
    `${what}: the inbox answered ${answer.status} ${String(answer.json.message ?? answer.json.error ?? '')}`,
  );
}

function inboxBase(value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url;
  } catch {
    throw new UsageError(`--inbox: expected the inbox's http(s) URL, got "${value}"`);
  }
}

async function askPassword(io: CommandIo, prompt: string): Promise<string> {
  if (!canPrompt(io)) {
    throw new UsageError(
      'no password: set JINCAI_PASSWORD, or run the command in a terminal to be asked for it / 请设置 JINCAI_PASSWORD 或在终端中运行',
    );
  }
  try {
    const password = await promptHidden(prompt, io);
    if (!password) throw new UsageError('no password given');
    return password;
  } catch (err) {
    if (err instanceof PromptCancelledError) throw new UsageError('cancelled');
    throw err;
  }
}

/** Signs in to the inbox's API; a throttled sign-in fails saying how long to wait. */
export async function signInToInbox(options: {
  site: SiteConfig;
  io: CommandIo;
  user?: string;
  inbox?: string;
}): Promise<InboxSession> {
  const { io } = options;
  const user = options.user ?? io.env.JINCAI_USER;
  if (!user) throw new UsageError('--user: say who you are (or set JINCAI_USER)');
  const base = inboxBase(options.inbox ?? options.site.inbox.publicUrl);
  const password =
    io.env.JINCAI_PASSWORD || (await askPassword(io, `${user} 的密码 / password for ${user}: `));

  const request = async (
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<ApiAnswer> => {
    let res: Response;
    try {
      res = await fetch(new URL(path, base), {
        method,
        headers: {
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...(token && { authorization: `Bearer ${token}` }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new FailedError(`cannot reach the inbox at ${base} (${(err as Error).message}); is it running?`);
    }
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new FailedError(
        `${method} ${path}: the inbox answered ${res.status} with something that is not JSON`,
      );
    }
    if (res.status === 429 && path === '/api/session') {
      const wait = res.headers.get('retry-after') ?? '?';
      throw new FailedError(
        `sign-in refused for now: too many sign-in attempts; try again in ${wait} s / 登录尝试次数过多，请 ${wait} 秒后再试`,
      );
    }
    return { status: res.status, json };
  };

  const session = await request('POST', '/api/session', undefined, { user, password });
  if (session.status === 401)
    throw new FailedError('sign-in failed: wrong user id or password / 用户名或密码错误');
  if (session.status !== 200) throw unexpected('sign-in', session);
  const token = String(session.json.token);
  const call = (method: string, path: string, body?: unknown) => request(method, path, token, body);
  return {
    user,
    call,
    async close() {
      await call('DELETE', '/api/session').catch(() => undefined);
    },
  };
}
