import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import type { ProcurementPaymentCheckResult } from '../../domain/runbooks/procurement-payment-check.types.ts';
import type { ProcurementPushRetryResult } from '../../domain/runbooks/procurement-push-retry.types.ts';
import { addTestUsers, decide, gateUnlessEnded, signedBy } from '../support/approvals.ts';
import { sandboxApi, startTestEstate, type TestEstate } from '../support/estate.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { patienceMs } from '../support/patience.ts';

let estate: TestEstate;
let runs = 0;
let contracts: string[] = [];
// The payments against the contracts are paid at any hour: ICBC open all day, today a working day.
const calendar = workingTodayCalendar();

before(async () => {
  estate = await startTestEstate({
    banks: ['ICBC'],
    edit: openAllDay(calendar.file, 'procurement-push-retry'),
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
  contracts = (
    await estate.sandbox.treasury
      .selectFrom('procurement_contracts')
      .select('contract_no')
      .orderBy('contract_no')
      .execute()
  ).map((c) => c.contract_no);
});
afterEach(async () => {
  await estate.sandbox.subsystems.faults.clear({});
});
after(async () => {
  await estate?.stop();
  calendar.remove();
});

const queue = () => estate.site.temporal.taskQueues.runbooks;

function check(contractNos: string[]): Promise<ProcurementPaymentCheckResult> {
  return estate.client.workflow.execute('procurementPaymentCheck', {
    taskQueue: queue(),
    workflowId: `procurement-payment-check/procurement/test-${Date.now()}-${(runs += 1)}`,
    args: [{ requestedBy: 'eng', contractNos }],
  });
}

async function until(what: string, seen: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + patienceMs;
  while (!(await seen())) {
    if (Date.now() > deadline) throw new Error(`never saw ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const pushStatus = async (confirmationNo: string) =>
  (
    await estate.sandbox.treasury
      .selectFrom('procurement_confirmations')
      .select('status')
      .where('confirmation_no', '=', confirmationNo)
      .executeTakeFirst()
  )?.status;

function cloud() {
  const p = estate.sandbox.subsystems.payments.procurement;
  assert.ok(p, 'the test site has a procurement-push subsystem');
  return p.cloud;
}

test('payments within their contract, pushed to the cloud: consistent, figures side by side', async () => {
  const paid = await sandboxApi(estate, 'POST', '/sandbox/estate/procurement/payments', {
    contractNo: contracts[0],
    count: 2,
    bank: 'ICBC',
  });
  const made = (paid.json as { payments: { confirmationNo: string; amountFen: number }[] }).payments;
  for (const m of made)
    await until(`${m.confirmationNo} pushed`, async () => (await pushStatus(m.confirmationNo)) === 'pushed');
  const result = await check([contracts[0] as string]);
  assert.equal(result.outcome, 'consistent', JSON.stringify(result.differences));
  const [figures] = result.contracts;
  const total = made.reduce((n, m) => n + m.amountFen, 0);
  assert.deepEqual(
    [figures?.paidFen, figures?.confirmedFen, figures?.cloudConfirmedFen, figures?.payments],
    [total, total, total, 2],
  );
  assert.match(figures?.supplier ?? '', /^.\*+$/, 'the supplier masked');
});

test('a payment beyond its contract and a confirmation unlike its voucher: found with their causes; the supplementary contract signed, the retry pushes the held one and the contract compares clean', async () => {
  const over = await estate.sandbox.subsystems.faults.inject({
    fault: 'procurement-contract-mismatch',
    contractNo: contracts[1],
  });
  const differs = await estate.sandbox.subsystems.faults.inject({
    fault: 'procurement-contract-mismatch',
    mismatch: 'amount-differs',
    contractNo: contracts[2],
  });
  const overNo = over.details.confirmationNo as string;
  const differsNo = differs.details.confirmationNo as string;
  await until(
    'the cloud refusing the one beyond its contract',
    async () => (await pushStatus(overNo)) === 'failed',
  );
  await until('the other pushed', async () => (await pushStatus(differsNo)) === 'pushed');

  const found = await check([contracts[1] as string, contracts[2] as string]);
  assert.equal(found.outcome, 'differences');
  assert.deepEqual(
    found.differences.map((d) => [d.kind, d.contractNo, d.confirmationNo ?? '']),
    [
      ['OVER_CONTRACT', contracts[1], ''],
      ['CONFIRMATION_NOT_ON_CLOUD', contracts[1], overNo],
      ['CONFIRMATION_AMOUNT_DIFFERS', contracts[2], differsNo],
    ],
  );
  const [beyond, refused, unlike] = found.differences;
  assert.match(beyond?.detail ?? '', /超出 ¥5,000\.00/);
  assert.equal(beyond?.fixRunbook, 'procurement-push-retry');
  assert.match(refused?.person ?? '', /先消除拒收原因/);
  assert.match(unlike?.detail ?? '', /^确认书金额 ¥[\d,.]+，支付凭证金额 ¥[\d,.]+$/);
  assert.match(unlike?.person ?? '', /更正确认书/);

  // The budget unit signs a supplementary contract on the cloud; the treasury records it too.
  const amount = await estate.sandbox.treasury
    .selectFrom('procurement_contracts')
    .selectAll()
    .where('contract_no', '=', contracts[1] as string)
    .executeTakeFirstOrThrow();
  const enlarged = { ...amount, amount_fen: Number(amount.amount_fen) + 1_000_000 };
  cloud().addContracts([enlarged]);
  await estate.sandbox.treasury
    .updateTable('procurement_contracts')
    .set({ amount_fen: enlarged.amount_fen })
    .where('contract_no', '=', enlarged.contract_no)
    .execute();

  const workflowId = `procurement-push-retry/procurement/test-${Date.now()}-${(runs += 1)}`;
  const handle = await estate.client.workflow.start('procurementPushRetry', {
    taskQueue: queue(),
    workflowId,
    args: [{ requestedBy: 'eng', verifySeconds: 90 }],
  });
  let ended = false;
  const retried = (handle.result() as Promise<ProcurementPushRetryResult>).finally(() => (ended = true));
  const gate = await gateUnlessEnded(estate.client, workflowId, () => ended);
  if (gate) await decide(estate.client, workflowId, signedBy(estate.site, gate, 'wang'));
  const pushed = await retried;
  assert.equal(pushed.outcome, 'recovered', pushed.verification?.detail);
  assert.equal(pushed.retried, 1);

  const clean = await check([contracts[1] as string]);
  assert.equal(clean.outcome, 'consistent', JSON.stringify(clean.differences));
});
