/**
 * The demo's hand-off to a person, played by the sandbox's demo approver: start a runbook as the
 * demo engineer, and whenever it waits at a gate, print the plan and the inbox link, then approve
 * through the inbox's API exactly as `runbook approve` does. Clearly a demo: at a real site the
 * approver signs in themselves.
 */
import type { Client } from '@temporalio/client';
import type { SiteConfig } from '../../temporal.config.ts';
import { approvalStateQuery } from '../../workflows/shared/approval-messages.ts';
import { runApprovalCommand } from './approval-commands.ts';
import type { Stack } from './stack.ts';

export async function runWithDemoApproval<R>(options: {
  client: Client;
  stack: Stack;
  site: SiteConfig;
  workflowType: string;
  /** Demo runs are `<idPrefix>demo-<time>`; an earlier demo's run still waiting is ended first. */
  idPrefix: string;
  input: Record<string, unknown>;
  reason: string;
}): Promise<R> {
  const { client, stack, site } = options;
  const stale = client.workflow.list({
    query: `WorkflowType = '${options.workflowType}' AND ExecutionStatus = 'Running'`,
  });
  for await (const run of stale) {
    if (run.workflowId.startsWith(`${options.idPrefix}demo-`)) {
      await client.workflow.getHandle(run.workflowId).terminate('superseded by a new demo run');
      console.log(`Ended an earlier demo run still waiting: ${run.workflowId}`);
    }
  }
  const workflowId = `${options.idPrefix}demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const engineer = stack.demoUsers.engineer.id;
  console.log(`Starting ${options.workflowType} as ${engineer}: ${workflowId}`);
  const handle = await client.workflow.start(options.workflowType, {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId,
    args: [{ ...options.input, requestedBy: engineer }],
  });
  const approver = stack.demoUsers.approver;
  const approved = new Set<string>();
  const deadline = Date.now() + 5 * 60_000;
  while ((await handle.describe()).status.name === 'RUNNING' && Date.now() < deadline) {
    const pending = (await handle.query(approvalStateQuery).catch(() => null))?.pending;
    if (pending && !approved.has(pending.gateId)) {
      approved.add(pending.gateId);
      console.log(
        `Waiting for approval (${pending.gateId}): ${stack.inboxUrl}/approvals/${encodeURIComponent(workflowId)}`,
      );
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
