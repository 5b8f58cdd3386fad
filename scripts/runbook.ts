/**
 * The operator CLI: start a runbook, follow it, list runs.
 *   npm run runbook -- start daily-inspection --input '{"banks":["ICBC"]}' [--wait]
 *   npm run runbook -- status <workflow-id>
 *   npm run runbook -- list [--runbook daily-inspection] [--limit 20]
 *   npm run runbook -- audit verify [--anchor <head file or evidence.json>]…
 *   npm run runbook -- evidence --from 2026-11-01 --to 2026-11-30 [--out DIR]
 *   npm run runbook -- approvals | approve <workflow-id> [--reason …] | reject <workflow-id> --reason …
 * Input is validated against the runbook's schema and the site before anything starts.
 */
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { loadSite, SiteConfigError, type SiteConfig } from '../temporal.config.ts';
import { auditCommand, evidenceCommand } from './lib/audit-commands.ts';
import { approvalUsage, isApprovalCommand, runApprovalCommand } from './lib/approval-commands.ts';
import { connectClient } from './lib/client.ts';
import { exitWhenFlushed } from './lib/exit-when-flushed.ts';
import { isRunCommand, runRunCommand, runUsage } from './lib/run-commands.ts';
import { runListLine, runListQuery, RunListFilterError, type RunListFilter } from './lib/run-list.ts';
import { runStatusLines } from './lib/run-status.ts';
import { resultLines } from './lib/run-summary.ts';
import { RunbookInputError, runbookRegistry } from './lib/runbook-registry.ts';

const usage = `Usage: npm run runbook -- <command> [options]

Commands:
  status <workflow-id>  a run's state: while it runs, its step and the approval it waits for;
                      once finished, its outcome, findings or actions, approvals and report
  list [--runbook <name>] [--limit <n>]
                      recent runbook runs, newest first (not their locks or batches)
  audit verify [--anchor <file>]…
                      check the audit trail: hash chain, record and decision signatures, and the
                      signed head file (plus each --anchor: a head copy or an evidence.json)
                      (exit 0 intact, 1 problems listed)
  evidence --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--out <dir>]
                      export the audit records of those business days (Asia/Shanghai) as JSON
                      and a Chinese HTML page (default <reports>/evidence/<from>_<to>/)

Runbooks: ${Object.keys(runbookRegistry).join(', ')}
Site: JINCAI_SITE (default sites/sandbox.yaml)

${runUsage}

${approvalUsage}`;

class UsageError extends Error {}

const printResult = (result: unknown) => console.log(resultLines(result).join('\n'));

async function status(client: Client, site: SiteConfig, workflowId: string | undefined): Promise<void> {
  if (!workflowId) throw new UsageError('status: give the workflow id');
  console.log((await runStatusLines(client, workflowId, site.site.timezone)).join('\n'));
}

async function list(client: Client, site: SiteConfig, filter: RunListFilter, limit: number): Promise<void> {
  let n = 0;
  for await (const run of client.workflow.list({ query: runListQuery(filter) })) {
    console.log(runListLine(run, site.site.timezone));
    if (++n >= limit) break;
  }
  if (n === 0) console.log('No runs.');
}

async function main(): Promise<number> {
  // Commands through the inbox take their own options (--user, --inbox, …).
  const [first, ...rest] = process.argv.slice(2);
  if (isApprovalCommand(first)) return runApprovalCommand(first, rest, { site: loadSite() });
  if (isRunCommand(first)) return runRunCommand(first, rest, { site: loadSite(), printResult });
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runbook: { type: 'string' },
      limit: { type: 'string', default: '20' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      anchor: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const site = loadSite();
  if (command === 'audit') return auditCommand(site, arg, values.anchor);
  if (command === 'evidence') return evidenceCommand(site, values);
  const client = await connectClient(site);
  try {
    if (command === 'status') await status(client, site, arg);
    else if (command === 'list') {
      const limit = Number.parseInt(values.limit, 10);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit: expected a positive integer');
      await list(client, site, { ...(values.runbook && { runbook: values.runbook }) }, limit);
    } else throw new UsageError(`unknown command "${command}"\n\n${usage}`);
  } finally {
    await client.connection.close();
  }
  return 0;
}

main().then(exitWhenFlushed, (err: unknown) => {
  if (
    err instanceof RunbookInputError ||
    err instanceof SiteConfigError ||
    err instanceof UsageError ||
    err instanceof RunListFilterError
  ) {
    console.error(err.message);
    exitWhenFlushed(2);
  } else {
    console.error(err);
    exitWhenFlushed(1);
  }
});
