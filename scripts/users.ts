/**
 * The approvers' local user store (`approvals.users.file` of the site):
 *   npm run users -- add <id> --name <显示名> --roles finance-approver,engineer
 *   npm run users -- list
 *   npm run users -- remove <id>
 * The password comes from JINCAI_NEW_PASSWORD or is asked for twice, without echo, on a terminal;
 * it is stored as an scrypt hash only. `add` on an existing id replaces that user.
 * Exit codes: 0 done, 1 failed, 2 bad usage.
 */
import { parseArgs } from 'node:util';
import { createLocalUserStore, userIdPattern } from '../connectors/users/local-store.ts';
import { loadSite, SiteConfigError } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { canPrompt, promptHidden, PromptCancelledError } from './lib/hidden-prompt.ts';

const usage = `Usage: npm run users -- <command>

Commands:
  add <id> --name <display name> --roles <role,role…>
                 add a user, or replace the one with that id
  list           every user with their roles
  remove <id>    remove a user

The password comes from JINCAI_NEW_PASSWORD, or is asked for on the terminal (at least 10 characters).
Store: the site's approvals.users.file (site: JINCAI_SITE, default sites/sandbox.yaml)`;

const rolePattern = /^[A-Za-z0-9._:-]{1,64}$/;

class UsageError extends Error {}

async function newPassword(): Promise<string> {
  const fromEnv = process.env.JINCAI_NEW_PASSWORD;
  if (fromEnv) return fromEnv;
  const streams = { stdin: process.stdin, stderr: process.stderr };
  if (!canPrompt(streams)) {
    throw new UsageError(
      'no password: set JINCAI_NEW_PASSWORD, or run the command in a terminal to be asked for it',
    );
  }
  try {
    const first = await promptHidden('新密码 / new password: ', streams);
    const second = await promptHidden('再输入一次 / again: ', streams);
    if (first !== second) throw new UsageError('the two passwords differ; nothing changed');
    return first;
  } catch (err) {
    if (err instanceof PromptCancelledError) throw new UsageError('cancelled; nothing changed');
    throw err;
  }
}

async function main(): Promise<number> {
  const { args, checkOnly } = commandLine();
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        roles: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const command = usersCommand(positionals, values);
  if (checkOnly) {
    console.log(
      argumentsOk(command.command === 'list' ? 'list the users' : `${command.command} ${command.id}`),
    );
    return 0;
  }
  const site = loadSite();
  const store = createLocalUserStore(site.approvals.users.file);
  switch (command.command) {
    case 'list': {
      const users = await store.list();
      if (users.length === 0) console.log(`No users in ${site.approvals.users.file}.`);
      for (const u of users) console.log(`${u.id.padEnd(20)} ${u.displayName}  [${u.roles.join(', ')}]`);
      return 0;
    }
    case 'add': {
      const { id, displayName, roles } = command;
      const existed = !!(await store.get(id));
      const password = await newPassword();
      if (password.length < 10) throw new UsageError('password: expected at least 10 characters');
      await store.put({ id, displayName, roles }, password);
      console.log(`${existed ? 'Updated' : 'Added'} ${id} (${displayName}) with roles ${roles.join(', ')}.`);
      return 0;
    }
    case 'remove':
      if (!(await store.remove(command.id))) {
        console.error(`No user ${command.id} in ${site.approvals.users.file}.`);
        return 1;
      }
      console.log(`Removed ${command.id}.`);
      return 0;
  }
}

type UsersCommand =
  | { command: 'list' }
  | { command: 'add'; id: string; displayName: string; roles: string[] }
  | { command: 'remove'; id: string };

/** The command line as a command, each taking only its own options; a UsageError says what is wrong. */
function usersCommand(positionals: string[], values: { name?: string; roles?: string }): UsersCommand {
  const [command, id, ...extra] = positionals;
  if (command !== 'list' && command !== 'add' && command !== 'remove')
    throw new UsageError(`unknown command "${command}"\n\n${usage}`);
  if (command !== 'add' && (values.name !== undefined || values.roles !== undefined))
    throw new UsageError(`${command}: takes no --name or --roles`);
  if (command === 'list') {
    if (id) throw new UsageError('list: takes no arguments');
    return { command };
  }
  if (!id || extra.length > 0) throw new UsageError(`${command}: give exactly one user id\n\n${usage}`);
  if (!userIdPattern.test(id)) {
    throw new UsageError(
      `<id> "${id}": expected 2–32 lower-case letters, digits, . _ -, starting with a letter`,
    );
  }
  if (command === 'remove') return { command, id };
  const displayName = values.name?.trim();
  if (!displayName) throw new UsageError('add: --name is required (the name approvers see, e.g. 李娜)');
  const roles = (values.roles ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles.length === 0) throw new UsageError('add: --roles is required, e.g. --roles finance-approver');
  const bad = roles.find((r) => !rolePattern.test(r));
  if (bad) throw new UsageError(`--roles: "${bad}" is not a role name (letters, digits, . _ : -)`);
  return { command, id, displayName, roles: [...new Set(roles)] };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof SiteConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
