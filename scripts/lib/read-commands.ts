/**
 * The command lines of the operator CLI's own commands that read — status, list, runbooks, audit
 * verify, evidence — each taking only its own options, checked before anything is contacted or read.
 */
import { parseArgs } from 'node:util';
import { evidenceRangeProblems } from '../../connectors/audit/evidence.ts';
import { runbookEntry } from '../../workflows/catalog.ts';
import { runListQuery, RunListFilterError, type RunListFilter } from './run-list.ts';

export class CliUsageError extends Error {}

export type ReadCommand =
  | { command: 'status'; workflowId: string; follow: boolean }
  | { command: 'list'; filter: RunListFilter; limit: number; query: string }
  | { command: 'runbooks'; runbook?: string }
  | { command: 'audit'; anchors: string[] }
  | { command: 'evidence'; from: string; to: string; out?: string };

const options = {
  runbook: { type: 'string' },
  outcome: { type: 'string' },
  'awaiting-approval': { type: 'boolean' },
  follow: { type: 'boolean' },
  limit: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string' },
  anchor: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const takes: Record<ReadCommand['command'], string[]> = {
  status: ['follow'],
  list: ['runbook', 'outcome', 'awaiting-approval', 'limit'],
  runbooks: [],
  audit: ['anchor'],
  evidence: ['from', 'to', 'out'],
};

/** The command, `help` when asked for, or a CliUsageError saying what is wrong. */
export function parseReadCommand(argv: string[]): ReadCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help) return 'help';
  if (!command) throw new CliUsageError('give a command');
  if (!Object.hasOwn(takes, command)) throw new CliUsageError(`unknown command "${command}"`);
  const name = command as ReadCommand['command'];
  const foreign = Object.keys(values).filter((k) => k !== 'help' && !takes[name].includes(k));
  if (foreign.length > 0)
    throw new CliUsageError(`${name}: does not take ${foreign.map((k) => `--${k}`).join(', ')}`);
  const expected = name === 'status' || name === 'audit' || (name === 'runbooks' && args.length > 0) ? 1 : 0;
  if (args.length !== expected) {
    const what = {
      status: 'the workflow id',
      audit: 'the subcommand verify',
      list: 'no argument',
      runbooks: 'at most one runbook',
      evidence: 'no argument',
    };
    throw new CliUsageError(
      `${name}: expected ${what[name]}${args.length > expected ? `; got ${args.join(' ')}` : ''}`,
    );
  }
  switch (name) {
    case 'status':
      return { command: name, workflowId: args[0] ?? '', follow: values.follow ?? false };
    case 'audit':
      if (args[0] !== 'verify')
        throw new CliUsageError(`audit: expected the subcommand verify (got "${args[0]}")`);
      return { command: name, anchors: values.anchor ?? [] };
    case 'list':
      return list(
        {
          ...(values.runbook !== undefined && { runbook: values.runbook }),
          ...(values.outcome !== undefined && { outcome: values.outcome }),
          ...(values['awaiting-approval'] && { awaitingApproval: true }),
        },
        values.limit ?? '20',
      );
    case 'runbooks': {
      const [runbook] = args;
      if (runbook === undefined) return { command: name };
      if (!runbookEntry(runbook)) throw new CliUsageError(`runbooks: unknown runbook "${runbook}"`);
      return { command: name, runbook };
    }
    case 'evidence': {
      const problems = evidenceRangeProblems(values);
      if (problems.length > 0) throw new CliUsageError(problems.map((p) => `--${p}`).join('\n'));
      return {
        command: name,
        from: values.from ?? '',
        to: values.to ?? '',
        ...(values.out && { out: values.out }),
      };
    }
  }
}

function list(filter: RunListFilter, limitText: string): ReadCommand {
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1) throw new CliUsageError('--limit: expected a positive integer');
  try {
    return { command: 'list', filter, limit, query: runListQuery(filter) };
  } catch (err) {
    if (err instanceof RunListFilterError) throw new CliUsageError(err.message);
    throw err;
  }
}
