/**
 * `./jincai demo estate`: one of the estate's other systems found broken and fixed, on the
 * embedded stack, freshly seeded. The budget-integration exchange client (预算管理一体化数据交换客户端)
 * is killed (the sandbox's `exchange-client-dead` fault: its process gone, its pid file left
 * behind); subsystem health finds it and names its fixing runbook; the sandbox's demo engineer
 * starts exchange recovery through the inbox and its demo approver approves the plan through the
 * inbox API (clearly a demo: at a real site people sign in themselves); the client is started and
 * seen moving; subsystem health runs again. True when the fault was found, fixed, and the exchange
 * is green again.
 */
import type { Client } from '@temporalio/client';
import type { ExchangeRecoveryResult } from '../../domain/runbooks/exchange-recovery.types.ts';
import type { SubsystemHealthResult } from '../../domain/runbooks/subsystem-health.types.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { connectClient } from './client.ts';
import { runWithDemoApproval } from './demo-approval.ts';
import { sandboxRequest } from './sandbox-client.ts';
import type { Stack } from './stack.ts';

const exchange = 'budget-exchange';

export async function estateDemo(stack: Stack, site: SiteConfig): Promise<boolean> {
  const client = await connectClient(site);
  try {
    return await findAndFix(client, stack, site);
  } finally {
    await client.connection.close();
  }
}

async function findAndFix(client: Client, stack: Stack, site: SiteConfig): Promise<boolean> {
  console.log('The subsystems as the stack started them:');
  await health(client, stack, site);
  console.log(`\nKilling the exchange client (the sandbox fault exchange-client-dead on ${exchange})…`);
  await sandboxRequest(stack.sandboxUrl, stack.env, site, 'POST', '/sandbox/estate/faults', {
    fault: 'exchange-client-dead',
    subsystem: exchange,
  });
  const found = await health(client, stack, site);
  const dead = found.findings.find((f) => f.subsystem === exchange && f.code === 'EXCHANGE_CLIENT_DEAD');
  if (!dead?.fixRunbook) {
    console.log('Subsystem health did not find the dead exchange client.');
    return false;
  }
  console.log(`\nThe finding names its fix: ${dead.fixRunbook}.`);
  const recovered = await runWithDemoApproval<ExchangeRecoveryResult>({
    client,
    stack,
    site,
    runbook: dead.fixRunbook,
    idPrefix: `${dead.fixRunbook}/${exchange}/`,
    input: { reason: `子系统健康检查：${dead.summary}`, drainSeconds: 60 },
    reason: '演示：同意启动交换客户端',
  });
  console.log(`\n数据交换恢复 ${recovered.target.name}: ${recovered.outcome}`);
  console.log(`    ${recovered.why.replaceAll('\n', '\n    ')}`);
  for (const p of recovered.restarted ?? [])
    console.log(`    ${p.name}: ${p.running ? 'running' : 'NOT running'} — ${p.detail}`);
  if (recovered.verification) console.log(`    verified: ${recovered.verification.detail}`);
  console.log(`Report (HTML):     ${recovered.report.html}`);

  console.log('\nSubsystem health again:');
  const after = await health(client, stack, site);
  const light = after.subsystems.find((s) => s.subsystem === exchange)?.light;
  return recovered.outcome === 'recovered' && light === 'green';
}

/** Runs subsystem health as a workflow and prints each subsystem's light and the findings. */
async function health(client: Client, stack: Stack, site: SiteConfig): Promise<SubsystemHealthResult> {
  const workflowId = `subsystem-health/demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const result: SubsystemHealthResult = await client.workflow.execute('subsystemHealth', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId,
    args: [{}],
  });
  console.log(`子系统健康检查 — overall ${result.light.toUpperCase()} (workflow ${workflowId})`);
  for (const s of result.subsystems) {
    console.log(`  ${s.subsystem.padEnd(18)} ${s.light.padEnd(6)} ${s.name}`);
    for (const f of result.findings.filter((x) => x.subsystem === s.subsystem))
      console.log(
        `        - [${f.check}] ${f.code}: ${f.summary}${f.fixRunbook ? `\n          fix: ${f.fixRunbook}` : ''}`,
      );
  }
  console.log(`Report (HTML):     ${result.report.html}`);
  console.log(
    `Workflow history:  ${stack.uiUrl}/namespaces/${site.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`,
  );
  return result;
}
