import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BankAnswer } from '../../domain/bank-questions.ts';
import { cardPlan, judgeStuck } from '../../domain/runbooks/official-card-check.plan.ts';
import type { StuckRepayment } from '../../domain/runbooks/official-card-check.types.ts';

const stuck: StuckRepayment = {
  repayNo: 'GWK20261127CCB001',
  bank: 'CCB',
  voucherNo: 'GK20261127CCB001',
  amountFen: 12_000,
  cardholder: '王*',
  card: '6259 **** **** 1234',
  voucherStatus: 'sent',
  sentAt: '2026-11-27T01:00:00.000Z',
};
const answer = (more: Partial<BankAnswer>): BankAnswer => ({
  queryId: 'q1',
  answeredAt: '2026-11-27T02:00:00.000Z',
  ...more,
});

test('a stuck repayment is judged by its bank’s answer: a proven payment recorded, no record resent, the rest held', () => {
  const paid = answer({
    known: true,
    status: 'paid',
    amountFen: 12_000,
    paidAt: '2026-11-27T01:05:00.000Z',
    receiptNo: 'HD1',
  });
  const cases: [BankAnswer | undefined, string][] = [
    [paid, 'record-receipt'],
    [answer({ known: false }), 'resend'],
    [answer({ known: true, status: 'rejected' }), 'resend'],
    [answer({ ...paid, amountFen: 13_000 }), 'hold'],
    [answer({ ...paid, receiptNo: undefined }), 'hold'],
    [answer({ known: true, status: 'accepted' }), 'hold'],
    [answer({ known: true, status: 'voided' }), 'hold'],
    [undefined, 'hold'],
  ];
  assert.deepEqual(
    cases.map(([a]) => judgeStuck(stuck, a).decision),
    cases.map(([, d]) => d),
  );
  assert.match(judgeStuck(stuck, answer({ ...paid, amountFen: 13_000 })).detail, /不符/);
  assert.deepEqual(judgeStuck(stuck, paid).answer, {
    known: true,
    status: 'paid',
    amountFen: 12_000,
    paidAt: '2026-11-27T01:05:00.000Z',
    receiptNo: 'HD1',
  });
});

test('the plan says what goes to the voucher repair and what is left for a person, beside the receipts it records', () => {
  const verdicts = [
    judgeStuck(stuck, answer({ known: false })),
    judgeStuck({ ...stuck, voucherNo: 'GK20261127CCB002' }, undefined),
  ];
  const plan = cardPlan({
    target: {
      subsystem: 'official-card',
      name: '公务卡还款',
      banks: [{ code: 'CCB', name: '中国建设银行' }],
    },
    date: '2026-11-27',
    verdicts,
    changes: [],
  });
  assert.equal(plan.bank?.code, 'CCB');
  const text = plan.findings.map((f) => f.zh).join('\n');
  assert.match(text, /补登回单 0 笔；交失败凭证修复与重发 1 笔；留待人工 1 笔/);
  assert.match(text, /凭证 GK20261127CCB001（CCB）将交 voucher-resend/);
});
