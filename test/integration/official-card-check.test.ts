import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { OfficialCardCheckResult } from '../../domain/runbooks/official-card-check.types.ts';
import type { SubsystemHealthResult } from '../../domain/runbooks/subsystem-health.types.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { refusedAsInvalidInput } from '../support/invalid-input.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { until } from '../support/voucher-resend.ts';

let estate: TestEstate;
let runs = 0;
// The card banks pay at any hour: open all day, today a working day.
const calendar = workingTodayCalendar();

before(async () => {
  estate = await startTestEstate({
    banks: ['BOC', 'CCB'],
    edit: openAllDay(calendar.file, 'official-card-check'),
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
  calendar.remove();
});

const treasury = () => estate.sandbox.treasury;
const id = (what: string) => `official-card-check/CCB/test-${what}-${Date.now()}-${(runs += 1)}`;
const start = (workflowId: string, input: Record<string, unknown>) =>
  estate.client.workflow.start('officialCardCheck', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId,
    args: [input],
  });
const voucherStates = async (voucherNos: string[]) =>
  (
    await treasury()
      .selectFrom('vouchers')
      .select(['voucher_no', 'status'])
      .where('voucher_no', 'in', voucherNos)
      .orderBy('voucher_no')
      .execute()
  ).map((v) => v.status);

test('bad input is refused naming the field, before anything is recorded', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ bank: 'ICBC', requestedBy: 'eng' }, /input\.bank: ICBC is not a card-issuing bank of official-card/],
    [{ date: '2099-01-01', requestedBy: 'eng' }, /input\.date: 2099-01-01 is after today/],
    [{ subsystem: 'payroll', requestedBy: 'eng' }, /input\.subsystem: no official-card subsystem payroll/],
    [{ date: '2026-02-30', requestedBy: 'eng' }, /input\.date:/],
  ];
  for (const [input, field] of cases) {
    const workflowId = id('bad');
    await refusedAsInvalidInput(
      estate.site,
      workflowId,
      start(workflowId, input).then((h) => h.result()),
      field,
    );
  }
});

test('repayments the card bank paid while its answers were lost are found stuck, asked about, their receipts recorded under approval and paid once', async () => {
  const injected = await estate.sandbox.subsystems.faults.inject({
    fault: 'official-card-stuck',
    bank: 'CCB',
    count: 3,
    stuck: 2,
  });
  const stuck = (injected.details as { stuckVouchers: string[] }).stuckVouchers;
  await until('the stuck vouchers sent and the third repayment paid', async () => {
    const paid = await treasury()
      .selectFrom('official_card_repayments')
      .select('status')
      .where('card_bank', '=', 'CCB')
      .where('status', '=', 'paid')
      .execute();
    return paid.length === 1 && (await voucherStates(stuck)).every((s) => s === 'sent');
  });
  const health: SubsystemHealthResult = await estate.client.workflow.execute('subsystemHealth', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: `subsystem-health/card-${Date.now()}`,
    args: [{ subsystems: ['official-card'], stuckMinutes: 0 }],
  });
  assert.ok(
    health.findings.some((f) => f.code === 'OFFICIAL_CARD_STUCK' && f.fixRunbook === 'official-card-check'),
    JSON.stringify(health.findings.map((f) => f.code)),
  );

  const workflowId = id('stuck');
  const handle = await start(workflowId, {
    bank: 'CCB',
    requestedBy: 'eng',
    stuckMinutes: 0,
    answerWaitSeconds: 30,
    verifySeconds: 60,
  });
  const gate = await waitForGate(estate.client, workflowId);
  assert.equal(gate.plan.actions.length, 2);
  for (const action of gate.plan.actions) {
    assert.equal(action.kind, 'sql');
    assert.match(action.command, /insert into "receipts"/i);
    assert.match(action.command, /update "vouchers" set "status" = 'paid'/i);
  }
  assert.deepEqual(await voucherStates(stuck), ['sent', 'sent'], 'nothing changes before the approval');
  await decide(estate.client, workflowId, signedBy(estate.site, gate, 'wang'));
  const result: OfficialCardCheckResult = await handle.result();
  assert.equal(result.outcome, 'repaired', result.why);
  assert.deepEqual(
    result.verdicts.map((v) => [v.repayment.voucherNo, v.decision]).sort(),
    stuck.map((v) => [v, 'record-receipt']).sort(),
  );
  assert.equal(result.verification?.ok, true);
  assert.deepEqual(await voucherStates(stuck), ['paid', 'paid']);
  const receipts = await treasury()
    .selectFrom('receipts')
    .select(['voucher_no', 'registered'])
    .where('voucher_no', 'in', stuck)
    .execute();
  assert.deepEqual(
    receipts.map((r) => r.registered),
    [1, 1],
  );
  const ledger = estate.sandbox.banks.ledger('CCB');
  for (const v of stuck) assert.equal(ledger.payCount(v), 1, `${v} paid once at the bank`);
  const text = JSON.stringify(result);
  const holders = await treasury().selectFrom('official_card_repayments').select('cardholder').execute();
  for (const h of holders) assert.ok(!text.includes(h.cardholder), 'no cardholder name in the result');

  // Nothing is stuck any more: a second check finds nothing and asks nobody.
  const again: OfficialCardCheckResult = await (
    await start(id('again'), { bank: 'CCB', requestedBy: 'eng', stuckMinutes: 0 })
  ).result();
  assert.equal(again.outcome, 'nothing-stuck');
  assert.equal(again.plan, undefined);
});
