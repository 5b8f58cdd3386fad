import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  batchesOf,
  causesOf,
  combine,
  decideAtResend,
  dispose,
  planListLimit,
  plannedOf,
  resendPlan,
  summarise,
} from '../../domain/runbooks/voucher-resend.plan.ts';
import type { BankAnswer } from '../../domain/bank-questions.ts';
import {
  addUp,
  heldOnly,
  leftForPeople,
  resentOutcome,
} from '../../domain/runbooks/voucher-resend.counts.ts';
import type {
  BatchSummary,
  DiagnosedVoucher,
  FailedVoucher,
} from '../../domain/runbooks/voucher-resend.types.ts';

const base: FailedVoucher = {
  voucherNo: 'ZZ20261126ICBC0001',
  amountFen: 1_288_000,
  status: 'timed_out',
  businessDate: '2026-11-26',
  updatedAt: '2026-11-26T09:02:20.000Z',
  sentAt: '2026-11-26T09:02:00.000Z',
  failureCode: 'E_OUT_OF_WINDOW',
  payeeId: 'PA000001',
  payee: { name: '县**********司', account: '****8800' },
  staleBaseData: [],
  fields: { ok: true },
  ruleSet: 'standard',
  voiding: false,
};
const v = (over: Partial<FailedVoucher>): FailedVoucher => ({ ...base, ...over });
const answered = { queryId: 'q0123-0', answeredAt: '2026-11-27T01:00:00.000Z', voucherNo: base.voucherNo };
const unknown: BankAnswer = { ...answered, known: false };
const rejected: BankAnswer = { ...answered, known: true, status: 'rejected' };
const paid: BankAnswer = { ...answered, known: true, status: 'paid' };
const silent = null;

describe('failed voucher causes', () => {
  it('reads every cause the records show', () => {
    assert.deepEqual(causesOf(base), ['window']);
    assert.deepEqual(
      causesOf(
        v({
          status: 'rejected',
          failureCode: 'E_BASE_DATA_VERSION',
          staleBaseData: [{ kind: 'payee_account', needed: 9, acked: 8 }],
        }),
      ),
      ['base-data'],
    );
    assert.deepEqual(
      causesOf(
        v({
          status: 'rejected',
          failureCode: 'E_ACCOUNT_FORMAT',
          fields: { ok: false, fixable: true, fixes: [], problems: [] },
        }),
      ),
      ['fields'],
    );
    assert.deepEqual(causesOf(v({ status: 'sent', failureCode: null })), ['unanswered']);
    assert.deepEqual(causesOf(v({ status: 'rejected', failureCode: 'E_SERIAL' })), ['serial']);
    assert.deepEqual(causesOf(v({ status: 'rejected', failureCode: 'E_ACCOUNT_CLOSED' })), ['unknown']);
    assert.deepEqual(
      causesOf(v({ staleBaseData: [{ kind: 'subject', needed: 3, acked: 2 }] })),
      ['base-data', 'window'],
      'a late voucher can also refer to base data the bank lacks',
    );
  });
});

