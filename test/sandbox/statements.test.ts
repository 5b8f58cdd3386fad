import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { financeUnitNames, writeFinanceExtract } from '../../connectors/statements/finance-extract.ts';
import { createFolderExchange } from '../../connectors/statements/folder-exchange.ts';
import { statementSource } from '../../connectors/statements/line-files.ts';
import { reconcileFiles, type ReconcileResult } from '../../connectors/statements/reconcile.ts';
import { statementReply } from '../../domain/reconciliation/reply.ts';
import { StatementError } from '../../domain/reconciliation/statement-error.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import { previousWorkday, localDate } from '../../sandbox/calendar.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import { bankStatementFormat } from '../../temporal.config.ts';
import { authHeader, startTestSandbox, waitFor, type TestSite } from './helpers.ts';

describe('bank statements in the sandbox', () => {
  let sandbox: SandboxHandle;
  let site: TestSite;
  let exchange: ReturnType<typeof createFolderExchange>;
  let work: string;
  const day = previousWorkday(localDate(new Date()));
  before(async () => {
    ({ sandbox, site } = await startTestSandbox({ programs: false }));
    exchange = createFolderExchange(join(site.dir, 'exchange'));
    work = join(site.dir, 'recon');
    mkdirSync(work, { recursive: true });
  });
  after(async () => {
    await sandbox?.stop();
    site?.cleanup();
  });

  const bank = (code: string) => sandbox.site.banks.find((b) => b.code === code)!;
  let runs = 0;
  /** What the engine will do: list, extract the finance side, compare. */
  async function reconcile(code: string, kind: StatementKind = 'payment-detail'): Promise<ReconcileResult> {
    const arrived = await exchange.arrived(code, kind, day);
    assert.deepEqual(arrived.missingPackages, [], 'the statement is complete');
    const n = ++runs;
    const financeFile = join(work, `finance-${n}.tsv`);
    await writeFinanceExtract(
      sandbox.treasury,
      { bank: code, kind, beginDate: day, endDate: day },
      financeFile,
    );
    return reconcileFiles({
      kind,
      format: bankStatementFormat(bank(code)),
      statementFiles: arrived.files,
      financeFile,
      financeUnitNames: await financeUnitNames(sandbox.treasury),
      differenceFile: join(work, `differences-${n}.csv`),
      workDir: join(work, `work-${n}`),
    });
  }
  const inject = (fault: string, code: string, extra: Record<string, unknown> = {}) =>
    sandbox.faults.inject({ fault, bank: code, date: day, ...extra });
  const clear = (fault: string, code: string) => sandbox.faults.clear({ fault, bank: code });
  const problem = async (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (err: unknown) => (err instanceof StatementError ? err.problem : Promise.reject(err)),
    );

  it('every bank writes the day in its own format, and a clean day agrees', async () => {
    for (const b of sandbox.site.banks) {
      const files = await sandbox.statements.write(b.code, day);
      assert.ok(files.length >= bankStatementFormat(b).kinds.length, `${b.code} wrote ${files.length} files`);
      for (const kind of bankStatementFormat(b).kinds) {
        const result = await reconcile(b.code, kind);
        assert.equal(result.differences, 0, `${b.code} ${kind}: ${JSON.stringify(result.sample[0])}`);
        assert.ok(result.totals.bank.count > 0, `${b.code} ${kind} lists lines`);
        assert.equal(result.statementTotalsAgree, true);
      }
    }
    const icbc = await exchange.arrived('ICBC', 'payment-detail', day);
    assert.ok(icbc.files.length > 1, 'ICBC sends XML packages');
    const abc = readFileSync((await exchange.arrived('ABC', 'payment-detail', day)).files[0]!);
    assert.ok(
      abc.includes(Buffer.from('D', 'latin1')) && !abc.toString('utf8').includes('县'),
      'ABC writes GBK',
    );
  });

  it('finds each injected difference, both ways, with its cause and runbook', async () => {
    await inject('statement-only-at-finance', 'BOC', { count: 2 });
    await inject('statement-only-at-bank', 'BOC', { count: 2 });
    await inject('statement-amount-differs', 'BOC', { count: 2 });
    await inject('statement-status-differs', 'BOC', { count: 2 });
    await inject('statement-duplicate-line', 'BOC', { count: 2 });
    const result = await reconcile('BOC');
    assert.deepEqual(result.counts, {
      'only-at-finance': 2,
      'only-at-bank': 2,
      'amount-differs': 2,
      'status-differs': 2,
      duplicate: 2,
    });
    const fixes = Object.fromEntries(result.sample.map((d) => [d.type, d.fix]));
    assert.deepEqual(fixes, {
      'only-at-finance': 'voucher-resend',
      'only-at-bank': null,
      'amount-differs': null,
      'status-differs': 'refund-tracking',
      duplicate: null,
    });
    for (const f of ['only-at-bank', 'amount-differs', 'status-differs', 'duplicate-line'])
      await clear(`statement-${f}`, 'BOC');
    const after = await reconcile('BOC');
    assert.deepEqual(
      after.counts['only-at-finance'],
      2,
      'the vouchers the bank never got are still the incident',
    );
    assert.equal(after.differences, 2);
  });

  it('a receipt the bank paid but finance never registered is a receipt to register', async () => {
    await sandbox.statements.write('CCB', day);
    await inject('receipt-unregistered', 'CCB');
    const result = await reconcile('CCB');
    assert.ok(
      result.sample.some((d) => d.fix === 'receipt-registration-repair'),
      JSON.stringify(result.counts),
    );
  });

  it('a missing package is re-requested and arrives; a held one stays missing', async () => {
    await inject('statement-package-missing', 'ICBC');
    assert.deepEqual((await exchange.arrived('ICBC', 'payment-detail', day)).missingPackages, [2]);
    await exchange.request('ICBC', 'payment-detail', day, [2]);
    await waitFor(
      'package 2 again',
      async () => (await exchange.arrived('ICBC', 'payment-detail', day)).missingPackages.length === 0,
    );
    assert.equal((await reconcile('ICBC')).differences, 0);
    await clear('statement-package-missing', 'ICBC');
    await inject('statement-package-missing', 'ICBC', { held: true });
    await exchange.request('ICBC', 'payment-detail', day, [2]);
    await waitFor('the request read', () => readdirCount(join(site.dir, 'exchange', 'ICBC', 'out')) === 0);
    assert.deepEqual((await exchange.arrived('ICBC', 'payment-detail', day)).missingPackages, [2]);
    await clear('statement-package-missing', 'ICBC');
  });

  it('names a truncated file and a broken encoding as such; a re-request mends the truncation', async () => {
    await inject('statement-truncated', 'ABC');
    assert.equal(await problem(reconcile('ABC')), 'truncated');
    await exchange.request('ABC', 'payment-detail', day);
    await waitFor('ABC resent', async () => (await problem(reconcile('ABC'))) === undefined);
    await clear('statement-truncated', 'ABC');
    await inject('statement-encoding-broken', 'ABC');
    assert.equal(await problem(reconcile('ABC')), 'encoding');
    await clear('statement-encoding-broken', 'ABC');
    await inject('statement-encoding-broken', 'ICBC');
    assert.equal(await problem(reconcile('ICBC')), 'encoding');
    await clear('statement-encoding-broken', 'ICBC');
  });

  it('totals that disagree with the lines are found', async () => {
    await inject('statement-totals-wrong', 'RCB');
    const result = await reconcile('RCB');
    assert.equal(result.statementTotalsAgree, false);
    assert.equal(result.statement!.declared.count, result.statement!.counted.count + 1);
    await clear('statement-totals-wrong', 'RCB');
  });

  it('the bank files the reply: XCheckResult and XDiffNum', async () => {
    await inject('statement-amount-differs', 'CCB', { count: 3 });
    const result = await reconcile('CCB');
    const reply = statementReply(result.statement!.header, result.sample, result.differences, 'GBK');
    await exchange.reply('CCB', 'payment-detail', day, reply);
    const filed = await waitFor('the reply filed', () => sandbox.statements.replies('CCB')[0]);
    assert.equal(filed.checkResult, 1);
    assert.equal(filed.diffNum, result.differences);
    assert.ok(filed.lines.some((l) => l.reason === '金额不符'));
    await clear('statement-amount-differs', 'CCB');
  });

  it('writes a generated day of any size over HTTP, its finance side in the history table', async () => {
    const res = await fetch(`${sandbox.url}/sandbox/banks/BOC/statements`, {
      method: 'POST',
      headers: { authorization: authHeader(), 'content-type': 'application/json' },
      body: JSON.stringify({ date: '2026-11-27', lines: 3000, seed: 5, differences: { amountDiffers: 4 } }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { financeLines: number }).financeLines, 3000);
    const arrived = await exchange.arrived('BOC', 'payment-detail', '2026-11-27');
    const financeFile = join(work, 'generated.tsv');
    await writeFinanceExtract(
      sandbox.treasury,
      { bank: 'BOC', kind: 'payment-detail', beginDate: '2026-11-27', endDate: '2026-11-27' },
      financeFile,
    );
    const result = await reconcileFiles({
      kind: 'payment-detail',
      format: bankStatementFormat(bank('BOC')),
      statementFiles: arrived.files,
      financeFile,
      financeUnitNames: await financeUnitNames(sandbox.treasury),
      differenceFile: join(work, 'generated.csv'),
      workDir: join(work, 'generated-work'),
    });
    assert.equal(result.totals.bank.count, 3000);
    assert.deepEqual(result.counts['amount-differs'], 4);
    assert.equal(result.differences, 4);
    // Every unit the day names is the treasury's, and a difference carries its name there.
    const units = await sandbox.treasury.selectFrom('budget_units').select(['code', 'name']).execute();
    const unitName = new Map(units.map((u) => [u.code, u.name]));
    const first = readFileSync(financeFile, 'utf8').split('\n')[0]?.split('\t') ?? [];
    assert.equal(first.length, 5, 'voucher, unit, subject, amount, status: no name in the extract');
    assert.ok(!first.includes(unitName.get(first[1] ?? '') ?? ''), first.join(' '));
    for (const d of result.sample) assert.equal(d.unitName, unitName.get(d.budgetUnit), d.budgetUnit);
    const lines = [];
    for await (const b of statementSource(
      'payment-detail',
      bankStatementFormat(bank('BOC')),
      arrived.files,
    )())
      lines.push(...b.lines);
    assert.equal(lines.length, 3000);
  });

  it('refuses a statement fault for an unknown bank, naming the field', async () => {
    await assert.rejects(inject('statement-truncated', 'NOPE'), /bank: unknown bank NOPE/);
  });
});

function readdirCount(dir: string): number {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.json')).length;
  } catch {
    return 0;
  }
}
