import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readNotificationRecords } from '../../connectors/notify/file.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import type { PayrollWatchInput, PayrollWatchResult } from '../../domain/runbooks/payroll-watch.types.ts';
import type { SubsystemHealthResult } from '../../domain/runbooks/subsystem-health.types.ts';
import type { VoucherResendResult } from '../../domain/runbooks/voucher-resend.types.ts';
import {
  addTestUsers,
  claim,
  claimedBy,
  decide,
  signedBy,
  waitForClaimWait,
  waitForGate,
} from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { refusedAsInvalidInput } from '../support/invalid-input.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { approveNext, until } from '../support/voucher-resend.ts';

let estate: TestEstate;
// The payroll's vouchers are paid and resent at any hour: ICBC open all day, today a working day.
const calendar = workingTodayCalendar();

before(async () => {
  estate = await startTestEstate({ banks: ['ICBC'], edit: openAllDay(calendar.file, 'voucher-resend') });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
  calendar.remove();
});

const treasury = () => estate.sandbox.treasury;
const lines = (batchNo: string) =>
  treasury()
    .selectFrom('payroll_lines')
    .selectAll()
    .where('batch_no', '=', batchNo)
    .orderBy('line_no')
    .execute();

function startWatch(input: PayrollWatchInput, suffix = '') {
  return estate.client.workflow.start('payrollWatch', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `payroll-watch/${input.batchNo}${suffix}`,
    args: [input],
  });
}

async function notices(workflowId: string) {
  const all = await readNotificationRecords((estate.site.notify.targets[0] as { path: string }).path);
  return all.filter((n) => n.workflowId === workflowId);
}

async function inject(fault: Record<string, unknown>): Promise<string> {
  const injected = await estate.sandbox.subsystems.faults.inject(fault);
  return (injected.details as { batchNo: string }).batchNo;
}

test('bad input is refused naming the field, before anything is recorded', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ batchNo: 'GZ202612ICBC99', requestedBy: 'eng' }, /input\.batchNo: no payroll batch GZ202612ICBC99/],
    [
      { batchNo: 'GZ202612ICBC01', requestedBy: 'eng', subsystem: 'official-card' },
      /input\.subsystem: no payroll subsystem official-card/,
    ],
    [{ batchNo: 'payroll; DROP', requestedBy: 'eng' }, /input\.batchNo:/],
    [
      { batchNo: 'GZ202612ICBC01', requestedBy: 'eng', checkSeconds: 5, watchHours: 720 },
      /input\.checkSeconds: at least 519/,
    ],
  ];
  for (const [i, [input, field]] of cases.entries()) {
    const workflowId = `payroll-watch/bad-${Date.now()}-${i}`;
    const run = estate.client.workflow.execute('payrollWatch', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId,
      args: [input],
    });
    await refusedAsInvalidInput(estate.site, workflowId, run, field);
  }
});

