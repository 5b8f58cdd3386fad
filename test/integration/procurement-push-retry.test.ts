import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { ProcurementPushRetryResult } from '../../domain/runbooks/procurement-push-retry.types.ts';
import { sandboxApi, type TestEstate } from '../support/estate.ts';
import { patienceMs } from '../support/patience.ts';
import { subsystemRunbookTest } from '../support/subsystem-runbook.ts';
import { until as waitUntil } from '../support/worker-lane.ts';

// The payments against the contracts are paid at any hour: ICBC open all day, today a working day.
const t = subsystemRunbookTest({
  runbook: 'procurement-push-retry',
  workflowType: 'procurementPushRetry',
  subsystem: 'procurement',
  started: (e) => {
    estate = e;
  },
});
let estate: TestEstate;

const { id, health } = t;
const input = (more: Record<string, unknown> = {}) => ({ requestedBy: 'eng', verifySeconds: 90, ...more });
const retry = (what: string, more: Record<string, unknown> = {}) =>
  t.approved<ProcurementPushRetryResult>(what, input(more));
const until = (what: string, seen: () => Promise<boolean>) => waitUntil(what, seen, patienceMs, 250);

const confirmations = (status: 'pending' | 'pushed' | 'failed') =>
  estate.sandbox.treasury
    .selectFrom('procurement_confirmations')
    .select(['confirmation_no', 'contract_no'])
    .where('status', '=', status)
    .orderBy('confirmation_no')
    .execute();

async function pay(body: Record<string, unknown>): Promise<{ confirmationNo: string }[]> {
  const paid = await sandboxApi(estate, 'POST', '/sandbox/estate/procurement/payments', {
    bank: 'ICBC',
    ...body,
  });
  assert.equal(paid.status, 201, JSON.stringify(paid.json));
  return (paid.json as { payments: { confirmationNo: string }[] }).payments;
}

/** The confirmation as the cloud holds it (404: it holds none). */
const onCloud = (no: string) => sandboxApi(estate, 'GET', `/zcy/api/confirmations/${no}`);

test('input naming no procurement subsystem is refused, naming the field, before anything is recorded', async () => {
  await assert.rejects(
    estate.client.workflow.execute('procurementPushRetry', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: id('bad'),
      args: [input({ subsystem: 'payroll' })],
    }),
    (err: unknown) =>
      err instanceof WorkflowFailedError &&
      /input\.subsystem: no procurement-push subsystem payroll/.test(String(err.cause?.message)),
  );
});

test('the cloud down: found by subsystem health, escalated while it stays down; back, fifty confirmations pushed again through a worker killed mid-way, and again — each held by the cloud once', async () => {
  await estate.sandbox.subsystems.faults.inject({ fault: 'procurement-push-failing' });
  const made = await pay({ count: 50 });
  await until('the fifty pushes failed', async () => (await confirmations('failed')).length === 50);
  assert.ok((await health()).includes('procurement/work/PROCUREMENT_PUSH_FAILED/procurement-push-retry'));

  const down = await retry('down');
  assert.equal(down.outcome, 'escalated');
  assert.equal(down.plan, undefined, 'nothing to push while the cloud does not answer');
  assert.equal(down.held.length, 50);
  assert.match(down.escalated.join(), /政采云仍未应答（.*503.*）：50 份确认书/);
  assert.equal((await confirmations('failed')).length, 50, 'nothing changed');

  await estate.sandbox.subsystems.faults.clear({ fault: 'procurement-push-failing' });
  const pushed = await t.killedOnce<ProcurementPushRetryResult>({
    tag: 'zcy',
    what: 'retry',
    input: input(),
    killedAt: 'the first page set to be pushed again',
    seen: async () => (await confirmations('failed')).length <= 10,
  });
  assert.equal(pushed.gate.plan.actions.length, 2, 'fifty confirmations in two keyed pages');
  assert.equal(pushed.result.outcome, 'recovered', pushed.result.verification?.detail);
  assert.equal(pushed.result.verification?.delivered, 50);
  assert.deepEqual(pushed.kills, ['the first page set to be pushed again']);
  const again = await retry('again');
  assert.equal(again.outcome, 'nothing-to-retry');
  assert.equal(again.retried, 0);

  const held = await Promise.all(made.map((m) => onCloud(m.confirmationNo)));
  assert.deepEqual(
    held.map((h) => [h.status, (h.json as { repeats: number }).repeats]),
    made.map(() => [200, 0]),
    'each confirmation held by the cloud once, none offered again',
  );
  assert.deepEqual(await health(), []);
});

test('a payment beyond its contract is held and listed for a person, while a confirmation whose cloud came back is pushed', async () => {
  const contracts = (
    await estate.sandbox.treasury
      .selectFrom('procurement_contracts')
      .select('contract_no')
      .orderBy('contract_no')
      .execute()
  ).map((c) => c.contract_no);
  await estate.sandbox.subsystems.faults.inject({ fault: 'procurement-push-failing' });
  const [unreached] = await pay({ contractNo: contracts[1] });
  await until('the push failed', async () => (await confirmations('failed')).length === 1);
  await estate.sandbox.subsystems.faults.clear({ fault: 'procurement-push-failing' });
  const over = await estate.sandbox.subsystems.faults.inject({
    fault: 'procurement-contract-mismatch',
    contractNo: contracts[2],
  });
  const overNo = over.details.confirmationNo as string;
  await until('the cloud refusing it', async () => (await confirmations('failed')).length === 2);
  const found = await health();
  assert.ok(found.includes('procurement/work/PROCUREMENT_PUSH_FAILED/procurement-push-retry'), found.join());
  assert.ok(
    found.includes('procurement/work/PROCUREMENT_PUSH_REFUSED/procurement-payment-check'),
    found.join(),
  );

  const result = await retry('mixed');
  assert.equal(result.outcome, 'escalated');
  assert.deepEqual(
    result.plan?.actions.map((a) => a.command),
    [
      `UPDATE procurement_confirmations SET status = 'pending', attempts = 0 WHERE status = 'failed' AND confirmation_no IN ('${unreached?.confirmationNo}')`,
    ],
  );
  assert.equal(result.verification?.ok, true, result.verification?.detail);
  assert.deepEqual(
    result.held.map((c) => c.confirmationNo),
    [overNo],
  );
  assert.match(result.held[0]?.blocked ?? '', /超出合同金额/);
  assert.match(result.escalated.join(), /1 份确认书失败原因未消除，未重推：超出合同金额/);
  assert.equal((await onCloud(unreached?.confirmationNo ?? '')).status, 200);
  assert.equal((await onCloud(overNo)).status, 404, 'never pushed');
  assert.deepEqual(
    (await confirmations('failed')).map((c) => c.confirmation_no),
    [overNo],
  );
});
