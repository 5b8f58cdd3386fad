import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparePayments } from '../../domain/runbooks/procurement-payment-check.compare.ts';
import type {
  CloudContract,
  LedgerContract,
  LedgerPayment,
  ProcurementLedger,
} from '../../domain/runbooks/procurement-payment-check.types.ts';

const contract = (no: string, amountFen: number): LedgerContract => ({
  contractNo: no,
  supplier: '县*******',
  budgetUnitCode: '101001',
  amountFen,
  fiscalYear: 2026,
});
const payment = (n: number, over: Partial<LedgerPayment> = {}): LedgerPayment => ({
  confirmationNo: `QRS2026${String(n).padStart(6, '0')}`,
  contractNo: 'ZCY20260001',
  confirmationFen: 100_00,
  pushStatus: 'pushed',
  lastError: null,
  voucherNo: `ZC20261127ICBC${String(n).padStart(4, '0')}`,
  voucher: { amountFen: 100_00, status: 'paid' },
  ...over,
});
const onCloud = (amountFen: number, payments: LedgerPayment[]): CloudContract => ({
  amountFen,
  confirmations: payments.map((p) => ({
    confirmationNo: p.confirmationNo,
    voucherNo: p.voucherNo,
    amountFen: p.confirmationFen,
  })),
});
const ledger = (contracts: LedgerContract[], payments: LedgerPayment[]): ProcurementLedger => ({
  contracts,
  payments,
  morePayments: 0,
});
const kinds = (r: ReturnType<typeof comparePayments>) =>
  r.differences.map((d) => `${d.kind} ${d.contractNo} ${d.confirmationNo ?? ''}`.trim());

test('payments within their contract, each on the cloud as in the treasury: no difference, figures side by side', () => {
  const paid = [payment(1), payment(2)];
  const r = comparePayments(ledger([contract('ZCY20260001', 1_000_00)], paid), {
    ZCY20260001: onCloud(1_000_00, paid),
  });
  assert.deepEqual(r.differences, []);
  assert.deepEqual(r.contracts[0], {
    contractNo: 'ZCY20260001',
    supplier: '县*******',
    amountFen: 1_000_00,
    paidFen: 200_00,
    confirmedFen: 200_00,
    cloudConfirmedFen: 200_00,
    payments: 2,
  });
});

test('paid beyond the contract, a confirmation unlike its voucher, a voucher no longer paid, a payment without a contract', () => {
  const within = payment(1, { confirmationFen: 120_00 });
  const returned = payment(2, { voucher: { amountFen: 100_00, status: 'rejected' } });
  const beyond = payment(3, { voucher: { amountFen: 950_00, status: 'paid' }, confirmationFen: 950_00 });
  const stray = payment(4, { contractNo: 'ZCY20269999' });
  const noVoucher = payment(5);
  delete noVoucher.voucher;
  const all = [within, returned, beyond, stray, noVoucher];
  const r = comparePayments(ledger([contract('ZCY20260001', 1_000_00)], all), {
    ZCY20260001: onCloud(1_000_00, [within, returned, beyond, noVoucher]),
  });
  assert.deepEqual(kinds(r), [
    'PAYMENT_WITHOUT_CONTRACT ZCY20269999 QRS2026000004',
    'OVER_CONTRACT ZCY20260001',
    'CONFIRMATION_AMOUNT_DIFFERS ZCY20260001 QRS2026000001',
    'CONFIRMATION_VOUCHER_NOT_PAID ZCY20260001 QRS2026000002',
    'PAYMENT_WITHOUT_CONTRACT ZCY20260001 QRS2026000005',
  ]);
  const over = r.differences[1];
  assert.equal(over?.detail, '合同金额 ¥1,000.00，已支付 ¥1,050.00，超出 ¥50.00');
  assert.equal(over?.fixRunbook, 'procurement-push-retry');
  assert.ok(r.differences.every((d) => d.cause.length > 0 && (d.person ?? d.fixRunbook)));
});

test('the cloud lacking a contract or a confirmation, or holding another: each with who fixes it', () => {
  const unreached = payment(1, { pushStatus: 'failed', lastError: 'SERVICE_UNAVAILABLE: 维护中' });
  const refused = payment(2, { pushStatus: 'failed', lastError: 'CONTRACT_EXCEEDED: 超过合同金额' });
  const otherwise = payment(3);
  const pending = payment(4, { pushStatus: 'pending' });
  const second = payment(5, { contractNo: 'ZCY20260002' });
  const r = comparePayments(
    ledger(
      [contract('ZCY20260001', 1_000_00), contract('ZCY20260002', 500_00)],
      [unreached, refused, otherwise, pending, second],
    ),
    {
      ZCY20260001: {
        amountFen: 2_000_00,
        confirmations: [
          { confirmationNo: otherwise.confirmationNo, voucherNo: 'ZC-OTHER', amountFen: 100_00 },
        ],
      },
      ZCY20260002: null,
    },
  );
  assert.deepEqual(kinds(r), [
    'CONTRACT_AMOUNT_DIFFERS ZCY20260001',
    'CONFIRMATION_NOT_ON_CLOUD ZCY20260001 QRS2026000001',
    'CONFIRMATION_NOT_ON_CLOUD ZCY20260001 QRS2026000002',
    'CLOUD_CONFIRMATION_DIFFERS ZCY20260001 QRS2026000003',
    'CONTRACT_NOT_ON_CLOUD ZCY20260002',
  ]);
  const [, up, held] = r.differences;
  assert.deepEqual([up?.fixRunbook, up?.person], ['procurement-push-retry', undefined]);
  assert.match(held?.person ?? '', /先消除拒收原因/);
});

test('the cloud not answering: the treasury compared alone, nothing said of the cloud', () => {
  const r = comparePayments(
    ledger([contract('ZCY20260001', 1_000_00)], [payment(1, { pushStatus: 'failed' })]),
    undefined,
  );
  assert.deepEqual(r.differences, []);
  assert.equal(r.contracts[0]?.cloudConfirmedFen, undefined);
});
