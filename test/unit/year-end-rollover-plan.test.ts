/**
 * The year-end rollover's pure judgement: its input's own rules, the notices' ids, each red
 * pre-check naming the runbook that fixes it, a bank's answer against finance's totals, and the
 * plans an approver sees binding exactly what the activities declare.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listDigest } from '../../domain/approvals/proof.ts';
import { checkInput } from '../../domain/errors.ts';
import {
  carryOverMembership,
  freezePlan,
  judgeAnswer,
  notice,
  noticeCommand,
  noticeId,
  preCheckFindings,
  restoredQuotaId,
} from '../../domain/runbooks/year-end-rollover.plan.ts';
import {
  yearEndRolloverInputSchema,
  type BankBookCheck,
  type NoticeAnswer,
} from '../../domain/runbooks/year-end-rollover.types.ts';

const none = { count: 0, first: [] };
const books = (bank: string, over: Partial<BankBookCheck> = {}): BankBookCheck => ({
  bank,
  inFlight: none,
  unregisteredReceipts: none,
  statementDays: { reported: 3, differing: [] },
  openRefunds: none,
  openVoids: none,
  ...over,
});
const answer = (over: Partial<NoticeAnswer>): NoticeAnswer => ({
  status: 'confirmed',
  bankLineCount: 3,
  bankTotalFen: 900,
  reason: null,
  answeredAt: '2026-12-31T10:00:00.000Z',
  pushesAcked: 0,
  pushesRejected: [],
  ...over,
});

describe('the year-end rollover, judged', () => {
  it('its input: the opening after the freeze, an escalation no earlier than the first reminder', () => {
    const base = { fiscalYear: 2026, requestedBy: 'zhang.san' };
    assert.equal(checkInput(yearEndRolloverInputSchema, base).ok, true);
    const refused = (input: object) => {
      const checked = checkInput(yearEndRolloverInputSchema, { ...base, ...input });
      return checked.ok ? [] : checked.problems;
    };
    assert.match(
      refused({ freezeAt: '2027-01-04T08:30:00+08:00', openAt: '2026-12-31T17:00:00+08:00' })[0] ?? '',
      /^input\.openAt: the new year opens/,
    );
    assert.match(
      refused({ remindAfterMinutes: 60, escalateAfterMinutes: 30 })[0] ?? '',
      /^input\.escalateAfterMinutes/,
    );
    assert.match(refused({ freezeAt: '2026-12-31 17:00' })[0] ?? '', /^input\.freezeAt/);
    assert.match(refused({ fiscalYear: 1999 })[0] ?? '', /^input\.fiscalYear/);
  });

  it('one notice id per year, kind and bank; a restored quota id within 32 characters', () => {
    assert.equal(noticeId(2026, 'cancellation', 'ICBC'), 'YE2026-ZX-ICBC');
    assert.equal(noticeId(2026, 'restoration', 'ICBC'), 'YE2026-HF-ICBC');
    assert.equal(restoredQuotaId('ED2026ICBC001', 2027), 'HF2027-ED2026ICBC001');
    const long = restoredQuotaId('Q'.repeat(32), 2027);
    assert.ok(long.length <= 32 && long.startsWith('HF2027-'), long);
    assert.notEqual(long, restoredQuotaId(`${'Q'.repeat(31)}R`, 2027));
  });

  it('each red pre-check names the runbook that fixes it', () => {
    const found = preCheckFindings(
      [
        books('ICBC', { inFlight: { count: 4, first: ['A', 'B', 'C'] } }),
        books('ABC', { unregisteredReceipts: { count: 1, first: ['HD1'] } }),
        books('BOC', {
          statementDays: { reported: 2, differing: [{ date: '2026-12-30', bank: '3 笔', finance: '2 笔' }] },
        }),
        books('CCB', {
          openRefunds: { count: 1, first: ['RF1'] },
          openVoids: { count: 2, first: ['V1', 'V2'] },
        }),
        books('RCB'),
      ],
      [
        { bank: 'RCB', healthy: false, detail: '发送通道 CZ.TO.RCB 已停止（STOPPED）' },
        { bank: 'ICBC', healthy: true, detail: '' },
      ],
    );
    assert.deepEqual(
      found.map((f) => [f.bank, f.check, f.runbook]),
      [
        ['ICBC', 'vouchers-in-flight', 'voucher-resend'],
        ['ABC', 'receipts-unregistered', 'receipt-registration-repair'],
        ['BOC', 'statements-differ', 'bank-reconciliation'],
        ['CCB', 'refunds-open', 'refund-tracking'],
        ['CCB', 'voids-open', 'void-status-check'],
        ['RCB', 'channels', 'channel-recovery'],
      ],
    );
    assert.equal(found[0]?.detail, '4 张凭证在途（A、B、C 等 4 项）');
    assert.deepEqual(preCheckFindings([books('ICBC')], [{ bank: 'ICBC', healthy: true, detail: '' }]), []);
  });

  it("a bank's answer: confirmed only with finance's count and total, and every push acknowledged", () => {
    const expected = { lineCount: 3, totalFen: 900 };
    assert.equal(judgeAnswer(expected, answer({}), 0), 'confirmed');
    assert.equal(judgeAnswer(expected, answer({ bankTotalFen: 899 }), 0), 'totals-differ');
    assert.equal(judgeAnswer(expected, answer({ bankLineCount: 2 }), 0), 'totals-differ');
    assert.equal(judgeAnswer(expected, answer({ status: 'sent', bankLineCount: null }), 0), 'waiting');
    assert.equal(judgeAnswer(expected, answer({ status: 'refused', reason: '暂不受理' }), 0), 'refused');
    assert.equal(judgeAnswer(expected, answer({ pushesAcked: 2 }), 3), 'waiting');
    assert.equal(judgeAnswer(expected, answer({ pushesAcked: 2, pushesRejected: ['x'] }), 3), 'confirmed');
  });

  it('the freeze plan lists each notice as the filing declares it, and binds the carry-over list', () => {
    const lines = [{ quotaId: 'Q1', budgetUnitCode: '103001', subjectCode: '2050202', amountFen: 1_000 }];
    const n = notice(2026, 'cancellation', 'ICBC', lines);
    const items = [
      { voucherNo: 'V1', bank: 'ICBC', amountFen: 500, status: 'draft', policy: 'carry' as const },
      { voucherNo: 'V2', bank: 'ICBC', amountFen: 700, status: 'rejected', policy: 'carry' as const },
    ];
    const plan = freezePlan({
      fiscalYear: 2026,
      banks: [{ code: 'ICBC', name: '中国工商银行' }],
      freezeAt: '2026-12-31T09:00:00.000Z',
      cancellations: [n],
      carryOver: items,
      policy: 'carry',
    });
    const message = plan.actions.find((a) => a.kind === 'message');
    assert.equal(message?.command, noticeCommand(n));
    assert.match(
      message?.command ?? '',
      /^额度注销 YE2026-ZX-ICBC（2026 年度）：1 笔，合计 ¥10\.00，明细摘要 [0-9a-f]{16}$/,
    );
    assert.notEqual(noticeCommand({ ...n, lines: [{ ...lines[0]!, amountFen: 999 }] }), message?.command);
    assert.deepEqual(plan.lists, [
      { name: 'carry-over', count: 2, totalFen: 1_200, digest: listDigest(carryOverMembership(items).parts) },
    ]);
    assert.deepEqual(
      plan.vouchers?.map((v) => v.voucherNo),
      ['V1', 'V2'],
    );
  });
});
