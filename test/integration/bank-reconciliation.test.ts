/**
 * Bank reconciliation against the dev server and the sandbox (its banks writing statements in
 * their own formats, its statement desk answering requests and filing replies): a clean day agrees
 * and the bank gets XCheckResult 0, XDiffNum 0; every injected difference is found, classified and
 * attributed in both directions, the reply names each, and only the safe fixes are offered —
 * receipts the paid line proves are registered after approval, the owning runbooks started; a
 * missing package is asked for and the statement compared once whole; a broken encoding and a cut
 * file are named, the cut one asked for again; a re-reconciliation discards the standing result
 * and names what changed; bad input is refused naming the field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { BankReconciliationResult } from '../../domain/runbooks/bank-reconciliation.types.ts';
import { localDate, previousWorkday } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { auditKinds, auditPayloads } from '../support/worker-lane.ts';

let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC', 'BOC', 'CCB', 'RCB'],
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'bank-reconciliation': { roles: ['comm-approver'], quorum: 1 },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const day = () => previousWorkday(localDate(new Date(), 'Asia/Shanghai'));
const statements = () => estate.sandbox.statements;

function start(id: string, input: Record<string, unknown>) {
  return estate.client.workflow.start('bankReconciliation', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `${id}/test-${Date.now()}`,
    args: [{ requestedBy: 'eng', waitSeconds: 30, ...input }],
  });
}

async function reconcile(input: Record<string, unknown>): Promise<BankReconciliationResult> {
  return (await start(`bank-reconciliation/${String(input.bank)}`, input)).result();
}

const inject = (fault: string, bank: string, extra: Record<string, unknown> = {}) =>
  estate.sandbox.faults.inject({ fault, bank, date: day(), ...extra });
const clear = (fault: string, bank: string) => estate.sandbox.faults.clear({ fault, bank });

/** The reply the bank filed last for the day. */
async function lastReply(bank: string) {
  let replies = statements().replies(bank);
  for (let i = 0; i < 100 && replies.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    replies = statements().replies(bank);
  }
  return replies.at(-1);
}

