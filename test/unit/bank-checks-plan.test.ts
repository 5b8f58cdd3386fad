import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { financePlan } from '../../domain/bank-checks/finance-plan.ts';
import { queryIdFor, queryPrefix } from '../../domain/bank-questions.ts';
import type { VoucherSnapshot } from '../../domain/bank-checks/types.ts';
import type { BankAnswer } from '../../domain/bank-questions.ts';
import {
  answerMismatch,
  conclude,
  judgeResend,
  missingReports,
  withoutResend,
} from '../../domain/runbooks/daily-report-check.plan.ts';
import type { ReportPresence } from '../../domain/runbooks/daily-report-check.types.ts';
import {
  confirmWithBank,
  matchReceipt,
  registration,
  sameRegistration,
} from '../../domain/runbooks/receipt-registration-repair.plan.ts';
import type { UnregisteredReceipt } from '../../domain/runbooks/receipt-registration-repair.types.ts';
import { decideRefunds, overdueRefunds, vouchersNamed } from '../../domain/runbooks/refund-tracking.plan.ts';
import type { OpenRefund } from '../../domain/runbooks/refund-tracking.types.ts';
import { decideVoid, overdueVoids } from '../../domain/runbooks/void-status-check.plan.ts';
import type { OpenVoid } from '../../domain/runbooks/void-status-check.types.ts';

function voucher(overrides: Partial<VoucherSnapshot> = {}): VoucherSnapshot {
  return {
    voucherNo: 'ZZ20261126ICBC0001',
    bank: 'ICBC',
    amountFen: 1_288_000,
    businessDate: '2026-11-26',
    status: 'accepted',
    paidAt: null,
    payeeName: '县*******',
    payeeAccount: '****1234',
    registeredReceipt: null,
    ...overrides,
  };
}

function receipt(overrides: Partial<UnregisteredReceipt> = {}): UnregisteredReceipt {
  return {
    receiptNo: 'HD20261126ICBC00001',
    voucherNo: 'ZZ20261126ICBC0001',
    amountFen: 1_288_000,
    paidDate: '2026-11-26',
    receivedAt: '2026-11-26T03:00:00.000Z',
    registerError: '回单登记失败：ORA-00060',
    voucher: voucher(),
    candidates: [],
    ...overrides,
  };
}

const paidAnswer = (overrides: Partial<BankAnswer> = {}): BankAnswer => ({
  queryId: 'q1',
  answeredAt: '2026-11-27T01:00:00.000Z',
  voucherNo: 'ZZ20261126ICBC0001',
  known: true,
  status: 'paid',
  paidAt: '2026-11-26T02:30:00.000Z',
  amountFen: 1_288_000,
  ...overrides,
});

