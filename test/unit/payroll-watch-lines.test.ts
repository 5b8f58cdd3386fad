import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  batchSettled,
  explainLines,
  progressKey,
  repairableVouchers,
  watchOutcome,
} from '../../domain/runbooks/payroll-watch.lines.ts';
import {
  payrollWatchInputSchema,
  type FailedLine,
  type PayrollLook,
  type RepairRun,
} from '../../domain/runbooks/payroll-watch.types.ts';

const line = (
  lineNo: number,
  voucherStatus: string | null,
  reason = '银行拒绝：收款人账号格式错误',
): FailedLine => ({
  lineNo,
  amountFen: 500_000,
  payee: { name: '张*', account: '****1234' },
  voucherNo: voucherStatus === null ? null : `GZ202612ICBC01000${lineNo}`,
  voucherStatus,
  reason,
});

const look = (counts: Partial<PayrollLook['counts']>, failed: FailedLine[] = []): PayrollLook => ({
  at: '2026-12-07T02:00:00.000Z',
  batchStatus: 'processing',
  counts: { pending: 0, issued: 0, paid: 0, failed: failed.length, ...counts },
  paidFen: 0,
  failed,
  moreFailed: 0,
});

const repair = (voucherNos: string[], more: Partial<RepairRun> = {}): RepairRun => ({
  runbook: 'voucher-resend',
  workflowId: 'voucher-resend/ICBC/2026-12-07',
  voucherNos,
  status: 'started',
  ...more,
});

test('the repair path takes refused and timed-out vouchers once; lines without a voucher, or on their way again, it leaves', () => {
  const l = look({ paid: 3 }, [
    line(4, 'rejected'),
    line(5, 'timed_out'),
    line(6, null),
    line(7, 'pending_send'),
  ]);
  assert.deepEqual(repairableVouchers(l, []), ['GZ202612ICBC010004', 'GZ202612ICBC010005']);
  assert.deepEqual(repairableVouchers(l, [repair(['GZ202612ICBC010004'])]), ['GZ202612ICBC010005']);
  // A resend someone else had running is not a hand-over: the vouchers are offered again.
  assert.deepEqual(
    repairableVouchers(l, [repair(['GZ202612ICBC010004'], { status: 'already-running' })]).length,
    2,
  );
});

test('the batch is settled once no line is open, no repaired voucher is on its way, and every repair has ended', () => {
  const refused = look({ paid: 4 }, [line(5, 'rejected'), line(6, null)]);
  assert.equal(batchSettled(look({ paid: 2, issued: 1 }), [], true), false, 'a line still open');
  assert.equal(batchSettled(refused, [], true), false, 'a refused line not handed over');
  assert.equal(batchSettled(refused, [], false), true, 'no repair asked for: listed with its reason');
  assert.equal(
    batchSettled(refused, [repair(['GZ202612ICBC010005'])], true),
    false,
    'its repair still running',
  );
  assert.equal(batchSettled(refused, [repair(['GZ202612ICBC010005'], { outcome: 'held' })], true), true);
  assert.equal(
    batchSettled(
      look({ paid: 4 }, [line(5, 'accepted')]),
      [repair(['GZ202612ICBC010005'], { outcome: 'completed' })],
      true,
    ),
    false,
    'resent, not yet paid',
  );
  assert.equal(watchOutcome(look({ paid: 6 }), true), 'all-paid');
  assert.equal(watchOutcome(refused, true), 'lines-explained');
  assert.equal(watchOutcome(refused, false), 'not-finished');
});

test('each failed line is explained with what the repair made of it', () => {
  const runs = [
    repair(['GZ202612ICBC010005'], {
      outcome: 'held',
      vouchers: [{ voucherNo: 'GZ202612ICBC010005', outcome: 'held', detail: '收款人账号须人工更正' }],
    }),
  ];
  const explained = explainLines(
    look({ paid: 4 }, [line(5, 'rejected'), line(6, null, '缺少收款行行号（联行号）')]),
    runs,
  );
  assert.deepEqual(
    explained.map((l) => [l.lineNo, l.state, l.repair?.outcome, l.repair?.detail]),
    [
      [5, 'held', 'held', '收款人账号须人工更正'],
      [6, 'no-voucher', undefined, undefined],
    ],
  );
});

test('progress is any line moving, the money paid, or a failed line’s voucher changing state', () => {
  const a = look({ paid: 2, pending: 2 });
  assert.equal(progressKey(a), progressKey(look({ paid: 2, pending: 2 })));
  assert.notEqual(progressKey(a), progressKey(look({ paid: 2, pending: 1, issued: 1 })));
  assert.notEqual(
    progressKey(look({}, [line(5, 'rejected')])),
    progressKey(look({}, [line(5, 'pending_send')])),
  );
});

test('a watch keeps within its looks: a short interval over a long watch is refused naming checkSeconds', () => {
  const refused = payrollWatchInputSchema.safeParse({
    batchNo: 'GZ202612ICBC01',
    requestedBy: 'zhang.san',
    checkSeconds: 5,
    watchHours: 720,
  });
  assert.equal(refused.success, false);
  assert.deepEqual(
    refused.error?.issues.map((i) => i.path.join('.')),
    ['checkSeconds'],
  );
  assert.equal(
    payrollWatchInputSchema.safeParse({ batchNo: 'GZ202612ICBC01', requestedBy: 'zhang.san' }).success,
    true,
  );
});
