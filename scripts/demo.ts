/**
 * `npm run demo`: the main job on the embedded default. Installs what is missing, starts the
 * stack, injects the "bad Monday" scenario into the sandbox, runs the daily inspection as a
 * Temporal workflow and prints its findings; then ICBC's line comes back, channel recovery
 * plans the fix, the sandbox's demo approver approves it through the inbox's API (clearly a
 * demo: a real approver signs in themselves), and the channel runs again. Stops everything.
 */
import type { Client } from '@temporalio/client';
import { loadSite } from '../temporal.config.ts';
import type { ChannelRecoveryResult } from '../workflows/channel-recovery.types.ts';
import { approvalStateQuery } from '../workflows/shared/approval-messages.ts';
import type { DailyInspectionResult } from '../workflows/daily-inspection.types.ts';
import { runbookCatalog } from '../workflows/shared/catalog.ts';
import { runApprovalCommand } from './lib/approval-commands.ts';
import { connectClient } from './lib/client.ts';
import { sandboxRequest } from './lib/sandbox-client.ts';
import { startStack } from './lib/stack.ts';

const site = loadSite();
const started = Date.now();
const stack = await startStack({ site, reseed: true });
let exitCode = 0;
try {
  console.log('Injecting the "bad Monday" scenario into the sandbox…');
  await sandboxRequest(stack.sandboxUrl, stack.env, site, 'POST', '/sandbox/scenarios/bad-monday');
  // Let the estate react as it would: the sender retries, the program's absence shows.
  await new Promise((r) => setTimeout(r, 3000));

  const client = await connectClient(site);
  const workflowId = `daily-inspection/demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  console.log(`Running the daily inspection as workflow ${workflowId}…`);
  const handle = await client.workflow.start('dailyInspection', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId,
    args: [{}],
  });
  const result = (await handle.result()) as DailyInspectionResult;

  console.log(
    `\n日常巡检 ${result.date} — overall ${result.light.toUpperCase()}, ${result.findings.length} finding(s):`,
  );
  for (const b of result.banks) {
    const bankFindings = result.findings.filter((f) => f.bank === b.bank);
    console.log(
      `  ${b.bank.padEnd(5)} ${b.light.padEnd(6)} ${bankFindings.length === 0 ? 'all checks green' : ''}`,
    );
    for (const f of bankFindings) {
      console.log(
        `        - [${f.check}] ${f.code}: ${f.summary}\n          fix: ${f.fixRunbook} (${runbookCatalog[f.fixRunbook].en})`,
      );
    }
  }
  console.log(`\nReport (Markdown): ${result.report.markdown}`);
  console.log(`Report (HTML):     ${result.report.html}`);
  console.log(
    `Workflow history:  ${stack.uiUrl}/namespaces/${site.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`,
  );

  const recovered = await recoverIcbc(client);
  await client.connection.close();
  if (recovered.outcome !== 'recovered') exitCode = 1;
  console.log(`Done in ${Math.round((Date.now() - started) / 1000)} s. Keep the stack up with: npm start`);
} catch (err) {
  console.error('The demo failed:', err);
  exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);

async function recoverIcbc(client: Client): Promise<ChannelRecoveryResult> {
  console.log(
    '\nICBC has fixed its line: lifting the network fault. The sender stays in its long retry (LONGTMR)…',
  );
  await sandboxRequest(stack.sandboxUrl, stack.env, site, 'DELETE', '/sandbox/faults', {
    fault: 'channel-network-down',
    bank: 'ICBC',
    lift: true,
  });
  // A previous demo left waiting (the dev server keeps its runs) would hold the channel's lock.
  const stale = client.workflow.list({
    query: "WorkflowType = 'channelRecovery' AND ExecutionStatus = 'Running'",
  });
  for await (const run of stale) {
    if (run.workflowId.startsWith('channel-recovery/CZ.TO.ICBC/demo-')) {
      await client.workflow.getHandle(run.workflowId).terminate('superseded by a new demo run');
      console.log(`Ended an earlier demo run still waiting: ${run.workflowId}`);
    }
  }
  const engineer = stack.demoUsers.engineer.id;
  const workflowId = `channel-recovery/CZ.TO.ICBC/demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  console.log(`Starting channel recovery for ICBC as ${engineer}: ${workflowId}`);
  const handle = await client.workflow.start('channelRecovery', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId,
    args: [{ bank: 'ICBC', requestedBy: engineer, reason: '日常巡检：CZ.TO.ICBC 处于 RETRYING' }],
  });
  for (let i = 0; i < 150; i++) {
    // A run that ended without asking (or failed) says why through its result.
    if ((await handle.describe()).status.name !== 'RUNNING')
      return (await handle.result()) as ChannelRecoveryResult;
    const state = await handle.query(approvalStateQuery).catch(() => null);
    if (state?.pending) {
      console.log(
        `The plan waits for approval: ${stack.inboxUrl}/approvals/${encodeURIComponent(workflowId)}`,
      );
      for (const a of state.pending.plan.actions)
        console.log(`    ${a.target}: ${a.command}   (${a.description.zh})`);
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const approver = stack.demoUsers.approver;
  console.log(
    `DEMO ONLY — the sandbox's demo approver "${approver.id}" approves through the inbox API, as \`runbook approve\` does:`,
  );
  const code = await runApprovalCommand('approve', [workflowId, '--reason', '演示：同意恢复通道'], {
    site,
    io: { env: { ...process.env, JINCAI_USER: approver.id, JINCAI_PASSWORD: approver.password } },
  });
  if (code !== 0) throw new Error(`the demo approval failed (exit ${code})`);
  const result = (await handle.result()) as ChannelRecoveryResult;
  console.log(`\n通道恢复 ${result.channel}: ${result.outcome} — ${result.why}`);
  for (const a of result.actions) console.log(`    ${a.command} → ${a.detail}`);
  if (result.verification) {
    console.log(
      `    verified: ${result.verification.status}, transmission queue depth ${result.verification.xmitqDepth}`,
    );
  }
  console.log(`Report (HTML):     ${result.report.html}`);
  return result;
}
