/**
 * The data fixes' pure parts: each fix's preview over rows as read, the rules every fix obeys (a
 * paid voucher's payee never changed, no payee account number or name ever changed or shown), the
 * input refused naming its field, and the plan's statement bound to the very rows previewed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkInput } from '../../domain/errors.ts';
import { fixTables, rowDigest, type Row } from '../../domain/data-fixes/fix-tables.ts';
import { dataFixes, dataFixNames } from '../../domain/data-fixes/fixes.ts';
import { fixCommand, previewFix, type PayeeVoucher } from '../../domain/data-fixes/preview.ts';
import { dataFixPlan } from '../../domain/runbooks/data-fix.plan.ts';
import { dataFixInputSchema } from '../../domain/runbooks/data-fix.types.ts';

const ctx = { fixId: 'DF20261127-0a1b2c3d', at: '2026-11-27T06:00:00.000Z' };

const voucher = (no: string, status: string): Row => ({
  ...Object.fromEntries(fixTables.vouchers.columns.map((c) => [c, null])),
  voucher_no: no,
  bank_code: 'ICBC',
  amount_fen: 120_000,
  payee_account_id: 'PA000001',
  status,
  sent_at: '2026-11-27T01:00:00.000Z',
  updated_at: '2026-11-27T01:00:00.000Z',
});
const payee: Row = {
  id: 'PAX1',
  account_no: '6222020110008801234',
  account_name: '县第一实验小学',
  bank_name: '中国农业银行县支行',
  version: 1,
};
const receipt = (no: string, registered: number, at: string | null, amount = 120_000): Row => ({
  receipt_no: no,
  bank_code: 'ABC',
  voucher_no: 'V1',
  amount_fen: amount,
  paid_date: '2026-11-26',
  received_at: '2026-11-26T08:00:00.000Z',
  registered,
  registered_at: at,
  register_error: null,
});
const paying = (no: string, status: string): PayeeVoucher => ({
  voucherNo: no,
  payeeAccountId: 'PAX1',
  status,
});

describe('data fix previews', () => {
  it('a voucher stuck in sent: every row before and after, one in another status refused by name', () => {
    const params = { voucherNos: ['V1', 'V2'], from: 'sent', to: 'timed_out' };
    const ok = previewFix('voucher-status', params, [voucher('V1', 'sent'), voucher('V2', 'sent')], [], ctx);
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.rows[0]?.after, {
      status: 'timed_out',
      failure_code: null,
      failure_reason: `错误数据处理 ${ctx.fixId}：sent → timed_out`,
      updated_at: ctx.at,
    });
    assert.equal(ok.rows[0]?.before.status, 'sent');
    assert.equal(ok.rows[0]?.beforeDigest, rowDigest('vouchers', voucher('V1', 'sent')));
    const mixed = previewFix(
      'voucher-status',
      params,
      [voucher('V1', 'sent'), voucher('V2', 'paid')],
      [],
      ctx,
    );
    assert.deepEqual(mixed.problems, ['凭证 V2 当前状态为 paid，不是 sent']);
  });

  it('a payee account of a paid voucher, or of one at the bank, is refused with the reason', () => {
    const params = { payeeAccountId: 'PAX1', bankName: '中国工商银行县支行' };
    const paid = previewFix(
      'payee-bank',
      params,
      [payee],
      [paying('V1', 'draft'), paying('V9', 'paid')],
      ctx,
    );
    assert.match(
      paid.problems.join('\n'),
      /PAX1 是已支付凭证 V9 的收款人：错误数据处理不改变已支付凭证的收款人/,
    );
    const sent = previewFix('payee-bank', params, [payee], [paying('V3', 'sent')], ctx);
    assert.match(sent.problems.join('\n'), /凭证 V3（sent） 已发往银行/);
    const unsent = previewFix(
      'payee-bank',
      params,
      [payee],
      [paying('V1', 'draft'), paying('V2', 'rejected')],
      ctx,
    );
    assert.deepEqual(unsent.problems, []);
    assert.deepEqual(unsent.rows[0]?.after, { bank_name: '中国工商银行县支行' });
    assert.equal(unsent.rows[0]?.before.account_no, '****1234', 'the account number masked');
    assert.equal(unsent.rows[0]?.before.account_name, '县******', 'the name masked');
  });

  it('a receipt registered twice: the later registration undone, the first kept; one registration is no duplicate', () => {
    const rows = [receipt('R1', 1, '2026-11-26T09:00:00Z'), receipt('R1R', 1, '2026-11-26T10:00:00Z')];
    const dup = previewFix('receipt-duplicate', { voucherNo: 'V1' }, rows, [], ctx);
    assert.deepEqual(
      dup.rows.map((r) => [r.key, r.after.registered, r.after.register_error]),
      [['R1R', 0, `重复登记，保留回单 R1（错误数据处理 ${ctx.fixId}）`]],
    );
    assert.equal(dup.untouched, 1);
    const single = previewFix('receipt-duplicate', { voucherNo: 'V1' }, rows.slice(0, 1), [], ctx);
    assert.deepEqual(single.problems, ['凭证 V1 的已登记回单只有 1 张：没有重复登记']);
    const differ = [receipt('R1', 1, 'a'), receipt('R2', 1, 'b', 99)];
    assert.match(
      previewFix('receipt-duplicate', { voucherNo: 'V1' }, differ, [], ctx).problems.join(),
      /金额不同/,
    );
  });

  it('no fix in the catalog changes a payee account number or name', () => {
    for (const name of dataFixNames) {
      const table = dataFixes[name].table;
      assert.ok(
        !['account_no', 'account_name'].some((c) =>
          dataFixes[name].sql(exampleParams[name] as never).includes(c),
        ),
        `${name} (${table})`,
      );
    }
  });

  it('the plan binds the statement to the rows previewed, and shows no plain account number', () => {
    const params = { payeeAccountId: 'PAX1', bankName: '中国工商银行县支行' };
    const preview = previewFix('payee-bank', params, [payee], [], ctx);
    const plan = dataFixPlan({ fixId: ctx.fixId, preview, params, reason: '工单 1127' });
    assert.equal(plan.actions[0]?.command, fixCommand('payee-bank', params, ctx.fixId, preview.rows));
    assert.ok(!JSON.stringify(plan).includes('6222020110008801234'));
    assert.ok(!JSON.stringify(plan).includes('县第一实验小学'));
    const moved = previewFix('payee-bank', params, [{ ...payee, version: 2 }], [], ctx);
    assert.notEqual(fixCommand('payee-bank', params, ctx.fixId, moved.rows), plan.actions[0]?.command);
  });
});

const exampleParams = {
  'voucher-status': { voucherNos: ['V1'], from: 'sent', to: 'timed_out' },
  'payee-bank': { payeeAccountId: 'PAX1', bankName: 'x' },
  'receipt-duplicate': { voucherNo: 'V1' },
} as const;

describe('data fix input', () => {
  const base = { requestedBy: 'zhang.san', reason: '工单' };
  const problems = (input: unknown) => {
    const checked = checkInput(dataFixInputSchema, input);
    return checked.ok ? [] : checked.problems;
  };

  it('a fix not in the catalog is refused naming the field', () => {
    assert.match(problems({ ...base, fix: 'drop-table', params: {} }).join('\n'), /^input\.fix: /);
  });

  it("a fix's parameters are checked by the fix, each problem named", () => {
    assert.deepEqual(
      problems({
        ...base,
        fix: 'voucher-status',
        params: { voucherNos: ['ZZ0001A'], from: 'sent', to: 'draft' },
      }),
      ['input.params.to: a voucher stuck in sent is fixed to timed_out or accepted, not draft'],
    );
    assert.deepEqual(
      problems({ ...base, fix: 'receipt-duplicate', params: { voucherNo: 'ZZ0001A', bankName: 'x' } }),
      ['input.params.bankName: not a parameter of the receipt-duplicate fix'],
    );
    assert.match(
      problems({ ...base, fix: 'payee-bank', params: {} }).join('\n'),
      /input\.params\.payeeAccountId/,
    );
  });
});
