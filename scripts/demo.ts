/**
 * `npm run demo`: the main job on the embedded default. Installs what is missing, starts the
 * stack, injects the "bad Monday" scenario into the sandbox, runs the daily inspection as a
 * Temporal workflow and prints its findings; then ICBC's line comes back and channel recovery
 * fixes its channel, sequence resync fixes CCB's, and ICBC's vouchers that went out after its
 * window closed are asked about and resent — each plan approved by the sandbox's demo approver
 * through the inbox's API (clearly a demo: a real approver signs in themselves). Stops everything.
 * `npm run demo -- year-end` rolls the sandbox's fiscal year over instead, in compressed time
 * (scripts/lib/demo-year-end.ts); `npm run demo -- upgrade` upgrades its payment system, then rolls a
 * failing upgrade back (scripts/lib/demo-upgrade.ts); `npm run demo -- estate` kills the exchange
 * client, finds it with subsystem health and starts it again through exchange recovery
 * (scripts/lib/demo-estate.ts).
 */
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { runbookCatalog } from '../domain/runbooks/catalog.ts';
import type { ChannelRecoveryResult } from '../domain/runbooks/channel-recovery.types.ts';
import type { DailyInspectionResult } from '../domain/runbooks/daily-inspection.types.ts';
import type { SequenceResyncResult } from '../domain/runbooks/sequence-resync.types.ts';
import type { VoucherResendResult } from '../domain/runbooks/voucher-resend.types.ts';
import { loadSite } from '../temporal.config.ts';
import { argumentsOk, commandLine } from './lib/check-args.ts';
import { connectClient } from './lib/client.ts';
import { runWithDemoApproval } from './lib/demo-approval.ts';
import { openBankWindowForDemo } from './lib/demo-extended-hours.ts';
import { estateDemo } from './lib/demo-estate.ts';
import { upgradeDemo } from './lib/demo-upgrade.ts';
import { yearEndDemo } from './lib/demo-year-end.ts';
import { parseSamples, scrape, type Sample } from './lib/prometheus-text.ts';
import { sandboxRequest } from './lib/sandbox-client.ts';
import { metricsLines, startStack } from './lib/stack.ts';

const { args, checkOnly } = commandLine();
const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
const [which, ...extra] = positionals;
const named: Record<string, typeof yearEndDemo> = {
  'year-end': yearEndDemo,
  upgrade: upgradeDemo,
  estate: estateDemo,
};
if ((which !== undefined && !Object.hasOwn(named, which)) || extra.length > 0) {
  console.error(
    `Unknown demo "${positionals.join(' ')}"; available: the main demo (no name), year-end, upgrade, estate`,
  );
  process.exit(2);
}
if (checkOnly) {
  console.log(argumentsOk(`run the ${which ?? 'main'} demo on a freshly seeded sandbox`));
  process.exit(0);
}
const site = loadSite();
const started = Date.now();
const stack = await startStack({ site, reseed: true });
const chosen = which === undefined ? undefined : named[which];
if (chosen) {
  let rolledOver = false;
  try {
    rolledOver = await chosen(stack, site);
    console.log(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
  } catch (err) {
    console.error('The demo failed:', err);
  } finally {
    await stack.stop();
  }
  process.exit(rolledOver ? 0 : 1);
}
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
  const resynced = await resyncCcb(client);
  const resent = await resendIcbc(client);
  await client.connection.close();
  if (
    recovered.outcome !== 'recovered' ||
    resynced.outcome !== 'resynced' ||
    !['completed', 'completed-with-holds'].includes(resent.outcome) ||
    (resent.counts['rejected-again'] ?? 0) + (resent.counts.unverified ?? 0) > 0 ||
    (resent.counts.accepted ?? 0) < 3
  )
    exitCode = 1;
  console.log(`\nWhile the stack runs, Prometheus scrapes:\n${metricsLines(stack.metrics)}`);
  if (stack.metrics) console.log(runsEndedLine(parseSamples(await scrape(stack.metrics.worker))));
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
  const result = await runWithDemoApproval<ChannelRecoveryResult>({
    client,
    stack,
    site,
    runbook: 'channel-recovery',
    idPrefix: 'channel-recovery/CZ.TO.ICBC/',
    input: { bank: 'ICBC', reason: '日常巡检：CZ.TO.ICBC 处于 RETRYING' },
    reason: '演示：同意恢复通道',
  });
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

async function resyncCcb(client: Client): Promise<SequenceResyncResult> {
  console.log('\nCCB: the channel stopped on a sequence-number error (AMQ9526); resyncing it…');
  const result = await runWithDemoApproval<SequenceResyncResult>({
    client,
    stack,
    site,
    runbook: 'sequence-resync',
    idPrefix: 'sequence-resync/CZ.TO.CCB/',
    input: { bank: 'CCB', reason: '日常巡检：CZ.TO.CCB 序列号不一致（AMQ9526）' },
    reason: '演示：同意重置序列号',
  });
  console.log(`\n序列号重置 CZ.TO.CCB: ${result.outcome} — ${result.why}`);
  for (const a of result.actions) console.log(`    ${a.command} → ${a.detail}`);
  console.log(`Report (HTML):     ${result.report.html}`);
  return result;
}

async function resendIcbc(client: Client): Promise<VoucherResendResult> {
  const injected = (await sandboxRequest(stack.sandboxUrl, stack.env, site, 'POST', '/sandbox/faults', {
    fault: 'voucher-timed-out',
    bank: 'ICBC',
    count: 3,
  })) as { details: { vouchers: string[] } };
  console.log(
    `\nICBC: ${injected.details.vouchers.length} vouchers went out after its window closed on the last working day and came back 超时 (E_OUT_OF_WINDOW).`,
  );
  const window = await openBankWindowForDemo(stack, site, 'ICBC');
  console.log(
    `ICBC's window is open until ${window.closesAt}${window.extended ? ` (${window.extended})` : ''}.`,
  );
  const result = await runWithDemoApproval<VoucherResendResult>({
    client,
    stack,
    site,
    runbook: 'voucher-resend',
    idPrefix: 'voucher-resend/ICBC/',
    input: { bank: 'ICBC', reason: '超时凭证：上一工作日超出银行业务时间发送' },
    reason: '演示：银行确认无记录，同意重发',
  });
  console.log(
    `\n失败凭证重发 ICBC: ${result.outcome} — ${result.found} failed vouchers found (with those the line outage left unanswered); a voucher whose failure needs business staff is held, never resent:`,
  );
  for (const v of result.vouchers)
    console.log(
      `    ${v.voucherNo} ${(v.amountFen / 100).toFixed(2)} 元 → ${v.outcome}${v.detail ? ` (${v.detail})` : ''}`,
    );
  console.log(`Report (HTML):     ${result.report?.html}`);
  return result;
}

/** The demo's runs as the worker's metrics endpoint counted them: ended, by runbook and outcome. */
function runsEndedLine(samples: readonly Sample[]): string {
  const ended = samples
    .filter((s) => s.name === 'jincai_runs_ended_total' && s.value > 0)
    .map((s) => `${s.labels.runbook} ${s.labels.outcome} ×${s.value}`);
  return `Runs ended (jincai_runs_ended_total): ${ended.join(', ') || 'none counted'}`;
}