describe('receipt matching', () => {
  it('matches a receipt to its voucher by number, amount and date', () => {
    assert.equal(matchReceipt(receipt(), 30).kind, 'clean');
    assert.equal(matchReceipt(receipt({ paidDate: '2026-12-26' }), 30).kind, 'clean');
  });

  const reasonOf = (r: UnregisteredReceipt, maxPayDays = 30) => {
    const m = matchReceipt(r, maxPayDays);
    return m.kind === 'unmatched' ? m.reason : 'clean';
  };

  it('names the reason a receipt does not match', () => {
    assert.equal(reasonOf(receipt({ voucher: undefined })), 'no-voucher');
    assert.equal(
      reasonOf(receipt({ voucher: undefined, candidates: [voucher({ voucherNo: 'ZZX' })] })),
      'number-differs',
    );
    assert.equal(
      reasonOf(
        receipt({
          voucher: undefined,
          candidates: [voucher({ voucherNo: 'A' }), voucher({ voucherNo: 'B' })],
        }),
      ),
      'several-candidates',
    );
    assert.equal(reasonOf(receipt({ amountFen: 1_288_100 })), 'amount-differs');
    assert.equal(reasonOf(receipt({ paidDate: '2026-11-23' })), 'date-differs');
    assert.equal(reasonOf(receipt({ paidDate: '2026-12-28' })), 'date-differs');
    assert.equal(reasonOf(receipt({ paidDate: '2026-11-27' }), 0), 'date-differs');
    assert.equal(reasonOf(receipt({ voucher: voucher({ status: 'voided' }) })), 'voucher-status');
    assert.equal(
      reasonOf(receipt({ voucher: voucher({ registeredReceipt: 'HD-OTHER' }) })),
      'already-registered',
    );
  });

  it('keeps a clean match only when the bank confirms the payment and its amount', () => {
    const clean = matchReceipt(receipt(), 30);
    const reason = (a: BankAnswer | undefined) => {
      const m = confirmWithBank(clean, a);
      return m.kind === 'unmatched' ? m.reason : 'clean';
    };
    assert.equal(reason(paidAnswer()), 'clean');
    assert.equal(reason(undefined), 'bank-no-answer');
    assert.equal(reason(paidAnswer({ known: false, status: undefined })), 'bank-not-paid');
    assert.equal(reason(paidAnswer({ status: 'accepted' })), 'bank-not-paid');
    assert.equal(reason(paidAnswer({ amountFen: 1 })), 'bank-amount-differs');
    const unmatched = matchReceipt(receipt({ voucher: undefined }), 30);
    assert.equal(confirmWithBank(unmatched, paidAnswer()), unmatched, 'an unmatched receipt stays unmatched');
  });

  it('registers with the time the bank paid, and marks the voucher paid only when it is not already', () => {
    const clean = matchReceipt(receipt(), 30);
    assert.ok(clean.kind === 'clean');
    assert.deepEqual(registration(clean, paidAnswer()), {
      kind: 'register-receipt',
      receiptNo: 'HD20261126ICBC00001',
      voucherNo: 'ZZ20261126ICBC0001',
      paidAt: '2026-11-26T02:30:00.000Z',
      markPaid: true,
    });
    const paid = matchReceipt(receipt({ voucher: voucher({ status: 'paid' }) }), 30);
    assert.ok(paid.kind === 'clean');
    assert.equal(registration(paid, paidAnswer()).markPaid, false);
  });

  it('sees a voucher that moved since the plan', () => {
    assert.equal(sameRegistration(voucher(), receipt()), true);
    assert.equal(sameRegistration(voucher(), receipt({ voucher: voucher({ status: 'paid' }) })), false);
    assert.equal(
      sameRegistration(voucher(), receipt({ voucher: voucher({ registeredReceipt: 'HD9' }) })),
      false,
    );
    assert.equal(sameRegistration(voucher(), undefined), false);
  });
});

function openVoid(overrides: Partial<OpenVoid> = {}): OpenVoid {
  return {
    voucherNo: 'ZZ20261126ICBC0001',
    status: 'sent',
    reason: '预算单位申请撤销',
    requestedAt: '2026-11-27T01:00:00.000Z',
    sentAt: '2026-11-27T01:00:30.000Z',
    voucher: voucher(),
    ...overrides,
  };
}