describe('what to do once the bank has answered', () => {
  it('resends only what the bank has no payable record of', () => {
    assert.deepEqual(dispose(base, ['window'], unknown), { kind: 'resend', causes: ['window'] });
    assert.deepEqual(dispose(base, ['window'], rejected), { kind: 'resend', causes: ['window'] });
  });

  it('aligns finance when the bank has it, never resends it', () => {
    assert.deepEqual(dispose(base, ['window'], paid), { kind: 'align', bankStatus: 'paid' });
    assert.deepEqual(dispose(base, ['unanswered'], { ...paid, status: 'accepted' }), {
      kind: 'align',
      bankStatus: 'accepted',
    });
  });

  it('holds when the bank does not answer, or its state is unexpected', () => {
    assert.equal(dispose(base, ['window'], silent).kind, 'hold');
    assert.deepEqual(
      (dispose(base, ['window'], { ...paid, status: 'voided' }) as { reason: string }).reason,
      'bank-state',
    );
  });

  it('holds serial problems, unknown failures, unfixable fields and vouchers being voided', () => {
    const reason = (d: ReturnType<typeof dispose>) => (d.kind === 'hold' ? d.reason : d.kind);
    assert.equal(reason(dispose(v({ failureCode: 'E_SERIAL' }), ['serial'], rejected)), 'serial');
    assert.equal(reason(dispose(v({ failureCode: 'E_QUOTA' }), ['unknown'], rejected)), 'unknown-failure');
    assert.equal(
      reason(
        dispose(
          v({
            fields: {
              ok: false,
              fixable: false,
              fixes: [],
              problems: [{ field: 'payeeAccountNo', message: '须为 10–25 位数字' }],
            },
          }),
          ['fields'],
          rejected,
        ),
      ),
      'manual-fix',
    );
    assert.equal(reason(dispose(v({ voiding: true }), ['window'], unknown)), 'voiding');
  });

  it('decides again at resend time from the fresh answer', () => {
    assert.equal(decideAtResend(unknown), 'resend');
    assert.equal(decideAtResend(rejected), 'resend');
    assert.equal(decideAtResend(paid), 'align');
    assert.equal(decideAtResend(silent), 'hold');
    assert.equal(decideAtResend({ ...paid, status: 'voided' }), 'hold');
  });
});

