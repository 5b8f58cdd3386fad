/**
 * `./jincai demo upgrade`: the provincial version upgrade on the embedded default. The sandbox's
 * payment system answers with 3.4.0; the province's 3.5.0 is installed through the inbox's approval
 * (the demo accounts, as in the main demo) and answers; then a second package, whose migration fails
 * half-way, is approved and rolls back by itself — the run shows each step undone and the old
 * version answering with its files and tables as they were. True when both ended as they should.
 */
import type { Client } from '@temporalio/client';
import type { VersionUpgradeResult } from '../../domain/runbooks/version-upgrade.types.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { connectClient } from './client.ts';
import { runWithDemoApproval } from './demo-approval.ts';
import { sandboxRequest } from './sandbox-client.ts';
import type { Stack } from './stack.ts';

async function answering(site: SiteConfig): Promise<string> {
  const url = site.subsystems.find((s) => s.kind === 'payment')?.health?.url;
  if (!url) return '(the site declares no payment system health URL)';
  const body = (await (await fetch(url)).json()) as {
    version?: string;
    database?: { schemaVersion?: string };
  };
  return `${body.version ?? '?'} (schema ${body.database?.schemaVersion ?? '?'})`;
}

function show(result: VersionUpgradeResult): void {
  console.log(
    `\n省厅版本升级 ${result.package}: ${result.outcome}${result.failure ? ` — ${result.failure}` : ''}`,
  );
  for (const s of result.steps) console.log(`    ${s.step}: ${s.command.slice(0, 110)}`);
  for (const s of result.smoke)
    console.log(`    smoke ${s.check} ${s.target}: ${s.ok ? 'ok' : 'FAILED'} — ${s.detail}`);
  for (const s of result.rollback) console.log(`    ${s.step}: ${s.command.slice(0, 110)}`);
  const v = result.verification;
  if (v)
    console.log(
      `    rollback verified: ${v.ok ? 'yes' : 'NO'} — answering ${v.version} (schema ${v.schemaVersion}), files as backed up: ${v.filesEqual}, tables as before: ${v.tablesEqual.join(', ')}${v.tablesDiffer.length ? `; differ: ${v.tablesDiffer.join(', ')}` : ''}`,
    );
  console.log(`Report (HTML):     ${result.report?.html}`);
}

export async function upgradeDemo(stack: Stack, site: SiteConfig): Promise<boolean> {
  const client = await connectClient(site);
  try {
    return await upgradeAndRollBack(client, stack, site);
  } finally {
    await client.connection.close();
  }
}

async function upgradeAndRollBack(client: Client, stack: Stack, site: SiteConfig): Promise<boolean> {
  console.log(`The sandbox's payment system answers with ${await answering(site)}.`);
  const upgraded = await runWithDemoApproval<VersionUpgradeResult>({
    client,
    stack,
    site,
    runbook: 'version-upgrade',
    idPrefix: 'version-upgrade/payment-3.5.0/',
    input: { package: 'payment-3.5.0', reason: '省厅通知：国库集中支付系统升级至 3.5.0' },
    reason: '演示：同意按计划升级',
  });
  show(upgraded);
  console.log(`The payment system now answers with ${await answering(site)}.`);

  const fault = (await sandboxRequest(stack.sandboxUrl, stack.env, site, 'POST', '/sandbox/estate/faults', {
    fault: 'release-migration-fails',
    subsystem: 'payment',
  })) as { details: { package: string } };
  const pkg = fault.details.package;
  console.log(`\nThe province issues ${pkg}, whose second migration fails half-way (a sandbox fault).`);
  const rolledBack = await runWithDemoApproval<VersionUpgradeResult>({
    client,
    stack,
    site,
    runbook: 'version-upgrade',
    idPrefix: `version-upgrade/${pkg}/`,
    input: { package: pkg, reason: `省厅通知：升级至 ${pkg}` },
    reason: '演示：同意按计划升级',
  });
  show(rolledBack);
  console.log(`After the rollback the payment system answers with ${await answering(site)}.`);
  await sandboxRequest(stack.sandboxUrl, stack.env, site, 'DELETE', '/sandbox/estate/faults', {});
  return upgraded.outcome === 'upgraded' && rolledBack.outcome === 'rolled-back';
}