describe('void decisions', () => {
  const bankSays = (overrides: Partial<BankAnswer>): BankAnswer => ({
    queryId: 'q',
    answeredAt: '2026-11-27T05:00:00.000Z',
    voucherNo: 'ZZ20261126ICBC0001',
    known: true,
    status: 'accepted',
    ...overrides,
  });
  const outcome = (v: OpenVoid, a: BankAnswer | undefined) => {
    const d = decideVoid(v, a);
    return d.kind === 'act' ? d.mutation.kind : d.reason;
  };

  it('brings the finance side in line with what the bank did', () => {
    const voidedAt = '2026-11-27T02:00:00.000Z';
    assert.equal(
      outcome(openVoid(), bankSays({ status: 'voided', void: { state: 'voided', at: voidedAt } })),
      'confirm-void',
    );
    const d = decideVoid(openVoid(), bankSays({ status: 'voided', void: { state: 'voided', at: voidedAt } }));
    assert.ok(d.kind === 'act' && d.mutation.kind === 'confirm-void' && d.mutation.bankAt === voidedAt);
    assert.match(d.why, /2026-11-27 10:00/, 'times are shown in the site’s zone');
    assert.equal(
      outcome(
        openVoid(),
        bankSays({ status: 'paid', void: { state: 'refused', at: voidedAt, reason: '已支付' } }),
      ),
      'refuse-void',
    );
    assert.equal(outcome(openVoid(), bankSays({ status: 'paid', paidAt: voidedAt })), 'refuse-void');
    assert.equal(outcome(openVoid(), bankSays({ status: 'accepted' })), 'resend-void');
    assert.equal(outcome(openVoid(), bankSays({ status: 'rejected' })), 'resend-void');
  });

  it('reports what it must not decide', () => {
    assert.equal(outcome(openVoid(), undefined), 'bank-no-answer');
    assert.equal(outcome(openVoid(), bankSays({ known: false, status: undefined })), 'unknown-to-bank');
    assert.equal(outcome(openVoid({ voucher: null }), bankSays({})), 'conflict');
    assert.equal(
      outcome(
        openVoid({ voucher: voucher({ status: 'paid' }) }),
        bankSays({ status: 'voided', void: { state: 'voided', at: '2026-11-27T02:00:00.000Z' } }),
      ),
      'conflict',
      'the bank voided what finance has as paid',
    );
    assert.equal(outcome(openVoid(), bankSays({ status: 'voided' })), 'conflict');
  });

  it('asks about sent requests past the cutoff and reports requests never sent', () => {
    const cutoff = '2026-11-27T02:00:00.000Z';
    const { ask, stuck } = overdueVoids(
      [
        openVoid({ voucherNo: 'A' }),
        openVoid({ voucherNo: 'B', sentAt: '2026-11-27T03:00:00.000Z' }),
        openVoid({ voucherNo: 'C', status: 'pending_send', sentAt: null }),
        openVoid({
          voucherNo: 'D',
          status: 'pending_send',
          sentAt: null,
          requestedAt: '2026-11-27T04:00:00.000Z',
        }),
      ],
      cutoff,
    );
    assert.deepEqual(
      ask.map((v) => v.voucherNo),
      ['A'],
    );
    assert.deepEqual(
      stuck.map((v) => v.voucherNo),
      ['C'],
    );
  });
});

function refund(overrides: Partial<OpenRefund> = {}): OpenRefund {
  return {
    refundNo: 'TKCZ20261125ICBC01',
    initiatedBy: 'finance',
    status: 'sent',
    amountFen: 1_288_000,
    reason: '误付退回',
    requestedAt: '2026-11-25T01:00:00.000Z',
    sentAt: '2026-11-25T01:00:00.000Z',
    notifiedAt: null,
    refundDate: null,
    matchError: null,
    voucherNo: 'ZZ20261126ICBC0001',
    voucher: voucher({ status: 'paid' }),
    ...overrides,
  };
}

