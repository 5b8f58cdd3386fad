/**
 * The demo's hand-off to people, played by the sandbox's demo accounts: the demo engineer starts
 * a runbook through the inbox's API exactly as `runbook start` does (so the run knows, signed,
 * who asked), and whenever it waits at a gate the demo approver reads the plan and the inbox link,
 * then approves through the API exactly as `runbook approve` does. Clearly a demo: at a real site
 * people sign in themselves.
 */
import type { Client } from '@temporalio/client';
import { approvalLink } from '../../domain/approvals/inbox-link.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { runbookEntry } from '../../workflows/catalog.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-definitions.ts';
import { runApprovalCommand } from './approval-commands.ts';
import { runRunCommand } from './run-commands.ts';
import type { Stack } from './stack.ts';

export async function runWithDemoApproval<R>(options: {
  client: Client;
  stack: Stack;
  site: SiteConfig;
  /** The runbook's name, as `runbook start` takes it. */
  runbook: string;
  /** Demo runs are `<idPrefix>demo-<time>`; an earlier demo's run still waiting is ended first. */
  idPrefix: string;
  input: Record<string, unknown>;
  reason: string;
}): Promise<R> {
  const { client, stack, site } = options;
  const workflowType = runbookEntry(options.runbook)?.workflowType ?? options.runbook;
  const stale = client.workflow.list({
    query: `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running'`,
  });
  for await (const run of stale) {
    if (run.workflowId.startsWith(`${options.idPrefix}demo-`)) {
      await client.workflow.getHandle(run.workflowId).terminate('superseded by a new demo run');
      console.log(`Ended an earlier demo run still waiting: ${run.workflowId}`);
    }
  }
  const workflowId = `${options.idPrefix}demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const engineer = stack.demoUsers.engineer;
  console.log(
    `DEMO ONLY — the sandbox's demo engineer "${engineer.id}" starts ${options.runbook} through the inbox:`,
  );
  const started = await runRunCommand(
    'start',
    [options.runbook, '--input', JSON.stringify(options.input), '--id', workflowId],
    { site, io: { env: { ...process.env, JINCAI_USER: engineer.id, JINCAI_PASSWORD: engineer.password } } },
  );
  if (started !== 0) throw new Error(`the demo start failed (exit ${started})`);
  const handle = client.workflow.getHandle(workflowId);
  const approver = stack.demoUsers.approver;
  const approved = new Set<string>();
  const deadline = Date.now() + 5 * 60_000;
  while ((await handle.describe()).status.name === 'RUNNING' && Date.now() < deadline) {
    const pending = (await handle.query(approvalStateQuery).catch(() => null))?.pending;
    if (pending && !approved.has(pending.gateId)) {
      approved.add(pending.gateId);
      console.log(`Waiting for approval (${pending.gateId}): ${approvalLink(stack.inboxUrl, workflowId)}`);
      for (const a of pending.plan.actions)
        console.log(`    ${a.target}: ${a.command}   (${a.description.zh})`);
      console.log(`DEMO ONLY — the sandbox's demo approver "${approver.id}" approves through the inbox API:`);
      const code = await runApprovalCommand('approve', [workflowId, '--reason', options.reason], {
        site,
        io: { env: { ...process.env, JINCAI_USER: approver.id, JINCAI_PASSWORD: approver.password } },
      });
      if (code !== 0) throw new Error(`the demo approval failed (exit ${code})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return (await handle.result()) as R;
}
