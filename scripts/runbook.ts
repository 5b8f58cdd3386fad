/**
 * The operator CLI: start a runbook, follow it, list runs.
 *   npm run runbook -- start daily-inspection --input '{"banks":["ICBC"]}' [--wait]
 *   npm run runbook -- status <workflow-id> [--follow]
 *   npm run runbook -- list [--runbook daily-inspection] [--outcome recovered] [--awaiting-approval] [--limit 20]
 *   npm run runbook -- audit verify [--anchor <head file or evidence.json>]…
 *   npm run runbook -- evidence --from 2026-11-01 --to 2026-11-30 [--out DIR]
 *   npm run runbook -- approvals | approve <workflow-id> [--reason …] | reject <workflow-id> --reason …
 *   npm run runbook -- claim <workflow-id> [--reason …]
 *   npm run runbook -- retry | skip | abort <workflow-id> [--reason …]
 * Input is validated against the runbook's schema and the site before anything starts.
 */
import { loadSite, SiteConfigError, type SiteConfig } from '../temporal.config.ts';
import { auditCommand, evidenceCommand } from './lib/audit-commands.ts';
import { approvalUsage, isApprovalCommand, runApprovalCommand } from './lib/approval-commands.ts';
import { calendarCommand, calendarUsage } from './lib/calendar-command.ts';
import { claimUsage, runClaimCommand } from './lib/claim-command.ts';
import { handUsage, isHandCommand, runHandCommand } from './lib/hand-command.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { connectClient } from './lib/client.ts';
import { exitWhenFlushed } from './lib/exit-when-flushed.ts';
import { isRunCommand, runRunCommand, runUsage } from './lib/run-commands.ts';
import { CliUsageError, parseReadCommand, type ReadCommand } from './lib/read-commands.ts';
import { followRun } from './lib/run-follow.ts';
import { runListLine } from './lib/run-list.ts';
import { runStatusLines } from './lib/run-status.ts';
import { resultLines } from './lib/run-summary.ts';
import { runbookEntries, runbookEntry, withFreezeExemptions } from '../workflows/catalog.ts';
import { catalogLines, runbookLines } from './lib/runbook-catalog-view.ts';
import { RunbookInputError } from './lib/runbook-input.ts';

const usage = `Usage: npm run runbook -- <command> [options]

Commands:
  status <workflow-id> [--follow]
                      a run's state: while it runs, its step and the approval it waits for;
                      once finished, its outcome, findings or actions, approvals and report;
                      --follow: watch it to its end — a live bar of its banks or vouchers done,
                      its steps, the approval it waits for with the inbox link — then its outcome
                      (exit 0 completed, 1 otherwise)
  list [--runbook <name>] [--outcome <outcome>] [--awaiting-approval] [--limit <n>]
                      recent runbook runs, newest first (not their locks or batches); --outcome
                      as the run's Outcome (recovered, findings…; failed, cancelled: closed so),
                      --awaiting-approval: only those waiting at a gate now
  runbooks [<runbook>]
                      the runbooks one can start; with a name, its input fields, approval
                      steps and an example input to paste into --input or the Temporal UI
  audit verify [--anchor <file>]…
                      check the audit trail: hash chain, record and decision signatures, and the
                      signed head file (plus each --anchor: a head copy or an evidence.json)
                      (exit 0 intact, 1 problems listed)
  evidence --from <YYYY-MM-DD> --to <YYYY-MM-DD> [--out <dir>]
                      export the audit records of those business days (Asia/Shanghai) as JSON
                      and a Chinese HTML page (default <reports>/evidence/<from>_<to>/)

Runbooks: ${runbookEntries()
  .map((e) => e.id)
  .join(', ')}
Site: JINCAI_SITE (default sites/sandbox.yaml)
Every command takes --check-args: check its command line, say what it would do, and stop.

${runUsage}

${approvalUsage}

${claimUsage}

${handUsage}

${calendarUsage}`;

const printResult = (result: unknown) => console.log(resultLines(result).join('\n'));

async function read(command: ReadCommand, site: SiteConfig): Promise<number> {
  if (command.command === 'runbooks') {
    const entry = command.runbook === undefined ? undefined : runbookEntry(command.runbook);
    console.log((entry ? runbookLines(entry) : catalogLines()).join('\n'));
    return 0;
  }
  if (command.command === 'audit') return auditCommand(site, 'verify', command.anchors);
  if (command.command === 'evidence') return evidenceCommand(site, command);
  const client = await connectClient(site);
  try {
    if (command.command === 'status') {
      if (command.follow) {
        const at = {
          workflowId: command.workflowId,
          inboxUrl: site.inbox.publicUrl,
          timeZone: site.site.timezone,
        };
        return await followRun(client, { ...at, out: process.stdout });
      }
      console.log((await runStatusLines(client, command.workflowId, site.site.timezone)).join('\n'));
      return 0;
    }
    let n = 0;
    for await (const run of client.workflow.list({ query: command.query })) {
      console.log(runListLine(run, site.site.timezone));
      if (++n >= command.limit) break;
    }
    if (n === 0) console.log('No runs.');
    return 0;
  } finally {
    await client.connection.close();
  }
}

function describe(command: ReadCommand): string {
  switch (command.command) {
    case 'status':
      return `${command.follow ? 'follow' : 'status'} ${command.workflowId}`;
    case 'list':
      return `list the ${command.limit} newest runs where ${command.query}`;
    case 'runbooks':
      return command.runbook === undefined ? 'list the runbooks' : `describe ${command.runbook}`;
    case 'audit':
      return `audit verify${command.anchors.map((a) => ` --anchor ${a}`).join('')}`;
    case 'evidence':
      return `evidence ${command.from} to ${command.to}${command.out ? ` into ${command.out}` : ''}`;
  }
}

async function main(): Promise<number> {
  const { args, checkOnly } = commandLine();
  // Commands through the inbox take their own options (--user, --inbox, …).
  const [first, ...rest] = args;
  if (isApprovalCommand(first)) return runApprovalCommand(first, rest, { site: loadSite(), checkOnly });
  if (isRunCommand(first)) return runRunCommand(first, rest, { site: loadSite(), printResult, checkOnly });
  if (first === 'claim') return runClaimCommand(first, rest, { site: loadSite(), checkOnly });
  if (isHandCommand(first)) return runHandCommand(first, rest, { site: loadSite(), checkOnly });
  if (first === 'calendar')
    return calendarCommand(rest, { site: withFreezeExemptions(loadSite()), checkOnly });
  const command = parseReadCommand(args);
  if (command === 'help') {
    console.log(usage);
    return 0;
  }
  if (checkOnly) {
    console.log(argumentsOk(describe(command)));
    return 0;
  }
  return read(command, loadSite());
}

main().then(exitWhenFlushed, (err: unknown) => {
  if (err instanceof CliUsageError) {
    console.error(`${err.message}\n\n${usage}`);
    exitWhenFlushed(2);
  } else if (err instanceof RunbookInputError || err instanceof SiteConfigError) {
    console.error(err.message);
    exitWhenFlushed(2);
  } else {
    console.error(err);
    exitWhenFlushed(1);
  }
});
