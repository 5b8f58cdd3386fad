/**
 * The bank-side checks against the dev server and the sandbox (send/receive programs running):
 * a missing daily report asked for again and received, or escalated when the bank holds it; the
 * receipt, void and refund faults settled through the approval gate exactly as the bank's own
 * books say, with the rest reported and nothing else touched; bad input refused naming the field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import type { DailyReportCheckResult } from '../../domain/runbooks/daily-report-check.types.ts';
import type { ReceiptRepairResult } from '../../domain/runbooks/receipt-registration-repair.types.ts';
import type { RefundTrackingResult } from '../../domain/runbooks/refund-tracking.types.ts';
import type { VoidStatusCheckResult } from '../../domain/runbooks/void-status-check.types.ts';
import { instantAt, localDate, previousWorkday } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { auditKinds as auditKindsOf } from '../support/worker-lane.ts';

let estate: TestEstate;
const runbooks = ['receipt-registration-repair', 'void-status-check', 'refund-tracking'];

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC', 'ABC', 'BOC', 'CCB'],
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = Object.fromEntries(
        runbooks.map((r) => [r, { roles: ['comm-approver'], quorum: 1 }]),
      );
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const tz = 'Asia/Shanghai';
const today = () => localDate(new Date(), tz);

function start(workflowType: string, id: string, input: Record<string, unknown>) {
  return estate.client.workflow.start(workflowType, {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `${id}/test-${Date.now()}`,
    args: [
      { requestedBy: 'eng', ...(workflowType !== 'dailyReportCheck' && { answerWaitSeconds: 30 }), ...input },
    ],
  });
}

async function approve(workflowId: string) {
  const gate = await waitForGate(estate.client, workflowId);
  const receipt = await decide(
    estate.client,
    workflowId,
    signedBy(estate.site, gate, 'wang', { reason: '已核对' }),
  );
  assert.equal(receipt.gate, 'approved');
  return gate;
}

const auditKinds = (workflowId: string) => auditKindsOf(estate.site, workflowId);

async function notices(workflowId: string) {
  const all = await readNotificationRecords((estate.site.notify.targets[0] as { path: string }).path);
  return all.filter((n) => n.workflowId === workflowId);
}

const treasury = () => estate.sandbox.treasury;

describe('daily report and list check', () => {
  it('asks the bank to resend a report lost on the way, and sees it arrive', async () => {
    const date = previousWorkday(today());
    await estate.sandbox.faults.inject({
      fault: 'daily-report-missing',
      bank: 'ICBC',
      date,
      reports: ['daily_report', 'payment_list'],
      held: false,
    });
    const handle = await start('dailyReportCheck', `daily-report-check/ICBC/${date}`, {
      bank: 'ICBC',
      date,
      waitSeconds: 30,
    });
    const result: DailyReportCheckResult = await handle.result();
    assert.equal(result.outcome, 'received-after-resend', result.why);
    assert.deepEqual(
      result.before.filter((p) => !p.present).map((p) => p.kind),
      ['daily_report', 'payment_list'],
    );
    assert.ok(result.after.every((p) => p.present));
    assert.ok(result.requested.every((r) => r.answer?.resent === true && r.answer.reportDate === date));
    const rows = await treasury()
      .selectFrom('bank_reports')
      .select('kind')
      .where('bank_code', '=', 'ICBC')
      .where('business_date', '=', date)
      .execute();
    assert.equal(rows.length, 3);
    assert.deepEqual(await auditKinds(handle.workflowId), [
      'run-started',
      'bank-request',
      'bank-request',
      'outcome',
    ]);
    assert.match(readFileSync(result.report.markdown, 'utf8'), /已请求补发并收到/);
  });

  it('escalates with the evidence when the bank holds the report back', async () => {
    const date = previousWorkday(today());
    await estate.sandbox.faults.inject({ fault: 'daily-report-missing', bank: 'ABC', date });
    const handle = await start('dailyReportCheck', `daily-report-check/ABC/${date}`, {
      bank: 'ABC',
      date,
      waitSeconds: 8,
    });
    const result: DailyReportCheckResult = await handle.result();
    assert.equal(result.outcome, 'escalated', result.why);
    assert.equal(result.requested[0]?.answer?.resent, false);
    assert.match(result.why, /银行表示无法补发/);
    const sent = await notices(handle.workflowId);
    assert.deepEqual(
      sent.map((n) => n.kind),
      ['run-escalated'],
    );
    assert.ok(sent[0]!.link?.endsWith(encodeURIComponent(handle.workflowId)));
    assert.deepEqual(await auditKinds(handle.workflowId), [
      'run-started',
      'bank-request',
      'escalation',
      'outcome',
    ]);
  });
});

describe('daily report and list check, nothing to fix', () => {
  it('finds a complete day complete, and a dry run asks the bank nothing', async () => {
    const date = previousWorkday(today());
    const complete: DailyReportCheckResult = await (
      await start('dailyReportCheck', `daily-report-check/CCB/${date}`, { bank: 'CCB', date })
    ).result();
    assert.equal(complete.outcome, 'complete', complete.why);
    assert.deepEqual(complete.requested, []);

    await estate.sandbox.faults.inject({
      fault: 'daily-report-missing',
      bank: 'BOC',
      date,
      reports: ['recon_file'],
    });
    const dry = await start('dailyReportCheck', `daily-report-check/BOC/${date}`, {
      bank: 'BOC',
      date,
      dryRun: true,
    });
    const planned: DailyReportCheckResult = await dry.result();
    assert.equal(planned.outcome, 'planned', planned.why);
    assert.match(planned.why, /对账文件/);
    const asked = await treasury()
      .selectFrom('bank_queries')
      .select('query_id')
      .where('bank_code', '=', 'BOC')
      .execute();
    assert.deepEqual(asked, []);
    assert.deepEqual(await auditKinds(dry.workflowId), ['run-started', 'outcome']);
  });
});

describe('receipt registration repair', () => {
  it('registers the clean matches under approval and reports the rest with the reason', async () => {
    const fault = await estate.sandbox.faults.inject({ fault: 'receipt-unregistered', bank: 'BOC' });
    const d = fault.details as Record<string, string[]>;
    const handle = await start('receiptRegistrationRepair', `receipt-registration-repair/BOC/${today()}`, {
      bank: 'BOC',
    });
    const gate = await approve(handle.workflowId);
    assert.equal(gate.plan.actions.length, 2, JSON.stringify(gate.plan.actions, null, 2));
    assert.ok(
      gate.plan.actions.every((a) => a.kind === 'sql' && /update "receipts"/.test(a.command)),
      gate.plan.actions[0]?.command,
    );
    assert.ok(gate.plan.vouchers?.every((v) => !v.payeeAccount || /^\*{4}\d{0,4}$/.test(v.payeeAccount)));
    const result: ReceiptRepairResult = await handle.result();
    assert.equal(result.outcome, 'partly-registered', result.why);
    assert.deepEqual(result.registered.map((r) => r.receiptNo).sort(), [...d.clean!].sort());
    const reasons = Object.fromEntries(result.unmatched.map((u) => [u.receiptNo, u.reason]));
    assert.equal(reasons[d.amountDiffers![0]!], 'amount-differs');
    assert.equal(reasons[d.dateDiffers![0]!], 'date-differs');
    assert.equal(reasons[d.noVoucher![0]!], 'no-voucher');
    assert.equal(reasons[d.severalCandidates![0]!], 'several-candidates');
    const receipts = await treasury()
      .selectFrom('receipts as r')
      .innerJoin('vouchers as v', 'v.voucher_no', 'r.voucher_no')
      .select(['r.receipt_no', 'r.registered', 'v.status', 'v.paid_at'])
      .where('r.receipt_no', 'in', [...d.clean!, ...d.amountDiffers!, ...d.dateDiffers!])
      .execute();
    for (const r of receipts) {
      const clean = d.clean!.includes(r.receipt_no);
      assert.equal(r.registered, clean ? 1 : 0, r.receipt_no);
      assert.equal(r.status, clean ? 'paid' : 'accepted', r.receipt_no);
      if (clean) assert.ok(r.paid_at, 'paid time taken from the bank');
    }
    assert.deepEqual(await auditKinds(handle.workflowId), [
      'run-started',
      'plan',
      'decision',
      'proof-used',
      'mutation',
      'mutation',
      'outcome',
    ]);

    // A second run finds nothing it may register, and changes nothing.
    const again = await start('receiptRegistrationRepair', `receipt-registration-repair/BOC/${today()}`, {
      bank: 'BOC',
    });
    const second: ReceiptRepairResult = await again.result();
    assert.equal(second.outcome, 'nothing-registrable', second.why);
    assert.equal(second.registered.length, 0);
  });
});

describe('receipt registration repair, when the records move', () => {
  it('refuses a second run while one holds the lock, and plans again when a receipt moved before approval', async () => {
    const fault = await estate.sandbox.faults.inject({ fault: 'receipt-unregistered', bank: 'ABC' });
    const d = fault.details as Record<string, string[]>;
    const id = `receipt-registration-repair/ABC/${today()}`;
    const handle = await start('receiptRegistrationRepair', id, { bank: 'ABC' });
    const first = await waitForGate(estate.client, handle.workflowId);
    assert.equal(first.plan.actions.length, 2);

    const second = await start('receiptRegistrationRepair', id, { bank: 'ABC', requestedBy: 'ops' });
    await assert.rejects(second.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'ResourceLocked');
      assert.match(err.cause.message, /lock\/receipts\/ABC/);
      return true;
    });

    // Someone registers one of the two by hand while the plan waits for its approver.
    const [moved, left] = d.clean!;
    const row = await treasury()
      .selectFrom('receipts')
      .select('voucher_no')
      .where('receipt_no', '=', moved!)
      .executeTakeFirstOrThrow();
    await treasury()
      .updateTable('receipts')
      .set({ registered: 1, registered_at: new Date().toISOString() })
      .where('receipt_no', '=', moved!)
      .execute();
    await treasury()
      .updateTable('vouchers')
      .set({ status: 'paid' })
      .where('voucher_no', '=', row.voucher_no)
      .execute();
    await decide(estate.client, handle.workflowId, signedBy(estate.site, first, 'wang'));

    const replanned = await waitForGate(estate.client, handle.workflowId);
    assert.notEqual(replanned.gateId, first.gateId);
    assert.equal(replanned.plan.actions.length, 1);
    assert.match(replanned.plan.actions[0]!.command, new RegExp(left!));
    await decide(estate.client, handle.workflowId, signedBy(estate.site, replanned, 'li'));
    const result: ReceiptRepairResult = await handle.result();
    assert.equal(result.outcome, 'partly-registered', result.why);
    assert.deepEqual(
      result.registered.map((r) => r.receiptNo),
      [left],
    );
    const kinds = await auditKinds(handle.workflowId);
    assert.deepEqual(kinds, [
      'run-started',
      'plan',
      'decision',
      'plan',
      'decision',
      'proof-used',
      'mutation',
      'outcome',
    ]);
  });
});

describe('void status check', () => {
  it('confirms the voids the bank made, records its refusal, and sends the lost request again', async () => {
    // After the bank's close, so nothing accepted gets paid while the test looks.
    const yesterday = localDate(new Date(Date.now() - 86_400_000), tz);
    estate.sandbox.clock.set(instantAt(yesterday, '18:30', tz).toISOString());
    const fault = await estate.sandbox.faults.inject({ fault: 'void-unconfirmed', bank: 'CCB' });
    const d = fault.details as Record<string, string[]>;
    const handle = await start('voidStatusCheck', `void-status-check/CCB/${today()}`, {
      bank: 'CCB',
      verifySeconds: 30,
    });
    const gate = await approve(handle.workflowId);
    assert.equal(gate.plan.actions.length, 4);
    const result: VoidStatusCheckResult = await handle.result();
    assert.equal(result.outcome, 'settled', result.why);
    const actionOf = Object.fromEntries(result.decisions.map((x) => [x.voucherNo, x.action]));
    for (const no of d.voidedAtBank!) assert.equal(actionOf[no], 'confirm-void');
    assert.equal(actionOf[d.paidAtBank![0]!], 'refuse-void');
    assert.equal(actionOf[d.unknownToBank![0]!], 'resend-void');
    const rows = await treasury()
      .selectFrom('voucher_voids as w')
      .innerJoin('vouchers as v', 'v.voucher_no', 'w.voucher_no')
      .select(['w.voucher_no', 'w.status', 'v.status as voucher'])
      .where('w.bank_code', '=', 'CCB')
      .execute();
    const state = Object.fromEntries(rows.map((r) => [r.voucher_no, `${r.status}/${r.voucher}`]));
    for (const no of d.voidedAtBank!) assert.equal(state[no], 'confirmed/voided');
    assert.equal(state[d.paidAtBank![0]!], 'refused/paid');
    // Sent again by the program, voided by the bank, confirmed by its answer: the whole loop.
    assert.equal(state[d.unknownToBank![0]!], 'confirmed/voided');
    assert.equal(estate.sandbox.banks.ledger('CCB').voucher(d.unknownToBank![0]!)?.status, 'voided');
    assert.equal(estate.sandbox.banks.ledger('CCB').payCount(d.paidAtBank![0]!), 1);
  });
});

describe('refund tracking', () => {
  it('matches and confirms what the bank refunded, resends the lost request, reports the partial refund', async () => {
    const fault = await estate.sandbox.faults.inject({ fault: 'refund-unmatched', bank: 'ICBC' });
    const d = fault.details as Record<string, string[]>;
    const handle = await start('refundTracking', `refund-tracking/ICBC/${today()}`, {
      bank: 'ICBC',
      verifySeconds: 30,
    });
    const gate = await approve(handle.workflowId);
    assert.equal(gate.plan.actions.length, 3);
    const result: RefundTrackingResult = await handle.result();
    assert.equal(result.outcome, 'partly-settled', result.why);
    const byNo = Object.fromEntries(result.decisions.map((x) => [x.refundNo, x]));
    assert.equal(byNo[d.matchable![0]!]?.action, 'match-refund');
    assert.equal(byNo[d.lostNotice![0]!]?.action, 'confirm-refund');
    assert.equal(byNo[d.notReceived![0]!]?.action, 'resend-refund');
    assert.equal(byNo[d.amountDiffers![0]!]?.reason, 'amount-differs');
    const rows = await treasury()
      .selectFrom('refunds as f')
      .leftJoin('vouchers as v', 'v.voucher_no', 'f.voucher_no')
      .select(['f.refund_no', 'f.status', 'v.status as voucher'])
      .where('f.bank_code', '=', 'ICBC')
      .execute();
    const state = Object.fromEntries(rows.map((r) => [r.refund_no, `${r.status}/${r.voucher ?? '-'}`]));
    for (const no of [...d.matchable!, ...d.lostNotice!, ...d.notReceived!])
      assert.equal(state[no], 'matched/refunded', no);
    assert.equal(state[d.amountDiffers![0]!], 'unmatched/-');
    const sent = await notices(handle.workflowId);
    assert.ok(
      sent.some((n) => n.kind === 'run-escalated' && n.lines.join('\n').includes(d.amountDiffers![0]!)),
    );
  });
});

describe('bad input', () => {
  for (const [type, input, field] of [
    ['dailyReportCheck', { bank: 'NOPE', requestedBy: 'eng' }, /input\.bank: unknown bank code "NOPE"/],
    [
      'dailyReportCheck',
      { bank: 'ICBC', requestedBy: 'eng', date: '2026-02-30' },
      /input\.date: a real calendar date/,
    ],
    ['receiptRegistrationRepair', { bank: 'ICBC' }, /input\.requestedBy/],
    ['voidStatusCheck', { bank: 'ICBC', requestedBy: 'eng', overdueMinutes: -1 }, /input\.overdueMinutes/],
    ['refundTracking', { bank: 'ICBC', requestedBy: 'eng', colour: 'red' }, /colour/],
  ] as const) {
    it(`${type} refuses ${JSON.stringify(input)} naming the field, before any side effect`, async () => {
      const handle = await estate.client.workflow.start(type, {
        taskQueue: estate.site.temporal.taskQueues.runbooks,
        workflowId: `bad-input/${type}/${Date.now()}`,
        args: [input],
      });
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof ApplicationFailure);
        assert.equal(err.cause.type, 'InvalidInput');
        assert.match(err.cause.message, field);
        return true;
      });
      const history = await handle.fetchHistory();
      const activities = (history.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter(Boolean);
      assert.ok(
        activities.every((a) => a === 'describeEstate'),
        String(activities),
      );
    });
  }
});
