/**
 * The CLI's commands that start runs, through the inbox's API like the approval commands: the
 * person signs in, and the inbox starts the run with a start assertion it signs for them, so
 * the workflow knows who asked. The input is checked here first (exit 2 before anything is
 * contacted), and again by the inbox and by the workflow.
 *   start <runbook> [--input <json|file>] [--id <workflow-id>] [--wait]
 * Options as for approvals: --user (or JINCAI_USER), --inbox, the password from JINCAI_PASSWORD or
 * a hidden prompt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { connectClient } from './client.ts';
import { parseInboxCommandLine } from './inbox-command-line.ts';
import {
  inboxCommand,
  RefusedError,
  signInToInbox,
  unexpected,
  UsageError,
  type CommandIo,
  type InboxCommandOptions,
} from './inbox-session.ts';
import { prepareStart } from './run-start.ts';
import { runbookEntry } from '../../workflows/catalog.ts';
import { RunbookInputError } from './runbook-input.ts';
import { argumentsOk } from './check-args.ts';

export const runCommands = ['start'] as const;
export type RunCommand = (typeof runCommands)[number];

export function isRunCommand(value: unknown): value is RunCommand {
  return (runCommands as readonly unknown[]).includes(value);
}

export const runUsage = `Starting runs (through the approval inbox's API, as you):
  start <runbook> [--input <json|file>] [--id <workflow-id>] [--wait]
                                        check the input, then start the runbook
    --user <id>, --inbox <url>, password: as for approvals`;

/** `checkOnly` also checks an input given inline. */
export interface RunCommandOptions extends InboxCommandOptions {
  /** Prints a finished run's result (the CLI's own format); used by --wait. */
  printResult?: (result: unknown) => void;
}

export const runRunCommand = inboxCommand(start);

const isInline = (value: string) => /^\s*[{[]/.test(value);

function readInput(value: string | undefined): unknown {
  if (value === undefined) return {};
  const trimmed = value.trim();
  if (isInline(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch (err) {
      throw new UsageError(`--input: not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!existsSync(value))
    throw new UsageError(`--input: expected JSON text or a file path; no file "${value}"`);
  const text = readFileSync(value, 'utf8');
  try {
    return value.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(`--input: file ${value} is not valid JSON/YAML: ${(err as Error).message}`);
  }
}

async function start(
  command: RunCommand,
  argv: string[],
  options: RunCommandOptions,
  io: CommandIo,
): Promise<void> {
  const { values, positionals } = parseInboxCommandLine(
    argv,
    { input: { type: 'string' }, id: { type: 'string' }, wait: { type: 'boolean' } },
    runUsage,
  );
  if (values.help) {
    io.out(runUsage);
    return;
  }
  const [runbook, ...extra] = positionals;
  if (!runbook || extra.length > 0)
    throw new UsageError(`${command}: name one runbook to start\n\n${runUsage}`);
  const { site } = options;
  const user = values.user ?? io.env.JINCAI_USER;
  // Under --check-args an input file is not read: the runbook's name is what there is to check.
  const unread = options.checkOnly === true && values.input !== undefined && !isInline(values.input);
  const input = unread ? undefined : readInput(values.input);
  if (unread) {
    if (!runbookEntry(runbook)) throw new UsageError(`start: unknown runbook "${runbook}"`);
  } else {
    try {
      // The inbox puts the signed-in person in as requestedBy; a stand-in does for this check.
      prepareStart(runbook, input, {
        site,
        user: user ?? 'requester',
        ...(values.id && { workflowId: values.id }),
      });
    } catch (err) {
      if (err instanceof RunbookInputError) throw new UsageError(err.message);
      throw err;
    }
  }
  if (!user) throw new UsageError('--user: say who you are (or set JINCAI_USER)');
  if (options.checkOnly) {
    const from = unread ? `, its input from ${values.input} (not read)` : '';
    io.out(
      argumentsOk(`start ${runbook} as ${user}${from}${values.wait ? ', then wait for its result' : ''}`),
    );
    return;
  }

  const inbox = await signInToInbox({ site, io, user, ...(values.inbox && { inbox: values.inbox }) });
  let workflowId: string;
  try {
    const answer = await inbox.call('POST', '/api/runs', {
      runbook,
      input,
      ...(values.id && { workflowId: values.id }),
    });
    if (answer.status === 400 && answer.json.error === 'invalid_input')
      throw new UsageError(String(answer.json.message));
    if (answer.status === 409) {
      const id = String(answer.json.workflowId);
      throw new RefusedError(`${id} is already running; follow it with: npm run runbook -- status ${id}`);
    }
    if (answer.status === 403)
      throw new RefusedError(
        `${user} may not start runbooks (an engineer's role is needed) / 需要运维工程师角色`,
      );
    if (answer.status !== 201) throw unexpected('starting the run', answer);
    workflowId = String(answer.json.workflowId);
    io.out(`Started ${runbook} as ${user}: ${workflowId} (run ${String(answer.json.runId)})`);
  } finally {
    await inbox.close();
  }
  if (!values.wait) return;
  const client = await connectClient(site);
  try {
    const result: unknown = await client.workflow.getHandle(workflowId).result();
    (options.printResult ?? ((r) => io.out(JSON.stringify(r, null, 2))))(result);
  } finally {
    await client.connection.close();
  }
}
