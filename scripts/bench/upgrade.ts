/**
 * `npm run bench -- upgrade`: the provincial version upgrade of the sandbox's payment system
 * grown to a bureau's size — an application of 1 GB in 10,000 files and a treasury of 1,000,000
 * more voucher rows (the table the package's migrations change) — on a local Temporal dev server,
 * carried out by the production worker (dist/). First the province's 3.5.0 is installed, then a
 * package whose migration fails half-way rolls back. Prints the time of each part — backup (files,
 * tables), apply (files, migrations), rollback (files, statements undone, tables, the check that
 * everything is as before) — the worker's peak resident memory over both runs, and the machine's
 * load average. BENCH_FILES, BENCH_FILE_BYTES and BENCH_VOUCHERS change the sizes.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { sql } from 'kysely';
import type { UpgradeStepDone, VersionUpgradeResult } from '../../domain/runbooks/version-upgrade.types.ts';
import { startSandbox, type SandboxHandle } from '../../sandbox/server.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../../test/support/approvals.ts';
import { testDataConverter } from '../../test/support/codec.ts';
import { signedStarts } from '../../test/support/signed-starts.ts';
import { makeTestSite } from '../../test/support/site.ts';
import { startWorkerProcess } from '../../test/support/worker-process.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { projectSearchAttributes, startDevServer } from '../lib/dev-server.ts';
import { ensureTemporalCli } from '../lib/temporal-cli.ts';
import { loadAverage } from './load-average.ts';
import { treeMemory } from './process-tree.ts';
import { productionWorkerEntry, productionWorkerLaunch } from './production-build.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** 10,000 files of random bytes (1 GB in all) under the installed application's data/. */
function growApplication(dir: string, files: number, bytes: number): void {
  for (let i = 0; i < files; i++) {
    const folder = join(dir, 'data', String(Math.floor(i / 500)).padStart(3, '0'));
    if (i % 500 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `archive-${String(i).padStart(5, '0')}.dat`), randomBytes(bytes));
  }
}

/** `count` paid vouchers of an earlier year in one statement. */
async function growVouchers(sandbox: SandboxHandle, count: number): Promise<void> {
  await sql`
    with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})
    insert into vouchers (voucher_no, fiscal_year, bank_code, pay_type, amount_fen, payee_account_id,
      budget_unit_code, subject_code, status, business_date, submitted_at, sent_at, accepted_at,
      paid_at, serial_no, failure_code, failure_reason, updated_at)
    select 'BENCH' || printf('%09d', i), 2025, t.bank_code, t.pay_type, 1000 + (i % 20000000),
      t.payee_account_id, t.budget_unit_code, t.subject_code, 'paid', '2025-06-30',
      '2025-06-30T01:00:00.000Z', '2025-06-30T01:00:01.000Z', '2025-06-30T01:00:02.000Z',
      '2025-06-30T02:00:00.000Z', null, null, null, '2025-06-30T02:00:00.000Z'
    from n, (select * from vouchers limit 1) t`.execute(sandbox.treasury);
}

/** How long each step took: from the end of the one before it (the first from `from`). */
function durations(steps: readonly UpgradeStepDone[], from: number): Map<string, number> {
  const out = new Map<string, number>();
  let last = from;
  for (const s of steps) {
    const at = Date.parse(s.at);
    const key = s.step.replace(/^(rollback:)?migrate:.*$/, '$1migrate');
    out.set(key, (out.get(key) ?? 0) + (at - last));
    last = at;
  }
  return out;
}

async function approvedUpgrade(client: Client, site: SiteConfig, pkg: string) {
  const id = `version-upgrade/${pkg}/bench-${Date.now()}`;
  const started = Date.now();
  const handle = await client.workflow.start('versionUpgrade', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ package: pkg, requestedBy: 'eng', smokeWaitSeconds: 60 }],
  });
  const gate = await waitForGate(client, id, 60 * 60_000);
  const approved = Date.now();
  await decide(client, id, signedBy(site, gate, 'wang'));
  const result = (await handle.result()) as VersionUpgradeResult;
  return { result, planMs: approved - started, approved, done: Date.now() };
}

