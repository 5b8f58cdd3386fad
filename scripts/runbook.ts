/**
 * The operator CLI: start a runbook, follow it, list runs.
 *   npm run runbook -- start daily-inspection --input '{"banks":["ICBC"]}' [--wait]
 *   npm run runbook -- status <workflow-id>
 *   npm run runbook -- list [--runbook daily-inspection] [--limit 20]
 *   npm run runbook -- audit verify
 *   npm run runbook -- evidence --from 2026-11-01 --to 2026-11-30 [--out DIR]
 *   npm run runbook -- approvals | approve <workflow-id> [--reason …] | reject <workflow-id> --reason …
 * Input is validated against the runbook's schema and the site before anything starts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { loadSite, SiteConfigError, type SiteConfig } from '../temporal.config.ts';
import { auditCommand, evidenceCommand } from './lib/audit-commands.ts';
import { approvalUsage, isApprovalCommand, runApprovalCommand } from './lib/approval-commands.ts';
import { connectClient } from './lib/client.ts';
import { RunbookInputError, runbookRegistry, validateRunbookInput } from './lib/runbook-registry.ts';

const usage = `Usage: npm run runbook -- <command> [options]

Commands:
  start <runbook> [--input <json|file>] [--id <workflow-id>] [--wait]
                      validate the input, then start the runbook
  status <workflow-id>  status, progress and (when finished) the result of a run
  list [--runbook <name>] [--limit <n>]
                      recent runs, newest first
  audit verify        check the audit trail's hash chain (exit 0 intact, 1 problems listed)
  evidence --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--out <dir>]
                      export the audit records of those business days (Asia/Shanghai) as JSON
                      and a Chinese HTML page (default <reports>/evidence/<from>_<to>/)

Runbooks: ${Object.keys(runbookRegistry).join(', ')}
Site: JINCAI_SITE (default sites/sandbox.yaml)

${approvalUsage}`;

class UsageError extends Error {}

function readInput(value: string | undefined): unknown {
  if (value === undefined) return {};
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
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
  site: SiteConfig,
  name: string | undefined,
  opts: Record<string, unknown>,
): Promise<void> {
  if (!name) throw new UsageError('start: name the runbook to start');
  const { entry, input } = validateRunbookInput(name, readInput(opts.input as string | undefined), site);
  const client = await connectClient(site);
  const workflowId = (opts.id as string | undefined) ?? entry.workflowId(input, site, new Date());
  try {
    const handle = await client.workflow.start(entry.workflowType, {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId,
      args: [input],
    });
    console.log(`Started ${name}: ${workflowId} (run ${handle.firstExecutionRunId})`);
    if (opts.wait) printResult(await handle.result());
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new UsageError(
        `${workflowId} is already running; follow it with: npm run runbook -- status ${workflowId}`,
      );
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}

async function status(client: Client, workflowId: string | undefined): Promise<void> {
  if (!workflowId) throw new UsageError('status: give the workflow id');
  const handle = client.workflow.getHandle(workflowId);
  const d = await handle.describe();
  console.log(`${workflowId}  ${d.type}  ${d.status.name}  started ${d.startTime.toISOString()}`);
  if (d.status.name === 'RUNNING') {
    console.log(JSON.stringify(await handle.query('progress'), null, 2));
  } else if (d.status.name === 'COMPLETED') {
    printResult(await handle.result());
  } else if (d.status.name === 'FAILED') {
    await handle
      .result()
      .catch((err: Error) =>
        console.log(`Failed: ${(err.cause as Error | undefined)?.message ?? err.message}`),
      );
  }
}

async function list(client: Client, runbook: string | undefined, limit: number): Promise<void> {
  const query = runbook ? `Runbook = "${runbook.replace(/"/g, '')}"` : undefined;
  let n = 0;
  for await (const wf of client.workflow.list(query ? { query } : {})) {
    const light = wf.searchAttributes?.Light?.[0] ?? '';
    console.log(
      `${wf.startTime.toISOString()}  ${wf.status.name.padEnd(10)}  ${String(light).padEnd(7)}  ${wf.workflowId}`,
    );
    if (++n >= limit) break;
  }
  if (n === 0) console.log('No runs.');
}

function printResult(result: unknown): void {
  const r = result as {
    light?: string;
    findings?: { bank: string; summary: string; fixRunbook: string }[];
    report?: { markdown: string; html: string };
  };
  if (r?.report) {
    console.log(`Outcome: ${r.light}; ${r.findings?.length ?? 0} finding(s)`);
    for (const f of r.findings ?? []) console.log(`  [${f.bank}] ${f.summary} → ${f.fixRunbook}`);
    console.log(`Report: ${r.report.markdown}\n        ${r.report.html}`);
  } else {
    console.log(JSON.stringify(result, null, 2));
  }
}

async function main(): Promise<number> {
  // Approval commands take their own options (--reason, --user, --inbox).
  const [first, ...rest] = process.argv.slice(2);
  if (isApprovalCommand(first)) return runApprovalCommand(first, rest, { site: loadSite() });
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      input: { type: 'string' },
      id: { type: 'string' },
      wait: { type: 'boolean' },
      runbook: { type: 'string' },
      limit: { type: 'string', default: '20' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const site = loadSite();
  if (command === 'start') {
    await start(site, arg, values);
    return 0;
  }
  if (command === 'audit') return auditCommand(site, arg);
  if (command === 'evidence') return evidenceCommand(site, values);
  const client = await connectClient(site);
  try {
    if (command === 'status') await status(client, arg);
    else if (command === 'list') {
      const limit = Number.parseInt(values.limit, 10);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit: expected a positive integer');
      await list(client, values.runbook, limit);
    } else throw new UsageError(`unknown command "${command}"\n\n${usage}`);
  } finally {
    await client.connection.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof RunbookInputError || err instanceof SiteConfigError || err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
