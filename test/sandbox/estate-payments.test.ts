/**
 * The payment system's neighbours in the sandbox, end to end through the real voucher flow (the
 * send/receive programs, the banks): a payroll batch paid line by line, its failing lines and a
 * stalled batch; a day's official-card repayments paid, some stuck at the card-issuing bank;
 * payments against procurement contracts and the push of their confirmations to the procurement
 * cloud over HTTP, with the cloud down and with payments that do not agree with their contract.
 * No line is paid twice, and no payee's name or account reaches the log.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { SandboxHandle } from '../../sandbox/server.ts';
import { startSandbox } from '../../sandbox/server.ts';
import { sandboxApi } from './estate-sandbox.ts';
import { businessMorning, credentials, testSite, waitFor, type TestSite } from './helpers.ts';

describe('sandbox payroll, official card and procurement push', () => {
  let ts: TestSite;
  let sandbox: SandboxHandle;
  const logLines: string[] = [];
  const api = sandboxApi(() => sandbox.url);
  const lines = (batchNo: string) =>
    sandbox.treasury
      .selectFrom('payroll_lines')
      .selectAll()
      .where('batch_no', '=', batchNo)
      .orderBy('line_no')
      .execute();
  const batch = (batchNo: string) =>
    sandbox.treasury
      .selectFrom('payroll_batches')
      .selectAll()
      .where('batch_no', '=', batchNo)
      .executeTakeFirstOrThrow();
  const confirmation = (no: string) =>
    sandbox.treasury
      .selectFrom('procurement_confirmations')
      .selectAll()
      .where('confirmation_no', '=', no)
      .executeTakeFirstOrThrow();
  const cloud = async (path: string) => {
    const res = await fetch(`${sandbox.url}/zcy${path}`);
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    process.env.JINCAI_MQWEB_USER = credentials.user;
    process.env.JINCAI_MQWEB_PASSWORD = credentials.password;
    ts = await testSite();
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logLines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    sandbox = await startSandbox({
      // The payroll bank and the card banks, with their send/receive programs.
      site: { ...ts.site, banks: ts.site.banks.filter((b) => ['ICBC', 'BOC', 'CCB'].includes(b.code)) },
      port: 0,
      reseed: true,
      clock: businessMorning(),
      tickMs: 50,
      programIntervalMs: 100,
      jobIntervalMs: 200,
      log,
    });
  });

  after(async () => {
    await sandbox?.stop();
    ts?.cleanup();
  });

  it('a payroll batch becomes one voucher per line to the payroll bank; every line paid once, the batch completed', async () => {
    const submitted = await api('POST', '/sandbox/estate/payroll/batches', { lines: 8 });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.json));
    const batchNo = submitted.json.batchNo as string;
    await waitFor('the batch completed', async () => (await batch(batchNo)).status === 'completed');
    const paid = await lines(batchNo);
    assert.equal(paid.length, 8);
    for (const line of paid) {
      assert.equal(line.status, 'paid', `line ${line.line_no}`);
      assert.equal(sandbox.banks.ledger('ICBC').payCount(line.voucher_no!), 1);
    }
    const names = paid.map((l) => l.payee_name);
    const accounts = paid.map((l) => l.account_no);
    const leaked = logLines.filter(
      (l) => names.some((n) => l.includes(n)) || accounts.some((a) => l.includes(a)),
    );
    assert.deepEqual(leaked, [], 'no payee name or account in the log');
  });

  it('payroll lines fail on a refused payee account or a missing bank code; the rest are paid; a repaired voucher pays its line', async () => {
    const injected = await api('POST', '/sandbox/estate/faults', {
      fault: 'payroll-line-failures',
      lines: 6,
      badAccounts: 2,
      missingBankCodes: 1,
    });
    assert.equal(injected.status, 201, JSON.stringify(injected.json));
    const details = injected.json.details as {
      batchNo: string;
      badAccountLines: number[];
      missingBankCodeLines: number[];
    };
    assert.deepEqual([details.badAccountLines, details.missingBankCodeLines], [[4, 5], [6]]);
    await waitFor(
      'the batch completed',
      async () => (await batch(details.batchNo)).status === 'completed',
      30_000,
    );
    const all = await lines(details.batchNo);
    assert.deepEqual(
      all.map((l) => l.status),
      ['paid', 'paid', 'paid', 'failed', 'failed', 'failed'],
    );
    assert.match(all[3]!.failure_reason ?? '', /银行拒绝：收款人账号格式错误/);
    assert.match(all[5]!.failure_reason ?? '', /联行号/);
    assert.equal(all[5]!.voucher_no, null, 'no voucher without a bank code');
    assert.equal(sandbox.banks.ledger('ICBC').payCount(all[3]!.voucher_no!), 0);

    // The repair path corrects the payee account and sends the voucher again: the line is paid.
    const voucherNo = all[3]!.voucher_no!;
    const v = await sandbox.treasury
      .selectFrom('vouchers')
      .select('payee_account_id')
      .where('voucher_no', '=', voucherNo)
      .executeTakeFirstOrThrow();
    await sandbox.treasury
      .updateTable('payee_accounts')
      .set({ account_no: all[3]!.account_no.replace(/\s/g, '').replace('O', '0') })
      .where('id', '=', v.payee_account_id)
      .execute();
    await sandbox.treasury
      .updateTable('vouchers')
      .set({ status: 'pending_send' })
      .where('voucher_no', '=', voucherNo)
      .execute();
    await waitFor(
      'the repaired line paid',
      async () => (await lines(details.batchNo))[3]!.status === 'paid',
      30_000,
    );
    assert.equal(sandbox.banks.ledger('ICBC').payCount(voucherNo), 1);
  });

  it('a stalled batch stops raising vouchers part-way; clearing lets it finish', async () => {
    const injected = await api('POST', '/sandbox/estate/faults', {
      fault: 'payroll-batch-stalled',
      lines: 6,
      stallAfter: 2,
    });
    assert.equal(injected.status, 201, JSON.stringify(injected.json));
    const batchNo = (injected.json.details as { batchNo: string }).batchNo;
    await waitFor(
      'two lines paid',
      async () => (await lines(batchNo)).filter((l) => l.status === 'paid').length === 2,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 800));
    const held = await lines(batchNo);
    assert.deepEqual(
      held.map((l) => l.status),
      ['paid', 'paid', 'pending', 'pending', 'pending', 'pending'],
    );
    assert.equal((await batch(batchNo)).status, 'processing');
    await api('DELETE', '/sandbox/estate/faults', { fault: 'payroll-batch-stalled' });
    await waitFor('the batch completed', async () => (await batch(batchNo)).status === 'completed');
    assert.ok((await lines(batchNo)).every((l) => l.status === 'paid'));
  });

  it('a day’s official-card repayments reach the card-issuing bank and come back paid', async () => {
    const submitted = await api('POST', '/sandbox/estate/official-card/repayments', {
      bank: 'BOC',
      count: 4,
    });
    assert.equal(submitted.status, 201, JSON.stringify(submitted.json));
    const numbers = submitted.json.repayments as string[];
    const rows = await waitFor(
      'all paid',
      async () => {
        const r = await sandbox.treasury
          .selectFrom('official_card_repayments')
          .selectAll()
          .where('repay_no', 'in', numbers)
          .execute();
        return r.every((x) => x.status === 'paid') && r;
      },
      30_000,
    );
    for (const r of rows) {
      assert.match(r.card_no_masked, /^6259 \*{4} \*{4} \d{4}$/);
      assert.equal(sandbox.banks.ledger('BOC').payCount(r.voucher_no!), 1);
    }
  });

  it('stuck repayments: the card bank pays them but finance never hears; they stay sent after the fault is cleared', async () => {
    const injected = await api('POST', '/sandbox/estate/faults', {
      fault: 'official-card-stuck',
      bank: 'CCB',
      count: 4,
      stuck: 2,
    });
    assert.equal(injected.status, 201, JSON.stringify(injected.json));
    const details = injected.json.details as { repayments: string[]; stuckVouchers: string[] };
    await waitFor(
      'the others paid, the stuck paid at the bank',
      async () => {
        const r = await sandbox.treasury
          .selectFrom('official_card_repayments')
          .select(['status', 'voucher_no'])
          .where('repay_no', 'in', details.repayments)
          .execute();
        return (
          r.filter((x) => x.status === 'paid').length === 2 &&
          details.stuckVouchers.every((v) => sandbox.banks.ledger('CCB').payCount(v) === 1)
        );
      },
      30_000,
    );
    await api('DELETE', '/sandbox/estate/faults', { fault: 'official-card-stuck' });
    await new Promise((r) => setTimeout(r, 500));
    const stuck = await sandbox.treasury
      .selectFrom('vouchers')
      .select(['voucher_no', 'status'])
      .where('voucher_no', 'in', details.stuckVouchers)
      .execute();
    assert.deepEqual(
      stuck.map((v) => v.status),
      ['sent', 'sent'],
    );
    const repayments = await sandbox.treasury
      .selectFrom('official_card_repayments')
      .select('status')
      .where('voucher_no', 'in', details.stuckVouchers)
      .execute();
    assert.deepEqual(
      repayments.map((r) => r.status),
      ['issued', 'issued'],
    );
  });

  it('payments against a procurement contract are paid and their confirmations pushed to the cloud once', async () => {
    const paid = await api('POST', '/sandbox/estate/procurement/payments', { count: 2, bank: 'ICBC' });
    assert.equal(paid.status, 201, JSON.stringify(paid.json));
    const made = paid.json.payments as { contractNo: string; confirmationNo: string; amountFen: number }[];
    for (const m of made)
      await waitFor(
        `${m.confirmationNo} pushed`,
        async () => (await confirmation(m.confirmationNo)).status === 'pushed',
        30_000,
      );
    const contract = await cloud(`/api/contracts/${made[0]!.contractNo}`);
    assert.equal(
      contract.json.confirmedFen,
      made.reduce((n, m) => n + m.amountFen, 0),
    );
    const held = await cloud(`/api/confirmations/${made[0]!.confirmationNo}`);
    assert.equal(held.json.repeats, 0);
  });

  it('the cloud down: pushes fail after the site’s attempts; cleared, a retry pushes each once', async () => {
    await api('POST', '/sandbox/estate/faults', { fault: 'procurement-push-failing' });
    assert.equal((await cloud('/health')).status, 503);
    const paid = await api('POST', '/sandbox/estate/procurement/payments', { bank: 'ICBC' });
    const [made] = paid.json.payments as { confirmationNo: string }[];
    const failed = await waitFor(
      'failed',
      async () => {
        const c = await confirmation(made!.confirmationNo);
        return c.status === 'failed' && c;
      },
      30_000,
    );
    assert.equal(failed.attempts, 3, 'the site’s maxAttempts');
    assert.match(failed.last_error ?? '', /SERVICE_UNAVAILABLE/);
    await api('DELETE', '/sandbox/estate/faults', { fault: 'procurement-push-failing' });
    assert.equal((await cloud('/health')).status, 200);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await confirmation(made!.confirmationNo)).status, 'failed', 'left failed for an engineer');
    for (let i = 0; i < 2; i++) {
      await sandbox.treasury
        .updateTable('procurement_confirmations')
        .set({ status: 'pending', attempts: 0 })
        .where('confirmation_no', '=', made!.confirmationNo)
        .execute();
      await waitFor(
        'pushed',
        async () => (await confirmation(made!.confirmationNo)).status === 'pushed',
        30_000,
      );
    }
    const held = await cloud(`/api/confirmations/${made!.confirmationNo}`);
    assert.equal(held.json.repeats, 1, 'the second push acknowledged as a duplicate');
  });

  it('payments that disagree with their contract: beyond its amount refused by the cloud; a confirmation unlike its voucher', async () => {
    const over = await api('POST', '/sandbox/estate/faults', { fault: 'procurement-contract-mismatch' });
    assert.equal(over.status, 201, JSON.stringify(over.json));
    const o = over.json.details as { confirmationNo: string; contractNo: string; voucherNo: string };
    const refused = await waitFor(
      'refused',
      async () => {
        const c = await confirmation(o.confirmationNo);
        return c.status === 'failed' && c;
      },
      30_000,
    );
    assert.match(refused.last_error ?? '', /CONTRACT_EXCEEDED/);
    assert.equal(refused.attempts, 1, 'a business refusal is not retried');
    const contract = await sandbox.treasury
      .selectFrom('procurement_contracts')
      .select('amount_fen')
      .where('contract_no', '=', o.contractNo)
      .executeTakeFirstOrThrow();
    const voucher = await sandbox.treasury
      .selectFrom('vouchers')
      .select(['amount_fen', 'status'])
      .where('voucher_no', '=', o.voucherNo)
      .executeTakeFirstOrThrow();
    assert.equal(voucher.status, 'paid');
    const onCloud = await cloud(`/api/contracts/${o.contractNo}`);
    assert.ok(
      (onCloud.json.confirmedFen as number) + Number(voucher.amount_fen) > Number(contract.amount_fen),
      'paid beyond what the contract had left',
    );

    const differs = await api('POST', '/sandbox/estate/faults', {
      fault: 'procurement-contract-mismatch',
      mismatch: 'amount-differs',
    });
    const d = differs.json.details as {
      confirmationNo: string;
      amountFen: number;
      confirmationAmountFen: number;
    };
    assert.notEqual(d.amountFen, d.confirmationAmountFen);
    await waitFor('pushed', async () => (await confirmation(d.confirmationNo)).status === 'pushed');
  });

  it('the month-end scenario combines faults of the exchange, procurement, payroll and the official card', async () => {
    const run = await api('POST', '/sandbox/estate/scenarios/month-end');
    assert.equal(run.status, 200, JSON.stringify(run.json));
    assert.deepEqual(
      (run.json.injected as { fault: string; subsystem: string }[]).map((f) => `${f.fault}/${f.subsystem}`),
      [
        'exchange-downlink-base-data/budget-exchange',
        'exchange-certificate-expiring/budget-exchange',
        'procurement-push-failing/procurement',
        'payroll-line-failures/payroll',
        'official-card-stuck/official-card',
      ],
    );
    const state = await api('GET', '/sandbox/estate');
    assert.equal((state.json.faults as unknown[]).length, 5);
    assert.equal((state.json.payments as { cloud: { down: boolean } }).cloud.down, true);
    const cleared = await api('DELETE', '/sandbox/estate/faults', {});
    assert.equal((cleared.json.cleared as unknown[]).length, 5);
    assert.equal((await cloud('/health')).status, 200);
  });

  it('refuses bad work and fault input naming the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['/sandbox/estate/payroll/batches', { lines: 0 }, 'lines'],
      ['/sandbox/estate/payroll/batches', { month: '2026-13' }, 'month'],
      ['/sandbox/estate/official-card/repayments', { bank: 'ICBC' }, 'bank'],
      ['/sandbox/estate/procurement/payments', { contractNo: 'NOPE' }, 'contractNo'],
      ['/sandbox/estate/faults', { fault: 'procurement-contract-mismatch', mismatch: 'x' }, 'mismatch'],
      ['/sandbox/estate/faults', { fault: 'payroll-batch-stalled', days: 3 }, 'days'],
    ];
    for (const [path, body, field] of cases) {
      const res = await api('POST', path, body);
      assert.deepEqual([res.status, res.json.field], [400, field], `${path} ${JSON.stringify(res.json)}`);
    }
  });
});