describe('bank reconciliation', () => {
  it('a clean day agrees in every format: XCheckResult 0, XDiffNum 0, the standing result recorded', async () => {
    for (const bank of ['ICBC', 'ABC', 'BOC']) {
      await statements().write(bank, day());
      const before = statements().replies(bank).length;
      const r = await reconcile({ bank, date: day() });
      assert.equal(r.outcome, 'agreed', `${bank}: ${r.why}`);
      const d = r.days[0]!;
      assert.equal(d.compared?.differences, 0);
      assert.ok((d.compared?.totals.bank.count ?? 0) > 0, `${bank} lists lines`);
      assert.deepEqual(d.compared?.totals.bank, d.compared?.totals.finance);
      assert.deepEqual(d.compared?.statement?.declared, d.compared?.statement?.counted);
      for (let i = 0; i < 100 && statements().replies(bank).length === before; i++)
        await new Promise((res) => setTimeout(res, 100));
      const reply = await lastReply(bank);
      assert.equal(reply?.checkResult, 0);
      assert.equal(reply?.diffNum, 0);
      assert.equal(r.plan, undefined, 'nothing to fix: no gate');
      const row = await estate.sandbox.treasury
        .selectFrom('reconciliations')
        .selectAll()
        .where('bank_code', '=', bank)
        .where('business_date', '=', day())
        .executeTakeFirstOrThrow();
      assert.equal(row.result, 'agreed');
      assert.equal(Number(row.bank_count), d.compared?.totals.bank.count);
      const csv = readFileSync(d.compared!.differenceFile);
      assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV opens with a BOM');
    }
  });

  it('finds every injected difference both ways, replies each, starts the owning runbook', async () => {
    const bank = 'ICBC';
    for (const f of [
      'statement-only-at-finance',
      'statement-only-at-bank',
      'statement-amount-differs',
      'statement-status-differs',
      'statement-duplicate-line',
    ])
      await inject(f, bank);
    const handle = await start(`bank-reconciliation/${bank}`, { bank, date: day() });
    const gate = await waitForGate(estate.client, handle.workflowId);
    const kinds = gate.plan.actions.map((a) => `${a.kind}:${a.target}`);
    // Refund tracking shares the vouchers' lock with the resend: it waits for a later run.
    assert.deepEqual(kinds, ['runbook:voucher-resend']);
    await decide(estate.client, handle.workflowId, signedBy(estate.site, gate, 'wang', { reason: '已核对' }));
    const r: BankReconciliationResult = await handle.result();
    assert.equal(r.outcome, 'fixes-applied', r.why);
    const c = r.days[0]!.compared!;
    assert.deepEqual(c.counts, {
      'only-at-finance': 1,
      'only-at-bank': 1,
      'amount-differs': 1,
      'status-differs': 1,
      duplicate: 1,
    });
    const byType = new Map(c.sample.map((d) => [d.type, d]));
    assert.equal(byType.get('only-at-finance')?.fix, 'voucher-resend');
    assert.ok(byType.get('only-at-finance')?.finance && !byType.get('only-at-finance')?.bank);
    assert.ok(byType.get('only-at-bank')?.bank && !byType.get('only-at-bank')?.finance);
    assert.equal(byType.get('amount-differs')?.fix, null, 'an amount is never settled by a runbook');
    assert.equal(byType.get('status-differs')?.cause, 'refund-unmatched');
    assert.equal(byType.get('duplicate')?.side, 'bank');
    assert.deepEqual(
      r.started.map((s) => [s.runbook, s.status]),
      [['voucher-resend', 'started']],
    );
    const reply = await lastReply(bank);
    assert.equal(reply?.checkResult, 1);
    assert.equal(reply?.diffNum, 5);
    assert.deepEqual(
      reply?.lines.map((l) => l.reason).sort(),
      ['无此凭证', '状态不符', '重复记录', '金额不符', '银行未列示'].sort(),
    );
    const report = readFileSync(r.report.markdown, 'utf8');
    assert.match(report, /财政有银行无/);
    assert.match(report, /ICBC_payment-detail_\d{8}_reply\.xml/);
    for (const f of [
      'statement-only-at-bank',
      'statement-amount-differs',
      'statement-status-differs',
      'statement-duplicate-line',
    ])
      await clear(f, bank);
  });

  it('registers a receipt the paid line proves, never one whose amount or date differs', async () => {
    const fault = await estate.sandbox.faults.inject({ fault: 'receipt-unregistered', bank: 'ABC' });
    const d = fault.details as { clean: string[]; amountDiffers: string[]; dateDiffers: string[] };
    const receipts = await estate.sandbox.treasury
      .selectFrom('receipts as r')
      .innerJoin('vouchers as v', 'v.voucher_no', 'r.voucher_no')
      .select(['r.receipt_no', 'r.voucher_no', 'v.business_date'])
      .where('r.receipt_no', 'in', [...d.clean, ...d.amountDiffers, ...d.dateDiffers])
      .execute();
    const dates = [...new Set(receipts.map((x) => x.business_date))].sort();
    for (const date of dates) await statements().write('ABC', date);
    const handle = await start('bank-reconciliation/ABC', {
      bank: 'ABC',
      date: dates[0],
      ...(dates.length > 1 && { to: dates.at(-1) }),
    });
    const gate = await waitForGate(estate.client, handle.workflowId);
    assert.equal(
      gate.plan.actions.filter((a) => a.kind === 'sql').length,
      2,
      JSON.stringify(gate.plan.actions),
    );
    await decide(estate.client, handle.workflowId, signedBy(estate.site, gate, 'wang', { reason: '已核对' }));
    const r: BankReconciliationResult = await handle.result();
    assert.equal(r.outcome, 'fixes-applied', r.why);
    assert.deepEqual(r.receipts.map((x) => x.receiptNo).sort(), [...d.clean].sort());
    const after = await estate.sandbox.treasury
      .selectFrom('receipts as r')
      .innerJoin('vouchers as v', 'v.voucher_no', 'r.voucher_no')
      .select(['r.receipt_no', 'r.registered', 'v.status'])
      .where('r.receipt_no', 'in', [...d.clean, ...d.amountDiffers, ...d.dateDiffers])
      .execute();
    const state = Object.fromEntries(after.map((x) => [x.receipt_no, `${x.registered}/${x.status}`]));
    for (const no of d.clean) assert.equal(state[no], '1/paid');
    for (const no of [...d.amountDiffers, ...d.dateDiffers]) assert.equal(state[no], '0/accepted');
    const kinds = await auditKinds(estate.site, handle.workflowId);
    assert.ok(kinds.includes('proof-used'), 'the registration used the approval proof');
    assert.equal(
      (await auditPayloads(estate.site, handle.workflowId)).length,
      2,
      'each registration audited',
    );
  });

  it('asks for a missing package and compares the statement only once it is whole', async () => {
    await inject('statement-package-missing', 'CCB');
    const r = await reconcile({ bank: 'CCB', date: day() });
    const d = r.days[0]!;
    assert.deepEqual(
      d.requested.map((q) => q.packages),
      [[2]],
    );
    assert.notEqual(d.outcome, 'statement-missing', d.why);
    assert.equal(d.outcome, 'agreed', 'compared once complete');
    await clear('statement-package-missing', 'CCB');
  });

  it('names a broken encoding and a cut file as such; the cut one comes whole when asked again', async () => {
    await inject('statement-encoding-broken', 'ABC');
    const broken = await reconcile({ bank: 'ABC', date: day(), dryRun: true });
    assert.equal(broken.days[0]?.outcome, 'unreadable');
    assert.equal(broken.days[0]?.fault?.problem, 'encoding');
    assert.equal(broken.outcome, 'incomplete');
    await clear('statement-encoding-broken', 'ABC');

    await inject('statement-truncated', 'BOC');
    const dry = await reconcile({ bank: 'BOC', date: day(), dryRun: true });
    assert.equal(dry.days[0]?.fault?.problem, 'truncated', dry.why);
    const cut = await reconcile({ bank: 'BOC', date: day() });
    assert.equal(cut.days[0]?.outcome, 'agreed', cut.why);
    assert.equal(cut.days[0]?.requested.length, 1, 'asked again once');
    await clear('statement-truncated', 'BOC');
  });

  it('re-reconciles: discards the standing result (kept in the audit trail), asks again and names what changed', async () => {
    await inject('statement-only-at-bank', 'BOC', { count: 2 });
    const first = await reconcile({ bank: 'BOC', date: day() });
    assert.equal(first.days[0]?.compared?.counts['only-at-bank'], 2, first.why);
    await clear('statement-only-at-bank', 'BOC');
    const handle = await start('bank-reconciliation/BOC/again', { bank: 'BOC', date: day(), again: true });
    const again: BankReconciliationResult = await handle.result();
    const d = again.days[0]!;
    assert.equal(d.outcome, 'agreed', d.why);
    assert.equal(d.requested.length, 1, 'the statement asked for again');
    assert.equal(d.sinceLast?.previous.diffNum, 2);
    assert.equal(d.sinceLast?.settled.length, 2);
    assert.deepEqual(d.sinceLast?.appeared, []);
    const [outcome] = await auditPayloads<{ discarded: { diffNum: number }[] }>(
      estate.site,
      handle.workflowId,
      'outcome',
    );
    assert.equal(outcome?.discarded[0]?.diffNum, 2, 'the discarded result is in the audit trail');
  });

  it('refuses bad input naming the field: an unknown bank, a range over 31 days, a kind the bank does not send', async () => {
    const refused = async (input: Record<string, unknown>, field: RegExp) => {
      const handle = await start('bank-reconciliation/bad', input);
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, 'InvalidInput');
        assert.match(err.cause.message, field);
        return true;
      });
    };
    await refused({ bank: 'XYZ' }, /input\.bank/);
    await refused({ bank: 'ABC', date: '2026-01-01', to: '2026-02-15' }, /input\.to.*31/);
    await refused({ bank: 'RCB', kind: 'quota', date: day() }, /input\.kind.*RCB does not send quota/);
  });
});
