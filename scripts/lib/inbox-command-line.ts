/**
 * The command line of the CLI's commands through the inbox (start, claim, approve/reject,
 * retry/skip/abort): their own options beside `--user`, `--inbox` and `--help`, a bad option a
 * usage error that shows the command's usage; the commands on one run also share their workflow
 * id and `--reason`. And how a claim or a decision is posted, with what the commands make of one
 * the inbox did not accept.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  FailedError,
  RefusedError,
  unexpected,
  UsageError,
  type CommandIo,
  type InboxSession,
} from './inbox-session.ts';

const signInOptions = {
  user: { type: 'string' },
  inbox: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseInboxCommandLine<O extends Options>(argv: string[], options: O, usage: string) {
  const config = { args: argv, allowPositionals: true as const, options: { ...options, ...signInOptions } };
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

export interface OneRunCommandLine {
  workflowId: string;
  reason?: string;
  /** `--user` and `--inbox`, as `signInToInbox` takes them. */
  signIn: { user?: string; inbox?: string };
}

/**
 * `<command> <workflow-id> [--reason <why>]`; `reasonRequired` is the usage error when the command
 * needs a reason (at least 2 characters). Undefined once `--help` has printed the usage.
 */
export function parseOneRunCommandLine(
  argv: string[],
  spec: { command: string; usage: string; reasonRequired?: string },
  io: CommandIo,
): OneRunCommandLine | undefined {
  const { values, positionals } = parseInboxCommandLine(argv, { reason: { type: 'string' } }, spec.usage);
  if (values.help) {
    io.out(spec.usage);
    return undefined;
  }
  const [workflowId, ...extra] = positionals;
  if (!workflowId || extra.length > 0)
    throw new UsageError(`${spec.command}: give exactly one workflow id\n\n${spec.usage}`);
  const reason = values.reason?.trim();
  if (spec.reasonRequired && (reason ?? '').length < 2) throw new UsageError(spec.reasonRequired);
  if (reason && reason.length > 1000) throw new UsageError('--reason: expected at most 1000 characters');
  return {
    workflowId,
    ...(reason && { reason }),
    signIn: signInOf(values),
  };
}

/** `--user` and `--inbox` as given, for `signInToInbox`. */
export function signInOf(values: { user?: string | undefined; inbox?: string | undefined }): {
  user?: string;
  inbox?: string;
} {
  return { ...(values.user && { user: values.user }), ...(values.inbox && { inbox: values.inbox }) };
}

/**
 * Posts a claim or a decision and gives the inbox's answer once accepted; otherwise throws: no
 * such run (exit 1), refused (3, the reason in Chinese and English and what the inbox saw), a bad
 * request (2), anything else (1).
 */
export async function postAccepted(
  inbox: InboxSession,
  path: string,
  body: Record<string, unknown>,
  what: { notFound: string; refused: string; sending: string },
): Promise<Record<string, unknown>> {
  const answer = await inbox.call('POST', path, body);
  if (answer.status === 200) return answer.json;
  const { json } = answer;
  if (json.reason === 'not-found') throw new FailedError(what.notFound);
  if (json.error === 'refused') {
    const m = json.message as { zh: string; en: string };
    const detail = typeof json.detail === 'string' ? `\n  (${json.detail})` : '';
    throw new RefusedError(`${what.refused} (${String(json.reason)}):\n  ${m.zh}\n  ${m.en}${detail}`);
  }
  if (answer.status === 400) throw new UsageError(String(json.message));
  throw unexpected(what.sending, answer);
}