test('a payroll batch with failing lines ends with every line paid or listed with its reason; no line is paid twice', async () => {
  const batchNo = await inject({
    fault: 'payroll-line-failures',
    lines: 6,
    badAccounts: 2,
    missingBankCodes: 1,
  });
  await until(
    'the bank to refuse the two bad accounts',
    async () => (await lines(batchNo)).filter((l) => l.status === 'failed').length === 3,
  );
  const health: SubsystemHealthResult = await estate.client.workflow.execute('subsystemHealth', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `subsystem-health/payroll-${Date.now()}`,
    args: [{ subsystems: ['payroll'] }],
  });
  const handle = await startWatch({ batchNo, requestedBy: 'eng', checkSeconds: 5, watchHours: 1 });

  // The refused lines go to the voucher repair, started by the watch; an engineer claims it.
  const resendId = `voucher-resend/ICBC/${dateInZone(new Date(), estate.site.site.timezone)}`;
  const waiting = await waitForClaimWait(estate.client, resendId);
  await claim(
    estate.client,
    resendId,
    claimedBy(estate.site, { workflowId: resendId, runId: waiting.runId }, 'eng'),
  );
  const ask = await waitForGate(estate.client, resendId);
  assert.equal(ask.step, 'fix-fields');
  const [line4, line5] = (await lines(batchNo)).slice(3, 5);
  // The payroll office corrects line 4's account in the base data; line 5's stays as it is.
  const v4 = await treasury()
    .selectFrom('vouchers')
    .select('payee_account_id')
    .where('voucher_no', '=', line4!.voucher_no!)
    .executeTakeFirstOrThrow();
  await treasury()
    .updateTable('payee_accounts')
    .set({ account_no: line4!.account_no.replace(/\s/g, '').replace('O', '0') })
    .where('id', '=', v4.payee_account_id)
    .execute();
  await decide(
    estate.client,
    resendId,
    signedBy(estate.site, ask, 'wang', { reason: '工资编制单位已更正第 4 行账号' }),
  );
  const resend = await approveNext(estate.client, estate.site, resendId);
  assert.deepEqual(
    resend.plan.vouchers?.map((v) => v.voucherNo),
    [line4!.voucher_no],
  );
  const resent: VoucherResendResult = await estate.client.workflow.getHandle(resendId).result();
  assert.equal(resent.outcome, 'completed-with-holds');

  const result: PayrollWatchResult = await handle.result();
  assert.equal(result.outcome, 'lines-explained', result.why);
  const final = await lines(batchNo);
  assert.deepEqual(
    final.map((l) => l.status),
    ['paid', 'paid', 'paid', 'paid', 'failed', 'failed'],
  );
  assert.deepEqual(
    result.explained.map((l) => [l.lineNo, l.state]),
    [
      [5, 'held'],
      [6, 'no-voucher'],
    ],
  );
  assert.match(result.explained[0]!.reason, /银行拒绝：收款人账号格式错误/);
  assert.equal(result.explained[0]!.repair?.outcome, 'held');
  assert.match(result.explained[1]!.reason, /联行号/);
  assert.deepEqual(
    result.repairs.map((r) => [r.workflowId, r.voucherNos, r.outcome]),
    [[resendId, [line4!.voucher_no, line5!.voucher_no], 'completed-with-holds']],
  );
  // The bank's books: every line with a voucher paid once, the refused one never.
  const ledger = estate.sandbox.banks.ledger('ICBC');
  assert.deepEqual(
    final.map((l) => (l.voucher_no ? ledger.payCount(l.voucher_no) : null)),
    [1, 1, 1, 1, 0, null],
  );
  // People were told of the failed lines, payees masked.
  const told = await notices(handle.workflowId);
  const failedNotice = told.find((n) => n.title.includes('行支付失败'));
  assert.ok(failedNotice, JSON.stringify(told.map((n) => n.title)));
  const text = JSON.stringify(told);
  for (const l of final) {
    assert.ok(!text.includes(l.payee_name), 'no payee name in a notice');
    assert.ok(!text.includes(l.account_no.replace(/\s/g, '')), 'no account number in a notice');
  }
  // subsystem-health named this runbook for the failed lines.
  assert.ok(
    health.findings.some((f) => f.code === 'PAYROLL_LINES_FAILED' && f.fixRunbook === 'payroll-watch'),
    JSON.stringify(health.findings.map((f) => f.code)),
  );
});

test('a stalled batch is told once while it stalls, and the watch follows it to every line paid once it moves again', async () => {
  const batchNo = await inject({ fault: 'payroll-batch-stalled', lines: 4, stallAfter: 2 });
  await until(
    'two lines paid',
    async () => (await lines(batchNo)).filter((l) => l.status === 'paid').length === 2,
  );
  const handle = await startWatch({
    batchNo,
    requestedBy: 'eng',
    checkSeconds: 5,
    watchHours: 1,
    stallMinutes: 1,
  });
  await until(
    'the stall told',
    async () => (await notices(handle.workflowId)).some((n) => n.title.includes('停滞')),
    150_000,
  );
  await estate.sandbox.subsystems.faults.clear({ fault: 'payroll-batch-stalled' });
  const result: PayrollWatchResult = await handle.result();
  assert.equal(result.outcome, 'all-paid', result.why);
  assert.equal(result.stalls.length, 1);
  assert.equal(result.stalls[0]?.openLines, 2);
  assert.ok(result.stalls[0]?.endedAt, 'the stall ended');
  assert.deepEqual(result.repairs, []);
  const ledger = estate.sandbox.banks.ledger('ICBC');
  for (const l of await lines(batchNo)) assert.equal(ledger.payCount(l.voucher_no!), 1);
});

test('a dry run looks once and says what it would hand to the repair path, starting nothing', async () => {
  const batchNo = await inject({
    fault: 'payroll-line-failures',
    lines: 3,
    badAccounts: 1,
    missingBankCodes: 0,
  });
  await until('the bank to refuse the bad account', async () =>
    (await lines(batchNo)).some((l) => l.status === 'failed'),
  );
  const result: PayrollWatchResult = await (
    await startWatch({ batchNo, requestedBy: 'eng', dryRun: true }, '/dry-run')
  ).result();
  assert.equal(result.outcome, 'planned');
  assert.equal(result.looks, 1);
  assert.deepEqual(result.toRepair, [(await lines(batchNo))[2]!.voucher_no]);
  assert.deepEqual(result.repairs, []);
});