describe('refund decisions', () => {
  const answer = (r: OpenRefund, state: Partial<NonNullable<BankAnswer['refund']>>): [string, BankAnswer] => [
    r.refundNo,
    {
      queryId: 'q',
      answeredAt: '2026-11-27T05:00:00.000Z',
      refund: {
        refundNo: r.refundNo,
        known: true,
        state: 'refunded',
        voucherNo: 'ZZ20261126ICBC0001',
        amountFen: 1_288_000,
        refundDate: '2026-11-26',
        ...state,
      },
    },
  ];
  const paid = new Map([['ZZ20261126ICBC0001', voucher({ status: 'paid' })]]);
  const decide = (
    r: OpenRefund,
    state: Partial<NonNullable<BankAnswer['refund']>> | undefined,
    vouchers = paid,
  ) => {
    const [d] = decideRefunds([r], new Map(state ? [answer(r, state)] : []), vouchers);
    return d!.kind === 'act' ? d!.mutation.kind : d!.reason;
  };

  it("settles finance's own requests from the bank's answer", () => {
    assert.equal(decide(refund(), {}), 'confirm-refund');
    assert.equal(decide(refund(), { state: 'refused', reason: '原凭证未支付' }), 'refuse-refund');
    assert.equal(decide(refund(), { known: false, state: undefined }), 'resend-refund');
    assert.equal(decide(refund(), { voucherNo: 'ZZ-OTHER' }), 'voucher-differs');
    assert.equal(decide(refund(), { amountFen: 1_000 }), 'amount-differs');
    assert.equal(
      decide(refund({ voucher: voucher({ status: 'refunded' }) }), {}, new Map()),
      'voucher-status',
    );
  });

  it("matches the bank's unmatched notice to the voucher the bank names, and only a full refund", () => {
    const notice = refund({
      refundNo: 'TK20261125ICBC0001',
      initiatedBy: 'bank',
      status: 'unmatched',
      voucherNo: null,
      voucher: null,
      notifiedAt: '2026-11-25T02:00:00.000Z',
    });
    const [d] = decideRefunds([notice], new Map([answer(notice, {})]), paid);
    assert.ok(d?.kind === 'act' && d.mutation.kind === 'match-refund');
    assert.equal(d.mutation.voucherNo, 'ZZ20261126ICBC0001');
    assert.equal(decide(notice, {}, new Map()), 'no-voucher');
    assert.equal(
      decide(notice, {}, new Map([['ZZ20261126ICBC0001', voucher({ status: 'accepted' })]])),
      'voucher-status',
    );
    assert.equal(decide({ ...notice, amountFen: 1_000 }, { amountFen: 1_000 }), 'amount-differs');
    assert.equal(decide(notice, { known: false, state: undefined }), 'unknown-to-bank');
    assert.equal(decide(notice, undefined), 'bank-no-answer');
    assert.deepEqual(vouchersNamed([notice], new Map([answer(notice, {})])), ['ZZ20261126ICBC0001']);
  });

  it('settles one refund per voucher and reports the second', () => {
    const a = refund({ refundNo: 'TK-A' });
    const b = refund({ refundNo: 'TK-B' });
    const decisions = decideRefunds([a, b], new Map([answer(a, {}), answer(b, {})]), paid);
    assert.deepEqual(
      decisions.map((d) => (d.kind === 'act' ? d.mutation.kind : d.reason)),
      ['confirm-refund', 'duplicate'],
    );
  });

  it('asks about sent requests and unmatched notices past the cutoff', () => {
    const cutoff = '2026-11-26T00:00:00.000Z';
    const { ask, stuck } = overdueRefunds(
      [
        refund({ refundNo: 'A' }),
        refund({ refundNo: 'B', sentAt: '2026-11-26T05:00:00.000Z' }),
        refund({
          refundNo: 'C',
          status: 'unmatched',
          initiatedBy: 'bank',
          notifiedAt: '2026-11-25T00:00:00.000Z',
        }),
        refund({ refundNo: 'D', status: 'pending_send', sentAt: null }),
      ],
      cutoff,
    );
    assert.deepEqual(
      ask.map((r) => r.refundNo),
      ['A', 'C'],
    );
    assert.deepEqual(
      stuck.map((r) => r.refundNo),
      ['D'],
    );
  });
});