export async function runUpgradeBench(): Promise<number> {
  const files = Number(process.env.BENCH_FILES ?? 10_000);
  const fileBytes = Number(process.env.BENCH_FILE_BYTES ?? Math.round(2 ** 30 / 10_000));
  const vouchers = Number(process.env.BENCH_VOUCHERS ?? 1_000_000);
  const entry = productionWorkerEntry((l) => console.log(l));
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const cliPath = await ensureTemporalCli({ log: (l) => console.log(l) });
  const server = await startDevServer({ cliPath, uiPort: false, searchAttributes: projectSearchAttributes });
  // Sets the payload key the worker process takes from the site's environment.
  const dataConverter = testDataConverter();
  const ts = await makeTestSite({
    temporalAddress: server.address,
    banks: ['ICBC'],
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'version-upgrade': { roles: ['comm-approver'] },
      };
    },
  });
  Object.assign(process.env, {
    JINCAI_MQWEB_USER: ts.env.JINCAI_MQWEB_USER,
    JINCAI_MQWEB_PASSWORD: ts.env.JINCAI_MQWEB_PASSWORD,
  });
  await addTestUsers(ts.site);
  const sandbox = await startSandbox({ site: ts.site, reseed: true });
  const payment = ts.site.subsystems.find((s) => s.kind === 'payment');
  if (!payment?.install) throw new Error('the bench site has no installed payment system');
  const t0 = performance.now();
  growApplication(payment.install.dir, files, fileBytes);
  const t1 = performance.now();
  await growVouchers(sandbox, vouchers);
  console.log(
    `\nthe application grown by ${files} files of ${fileBytes} bytes in ${seconds(t1 - t0)}; ` +
      `${vouchers} voucher rows added in ${seconds(performance.now() - t1)}`,
  );
  await sandbox.subsystems.apps.start('payment');
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({
    connection,
    dataConverter,
    interceptors: { workflow: [signedStarts(ts.site)] },
  });
  const launch = productionWorkerLaunch();
  const worker = await startWorkerProcess(
    { ...ts.env, ...launch.env },
    { entry, nodeOptions: launch.nodeOptions },
  );
  const pid = worker.pid as number;
  const atStart = treeMemory(pid).rss;
  let peak = atStart;
  const sampler = setInterval(() => (peak = Math.max(peak, treeMemory(pid).rss)), 250);
  try {
    const loadAtStart = loadAverage();
    const up = await approvedUpgrade(client, ts.site, 'payment-3.5.0');
    if (up.result.outcome !== 'upgraded')
      throw new Error(`the upgrade ended ${up.result.outcome}: ${up.result.failure}`);
    const forward = durations(up.result.steps, up.approved);
    const fault = await sandbox.subsystems.faults.inject({
      fault: 'release-migration-fails',
      subsystem: 'payment',
    });
    const down = await approvedUpgrade(client, ts.site, fault.details.package as string);
    const lastForward = Date.parse(down.result.steps.at(-1)?.at ?? new Date(down.approved).toISOString());
    const back = durations(down.result.rollback, lastForward);
    const rollbackMs = Date.parse(down.result.rollback.at(-1)?.at ?? '') - lastForward;
    clearInterval(sampler);
    const ms = (m: Map<string, number>, key: string) => seconds(m.get(key) ?? 0);
    console.log(
      [
        `load average (1 / 5 / 15 min): ${loadAtStart} at the start, ${loadAverage()} at the end`,
        `upgrade to 3.5.0 (${files} files, ${((files * fileBytes) / 1e9).toFixed(2)} GB; ${vouchers} more voucher rows): ${up.result.outcome}, ` +
          `${seconds(up.done - up.approved)} from approval to the end (verify and pre-check before the plan: ${seconds(up.planMs)})`,
        `  backup: application ${ms(forward, 'backup')}, tables ${ms(forward, 'backup-tables')}`,
        `  apply: files ${ms(forward, 'apply')}, migrations ${ms(forward, 'migrate')}; stop ${ms(forward, 'stop')}, start ${ms(forward, 'start')}`,
        `rollback of ${fault.details.package as string} (its migration failing half-way): ${down.result.outcome}, verified ${down.result.verification?.ok}`,
        `  rollback: ${seconds(rollbackMs)} — files ${ms(back, 'rollback:restore-files')}, statements undone ${ms(back, 'rollback:migrate')}, ` +
          `tables ${ms(back, 'rollback:restore-tables')}, stop ${ms(back, 'rollback:stop')}, start ${ms(back, 'rollback:start')}; ` +
          `then the check that everything is as before, ${seconds(down.done - Date.parse(down.result.rollback.at(-1)?.at ?? ''))} with the report`,
        `production worker peak RSS over both runs: ${peak.toFixed(0)} MiB over its process tree (the start commands it ` +
          `runs included; ${atStart.toFixed(0)} MiB when it started); the worker process's own high-water mark ${treeMemory(pid).peak.toFixed(0)} MiB`,
      ].join('\n'),
    );
    return down.result.outcome === 'rolled-back' ? 0 : 1;
  } finally {
    clearInterval(sampler);
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await connection.close();
    await sandbox.stop();
    await server.stop();
    ts.cleanup();
  }
}