describe('the resend plan', () => {
  const diagnosed = (no: number, over: Partial<DiagnosedVoucher> = {}): DiagnosedVoucher => ({
    ...base,
    voucherNo: `ZZ20261126ICBC${String(no).padStart(4, '0')}`,
    causes: ['window'],
    answer: unknown,
    disposition: { kind: 'resend', causes: ['window'] },
    ...over,
  });
  const fix = {
    payeeId: 'PA000009',
    field: 'payeeAccountNo' as const,
    kinds: ['whitespace' as const],
    before: '****0-88',
    after: '****0088',
    beforeDigest: 'abcdef0123456789',
  };
  const bank = { code: 'ICBC', name: '中国工商银行' };
  const planOf = (c: ReturnType<typeof combine>) =>
    resendPlan({ bank, ...c, baseData: c.staleKinds.map((kind) => ({ kind, version: 9, acked: 8 })) });

  it('shows the vouchers masked, the exact commands and the bank answer behind each decision', () => {
    const batch1 = summarise(
      1,
      [
        diagnosed(1, {
          causes: ['base-data', 'fields', 'window'],
          staleBaseData: [{ kind: 'payee_account', needed: 9, acked: 8 }],
          fields: { ok: false, fixable: true, fixes: [fix], problems: [] },
          disposition: { kind: 'resend', causes: ['base-data', 'fields', 'window'] },
        }),
        diagnosed(2, { answer: paid, disposition: { kind: 'align', bankStatus: 'paid' } }),
      ],
      10,
    );
    const batch2 = summarise(
      2,
      [diagnosed(3, { disposition: { kind: 'hold', reason: 'no-answer', detail: '' } })],
      10,
    );
    const c = combine([batch2, batch1]);
    assert.equal(c.found, 3);
    assert.deepEqual(c.holds, { 'no-answer': 1 });
    const plan = planOf(c);
    assert.deepEqual(plan.vouchers, [
      {
        voucherNo: 'ZZ20261126ICBC0001',
        amountFen: 1_288_000,
        payeeName: '县**********司',
        payeeAccount: '****8800',
      },
    ]);
    assert.deepEqual(
      plan.actions.map((a) => a.kind),
      ['sql', 'sql', 'message', 'message', 'sql', 'sql'],
    );
    assert.match(plan.actions[0]?.command ?? '', /SET status = 'accepted'.*voucher_no IN \(:align\)/);
    assert.equal(plan.actions[0]?.list, 'align');
    assert.match(
      plan.actions[1]?.command ?? '',
      /UPDATE payee_accounts SET account_no = '\*\*\*\*0088' WHERE id = 'PA000009'/,
    );
    assert.equal(plan.actions[2]?.command, 'base_data payee_account version=9');
    assert.match(
      plan.actions[4]?.command ?? '',
      /SET status = 'pending_send'.*IN \(:resend\) AND status = :seen AND updated_at = :seen/,
    );
    assert.deepEqual(
      plan.actions.map((a) => a.list),
      ['align', undefined, undefined, undefined, 'resend', 'resend'],
    );
    assert.deepEqual(
      plan.lists?.map((l) => [l.name, l.count, l.totalFen]),
      [
        ['resend', 1, 1_288_000],
        ['align', 1, 1_288_000],
      ],
    );
    assert.ok(plan.findings.some((f) => f.zh.includes('不处理（银行未答复状态查询，不重发）：1 张')));
    assert.ok(plan.findings.some((f) => f.zh.includes('银行基础资料未同步：1 张')));
    assert.ok(plan.title.zh.includes('1 张，¥12,880.00'));
  });

  it('lists only a sample of a large run and binds all of it by digest', () => {
    const many = Array.from({ length: 620 }, (_, i) => diagnosed(i + 1));
    const summaries = [0, 1, 2, 3].map((b) => summarise(b + 1, many.slice(b * 155, (b + 1) * 155), 125));
    const c = combine(summaries);
    const plan = planOf(c);
    assert.equal(plan.vouchers?.length, planListLimit);
    assert.ok(
      plan.findings.some(
        (f) => f.zh.includes(`仅列 ${planListLimit} 张`) && f.zh.includes(c.lists.resend.slice(0, 16)),
      ),
    );
    assert.deepEqual(plan.lists?.[0], {
      name: 'resend',
      count: 620,
      totalFen: c.resend.fen,
      digest: c.lists.resend,
    });
    // One voucher more or less in any batch changes what the approval binds to.
    const changed = combine([...summaries.slice(0, 3), summarise(4, many.slice(465, 619), 125)]);
    assert.notEqual(changed.lists.resend, c.lists.resend);
  });

  it('binds execution to the row state the plan saw', () => {
    assert.deepEqual(plannedOf(diagnosed(7)), {
      voucherNo: 'ZZ20261126ICBC0007',
      amountFen: 1_288_000,
      status: 'timed_out',
      updatedAt: base.updatedAt,
    });
    const a = summarise(1, [diagnosed(7)], 1);
    const b = summarise(1, [diagnosed(7, { updatedAt: '2026-11-27T01:00:00.000Z' })], 1);
    assert.notEqual(a.resendDigest, b.resendDigest);
  });

  it('splits sorted voucher numbers into ranges', () => {
    assert.deepEqual(batchesOf(['A1', 'A2', 'A3', 'A4', 'A5'], 2), [
      { first: 'A1', last: 'A2', count: 2 },
      { first: 'A3', last: 'A4', count: 2 },
      { first: 'A5', last: 'A5', count: 1 },
    ]);
  });
});

describe('how a resend ended, from its counts', () => {
  it('completed when every voucher was accepted or brought in line, with holds when some were not', () => {
    assert.equal(resentOutcome({ accepted: 3, aligned: 1 }), 'completed');
    assert.equal(resentOutcome({}), 'completed');
    assert.equal(resentOutcome({ accepted: 2, held: 1 }), 'completed-with-holds');
    assert.equal(leftForPeople({ accepted: 2, held: 1, 'rejected-again': 2 }), 3);
  });

  it('held when nothing took', () => {
    assert.equal(resentOutcome({ held: 2, 'rejected-again': 1 }), 'held');
  });

  it('a batch with nothing to do keeps its holds, with their amount', () => {
    const summary = {
      batch: 4,
      fen: 900,
      resend: { fen: 300 },
      align: { fen: 100 },
      holds: { 'no-answer': 1, 'manual-fix': 2 },
    } as unknown as BatchSummary;
    assert.deepEqual(heldOnly(summary), { batch: 4, counts: { held: 3 }, fen: { held: 500 }, results: [] });
    assert.deepEqual(addUp([{ held: 3 }, { held: 1, accepted: 2 }]), { held: 4, accepted: 2 });
  });
});