describe('daily report check', () => {
  const presence = (kinds: Record<string, boolean>): ReportPresence[] =>
    Object.entries(kinds).map(([kind, present]) => ({ kind: kind as ReportPresence['kind'], present }));
  const reportAnswer = (resent: boolean, reportKind = 'daily_report' as const): BankAnswer => ({
    queryId: 'q',
    answeredAt: '2026-11-27T01:00:00.000Z',
    reportKind,
    reportDate: '2026-11-26',
    resent,
  });

  it('finds the missing reports', () => {
    assert.deepEqual(
      missingReports(presence({ daily_report: false, payment_list: true, recon_file: false })),
      ['daily_report', 'recon_file'],
    );
  });

  it('concludes from what arrived and what the bank said', () => {
    const arrived = conclude({
      date: '2026-11-26',
      missingBefore: ['daily_report'],
      after: presence({ daily_report: true }),
      answers: new Map([['daily_report', reportAnswer(true)]]),
      waitSeconds: 1800,
    });
    assert.equal(arrived.outcome, 'received-after-resend');
    const held = conclude({
      date: '2026-11-26',
      missingBefore: ['daily_report', 'recon_file'],
      after: presence({ daily_report: false, recon_file: false }),
      answers: new Map([
        ['daily_report', reportAnswer(false)],
        ['recon_file', undefined],
      ]),
      waitSeconds: 1800,
    });
    assert.equal(held.outcome, 'escalated');
    assert.match(held.why, /30 分钟/);
    assert.match(held.why, /日报：银行表示无法补发/);
    assert.match(held.why, /对账文件：银行未应答补发请求/);
  });

  it('will not guess about an answer for another report or day', () => {
    assert.equal(answerMismatch('daily_report', '2026-11-26', reportAnswer(true)), undefined);
    assert.match(answerMismatch('recon_file', '2026-11-26', reportAnswer(true)) ?? '', /指向 daily_report/);
    assert.equal(answerMismatch('daily_report', '2026-11-26', undefined), undefined);
  });

  it('asks the bank nothing on a day off without reports, on a complete day, or in a dry run', () => {
    const day = { date: '2026-11-28', reports: ['daily_report', 'payment_list'] as const, dryRun: false };
    const none = presence({ daily_report: false, payment_list: false });
    const some = presence({ daily_report: true, payment_list: false });
    assert.equal(withoutResend({ ...day, workingDay: false, before: none })?.outcome, 'not-a-working-day');
    // A report that came on a day off makes the missing one worth asking for.
    assert.equal(withoutResend({ ...day, workingDay: false, before: some }), undefined);
    const all = withoutResend({
      ...day,
      workingDay: true,
      before: presence({ daily_report: true, payment_list: true }),
    });
    assert.deepEqual(all, { outcome: 'complete', why: '2026-11-28 的日报、清单均已收到' });
    const dry = withoutResend({ ...day, workingDay: true, before: some, dryRun: true });
    assert.deepEqual(dry, { outcome: 'planned', why: '缺 清单（2026-11-28）；演练模式，未请求补发' });
    assert.equal(withoutResend({ ...day, workingDay: true, before: some }), undefined);
  });

  it('judges the resend by the answers that fit the requests and what arrived', () => {
    const asked = {
      date: '2026-11-26',
      missingBefore: ['daily_report', 'recon_file'] as const,
      waitSeconds: 60,
    };
    const after = presence({ daily_report: true, recon_file: false });
    const strayed = judgeResend({
      ...asked,
      after,
      requested: [
        { kind: 'daily_report', answer: reportAnswer(true) },
        { kind: 'recon_file', answer: reportAnswer(true) },
      ],
    });
    assert.equal(strayed.outcome, 'unexpected-state');
    assert.match(strayed.why, /对账文件.*指向 daily_report/);
    const held = judgeResend({
      ...asked,
      after,
      requested: [{ kind: 'daily_report', answer: reportAnswer(true) }, { kind: 'recon_file' }],
    });
    assert.equal(held.outcome, 'escalated');
    assert.match(held.why, /60 秒后仍缺 对账文件（2026-11-26）：对账文件：银行未应答补发请求$/);
  });
});

describe('status query ids and plans', () => {
  it('gives one run the same ids for the same question, within the column’s 48 characters', () => {
    const prefix = queryPrefix('void-status-check/CCB/2026-11-27', 'void-vouchers', 1);
    assert.equal(prefix, queryPrefix('void-status-check/CCB/2026-11-27', 'void-vouchers', 1));
    assert.notEqual(prefix, queryPrefix('void-status-check/CCB/2026-11-27', 'void-vouchers', 2));
    const id = queryIdFor(prefix, 'ZZ20261126ICBC0001');
    assert.ok(id.startsWith(prefix) && id.length <= 48, id);
    assert.notEqual(id, queryIdFor(prefix, 'ZZ20261126ICBC0002'));
  });

  it('lists each change with its exact SQL and each voucher once, masked', () => {
    const v = voucher();
    const plan = financePlan({
      runbook: 'void-status-check',
      title: { zh: '作废', en: 'voids' },
      bank: { code: 'ICBC', name: '中国工商银行' },
      findings: [],
      changes: [
        {
          mutation: { kind: 'resend-void', voucherNo: v.voucherNo, sentAt: '2026-11-26T01:00:00.000Z' },
          sql: ['update a', 'update b'],
          voucher: v,
        },
        {
          mutation: { kind: 'refuse-void', voucherNo: v.voucherNo, bankReason: '已支付' },
          sql: ['update c'],
          voucher: v,
        },
      ],
    });
    assert.deepEqual(
      plan.actions.map((a) => a.command),
      ['update a;\nupdate b;', 'update c;'],
    );
    assert.deepEqual(plan.vouchers, [
      { voucherNo: v.voucherNo, amountFen: v.amountFen, payeeName: '县*******', payeeAccount: '****1234' },
    ]);
  });
});
