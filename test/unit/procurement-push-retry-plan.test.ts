import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decidePushRetry,
  judgeConfirmations,
  pushRetryPlan,
  retryPageSize,
  retryStatement,
} from '../../domain/runbooks/procurement-push-retry.plan.ts';
import type {
  CloudView,
  ConfirmationRow,
  ProcurementTarget,
} from '../../domain/runbooks/procurement-push-retry.types.ts';

const target: ProcurementTarget = {
  subsystem: 'procurement',
  name: '政采云确认书推送',
  cloudUrl: 'http://127.0.0.1:9080/zcy',
  maxAttempts: 3,
};
const row = (n: number, over: Partial<ConfirmationRow> = {}): ConfirmationRow => ({
  confirmationNo: `QRS2026${String(n).padStart(6, '0')}`,
  contractNo: 'ZCY20260001',
  voucherNo: `ZC20261127ICBC${String(n).padStart(4, '0')}`,
  amountFen: 1_000_00,
  lastError: 'SERVICE_UNAVAILABLE: 政采云服务维护中，请稍后重试',
  attempts: 3,
  updatedAt: '2026-11-27T02:00:00.000Z',
  ...over,
});
const room = (amountFen: number, confirmedFen = 0): CloudView => ({ contract: { amountFen, confirmedFen } });
const answering = { answering: true, detail: 'HTTP 200' };

test('confirmations that never reached the cloud are pushed again once it answers; none while it does not', () => {
  const rows = [row(1), row(2)];
  const views = { [rows[0]!.confirmationNo]: room(10_000_00), [rows[1]!.confirmationNo]: room(10_000_00) };
  const up = decidePushRetry({ cloud: answering, failed: judgeConfirmations(rows, views), moreFailed: 0 });
  assert.deepEqual(
    up.retry.map((c) => c.failure),
    ['unreached', 'unreached'],
  );
  assert.deepEqual(up.escalate, []);

  const down = decidePushRetry({
    cloud: { answering: false, detail: 'HTTP 503' },
    failed: judgeConfirmations(rows, undefined),
    moreFailed: 0,
  });
  assert.deepEqual(down.retry, []);
  assert.equal(down.held.length, 2);
  assert.match(down.escalate.join(), /政采云仍未应答（HTTP 503）：2 份确认书/);
});

test('a refusal whose cause remains is held with why; one whose contract has since room is pushed', () => {
  const over = row(1, {
    lastError: 'CONTRACT_EXCEEDED: 累计支付金额超过合同金额',
    attempts: 1,
    amountFen: 6_000_00,
  });
  const unknown = row(2, { contractNo: 'ZCY20269999', lastError: 'CONTRACT_UNKNOWN: 政采云无此合同' });
  const mended = row(3, {
    contractNo: 'ZCY20260002',
    lastError: 'CONTRACT_EXCEEDED: …',
    amountFen: 2_000_00,
  });
  const conflict = row(4, { lastError: 'CONFIRMATION_CONFLICT: 确认书编号已存在且内容不同' });
  const failed = judgeConfirmations([over, unknown, mended, conflict], {
    [over.confirmationNo]: room(10_000_00, 5_000_00),
    [unknown.confirmationNo]: {},
    [mended.confirmationNo]: room(10_000_00, 8_000_00),
    [conflict.confirmationNo]: { held: { voucherNo: 'ZC-OTHER', amountFen: 1 }, ...room(10_000_00) },
  });
  const d = decidePushRetry({ cloud: answering, failed, moreFailed: 0 });
  assert.deepEqual(
    d.retry.map((c) => c.confirmationNo),
    [mended.confirmationNo],
  );
  assert.deepEqual(
    d.held.map((c) => c.failure),
    ['refused', 'refused', 'refused'],
  );
  assert.match(
    d.held[0]?.blocked ?? '',
    /^超出合同金额：合同 ¥10,000.00，政采云已确认 ¥5,000.00，本确认书 ¥6,000.00/,
  );
  assert.match(d.held[1]?.blocked ?? '', /^政采云无合同 ZCY20269999/);
  assert.match(d.held[2]?.blocked ?? '', /^政采云已有同号确认书且内容不同/);
  assert.match(d.escalate.join(), /^3 份确认书失败原因未消除，未重推：超出合同金额/);
});

test('the confirmations of one contract are counted together against what it has left', () => {
  const rows = [row(1, { amountFen: 4_000_00 }), row(2, { amountFen: 4_000_00 })];
  const views = Object.fromEntries(rows.map((r) => [r.confirmationNo, room(10_000_00, 3_000_00)]));
  const d = decidePushRetry({ cloud: answering, failed: judgeConfirmations(rows, views), moreFailed: 0 });
  assert.deepEqual(
    d.retry.map((c) => c.confirmationNo),
    [rows[0]!.confirmationNo],
  );
  assert.match(d.held[0]?.blocked ?? '', /政采云已确认 ¥7,000.00/);
});

test('one the cloud already holds with the same voucher and amount is pushed again (acknowledged as a duplicate) without counting twice', () => {
  const held = row(1, { amountFen: 9_000_00 });
  const next = row(2, { amountFen: 1_000_00 });
  const views = {
    [held.confirmationNo]: {
      held: { voucherNo: held.voucherNo, amountFen: 9_000_00 },
      ...room(10_000_00, 9_000_00),
    },
    [next.confirmationNo]: room(10_000_00, 9_000_00),
  };
  const d = decidePushRetry({
    cloud: answering,
    failed: judgeConfirmations([held, next], views),
    moreFailed: 0,
  });
  assert.equal(d.retry.length, 2);
});

test('the plan: one keyed statement per page of forty, changing only rows still failed', () => {
  const rows = Array.from({ length: retryPageSize + 5 }, (_, i) => row(i + 1));
  const views = Object.fromEntries(rows.map((r) => [r.confirmationNo, room(1_000_000_00)]));
  const d = decidePushRetry({ cloud: answering, failed: judgeConfirmations(rows, views), moreFailed: 3 });
  const plan = pushRetryPlan(target, d, '政采云维护结束');
  assert.equal(plan.actions.length, 2);
  assert.equal(
    plan.actions[1]?.command,
    retryStatement(rows.slice(retryPageSize).map((r) => r.confirmationNo)),
  );
  assert.match(
    plan.actions[0]?.command ?? '',
    /^UPDATE procurement_confirmations SET status = 'pending', attempts = 0 WHERE status = 'failed' AND confirmation_no IN \('QRS2026000001', /,
  );
  assert.match(plan.findings[0]?.zh ?? '', /45 份确认书推送失败（另有 3 份超出本次上限）/);
  assert.ok(plan.findings.some((f) => f.zh === '发起原因：政采云维护结束'));
});
