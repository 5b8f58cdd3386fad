/**
 * Data fixes and their undo against the sandbox: bad input refused naming the field before
 * anything is recorded; a payee account that paid a voucher refused with the reason before
 * approval; vouchers stuck in `sent` fixed and undone — the rows back to their before-image, which
 * the journal keeps sealed; rows that moved after the approval stop the fix with nothing applied;
 * an undo after the rows moved refused, listing them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSealer } from '../../connectors/codec/sealed-json.ts';
import type { DataFixResult, DataFixUndoResult } from '../../domain/runbooks/data-fix.types.ts';
import { testPayloadKeys } from '../support/codec.ts';
import { approvedFix, rowsNow, startDataFixEstate, startFix } from '../support/data-fix.ts';
import type { TestEstate } from '../support/estate.ts';
import { refusedAsInvalidInput } from '../support/invalid-input.ts';
import { auditKinds, auditPayloads } from '../support/worker-lane.ts';

let estate: TestEstate;

before(async () => {
  estate = await startDataFixEstate();
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const inject = async (fault: string, bank: string, count?: number) =>
  (await estate.sandbox.faults.inject({ fault, bank, ...(count && { count }) })).details;

async function refusedAsInput(
  type: 'dataFix' | 'dataFixUndo',
  input: Record<string, unknown>,
  field: RegExp,
) {
  const started = await startFix(estate, type, input);
  await refusedAsInvalidInput(estate.site, started.id, started.result, field);
}

describe('data fix', () => {
  it('refuses a fix not in the catalog, a voucher that does not exist and an unknown fix id, naming the field', async () => {
    await refusedAsInput('dataFix', { fix: 'drop-table', params: {} }, /input\.fix: /);
    await refusedAsInput(
      'dataFix',
      { fix: 'voucher-status', params: { voucherNos: ['ZZ19990101NONE'], from: 'sent', to: 'timed_out' } },
      /input\.params\.voucherNos\[0\]: no voucher ZZ19990101NONE in the treasury database/,
    );
    await refusedAsInput(
      'dataFixUndo',
      { fixId: 'DF20261127-00000000' },
      /input\.fixId: no data fix DF20261127-00000000/,
    );
  });

  it('refuses to change the payee of a paid voucher, with the reason, before anyone is asked', async () => {
    // Another bank than the seeded one (which the seed of the day may have made 中国银行县支行).
    const { bank_name: seeded } = await estate.sandbox.treasury
      .selectFrom('payee_accounts')
      .select('bank_name')
      .where('id', '=', 'PA000001')
      .executeTakeFirstOrThrow();
    const { id, result, gate } = await approvedFix<DataFixResult>(estate, 'dataFix', {
      fix: 'payee-bank',
      params: {
        payeeAccountId: 'PA000001',
        bankName: seeded === '中国银行县支行' ? '中国工商银行县支行' : '中国银行县支行',
      },
    });
    assert.equal(result.outcome, 'refused');
    assert.match(
      result.problems.join('\n'),
      /PA000001 是已支付凭证 .* 的收款人：错误数据处理不改变已支付凭证的收款人/,
    );
    assert.equal(gate, undefined, 'no approval asked');
    assert.ok(!(await auditKinds(estate.site, id)).includes('mutation'));
  });

  it('fixes vouchers stuck in sent and undoes the fix: the rows as they were, the before-image sealed in the journal', async () => {
    const { vouchers } = (await inject('voucher-unpaid-at-close', 'ICBC', 2)) as { vouchers: string[] };
    const before = await rowsNow(estate, 'vouchers', 'voucher_no', vouchers);
    const fixed = await approvedFix<DataFixResult>(estate, 'dataFix', {
      fix: 'voucher-status',
      params: { voucherNos: vouchers, from: 'sent', to: 'timed_out' },
    });
    assert.equal(fixed.result.outcome, 'fixed', fixed.result.problems.join('; '));
    assert.deepEqual(
      fixed.gate?.plan.rows?.map((r) => [r.key, r.before.status, r.after.status]),
      [
        [vouchers[0], 'sent', 'timed_out'],
        [vouchers[1], 'sent', 'timed_out'],
      ],
    );
    const changed = await rowsNow(estate, 'vouchers', 'voucher_no', vouchers);
    assert.deepEqual(
      changed.map((r) => r.status),
      ['timed_out', 'timed_out'],
    );
    const journal = await estate.sandbox.treasury
      .selectFrom('data_fix_journal')
      .selectAll()
      .where('fix_id', '=', fixed.result.fixId)
      .executeTakeFirstOrThrow();
    assert.ok(!journal.before_image.includes(vouchers[0] as string), 'the before-image is sealed');
    assert.deepEqual(createSealer(testPayloadKeys()).open(journal.before_image), before);
    assert.equal((await auditPayloads(estate.site, fixed.id)).length, 1, 'one change recorded');

    const undone = await approvedFix<DataFixUndoResult>(estate, 'dataFixUndo', { fixId: fixed.result.fixId });
    assert.equal(undone.result.outcome, 'undone', JSON.stringify(undone.result.moved));
    assert.deepEqual(
      await rowsNow(estate, 'vouchers', 'voucher_no', vouchers),
      before,
      'every row as before the fix',
    );
    const again = await approvedFix<DataFixUndoResult>(estate, 'dataFixUndo', { fixId: fixed.result.fixId });
    assert.equal(again.result.outcome, 'already-undone');
  });

  it('stops with nothing applied when a row moves after the approval; done again, it fixes', async () => {
    const { voucherNo, receipts } = (await inject('receipt-registered-twice', 'ABC')) as {
      voucherNo: string;
      receipts: string[];
    };
    const input = { fix: 'receipt-duplicate', params: { voucherNo } };
    const moved = await approvedFix<DataFixResult>(estate, 'dataFix', input, async () => {
      await estate.sandbox.treasury
        .updateTable('receipts')
        .set({ register_error: '人工核对中' })
        .where('receipt_no', '=', receipts[1] as string)
        .execute();
    });
    assert.equal(moved.result.outcome, 'moved');
    assert.deepEqual(
      moved.result.moved.map((m) => [m.key, m.now?.register_error]),
      [[receipts[1], '人工核对中']],
    );
    assert.deepEqual(
      (await rowsNow(estate, 'receipts', 'voucher_no', [voucherNo])).map((r) => r.registered),
      [1, 1],
      'nothing applied',
    );
    const fixed = await approvedFix<DataFixResult>(estate, 'dataFix', input);
    assert.equal(fixed.result.outcome, 'fixed');
    assert.deepEqual(
      (await rowsNow(estate, 'receipts', 'voucher_no', [voucherNo])).map((r) => [r.receipt_no, r.registered]),
      [
        [receipts[0], 1],
        [receipts[1], 0],
      ],
    );
  });

  it('refuses an undo after the rows moved, listing the rows that moved', async () => {
    const { payeeAccountId, rightBankName } = (await inject('payee-bank-wrong', 'ICBC')) as {
      payeeAccountId: string;
      rightBankName: string;
    };
    const fixed = await approvedFix<DataFixResult>(estate, 'dataFix', {
      fix: 'payee-bank',
      params: { payeeAccountId, bankName: rightBankName },
    });
    assert.equal(fixed.result.outcome, 'fixed', fixed.result.problems.join('; '));
    assert.match(String(fixed.gate?.plan.rows?.[0]?.before.account_no), /^\*{4}\d{4}$/, 'the account masked');
    await estate.sandbox.treasury
      .updateTable('payee_accounts')
      .set({ version: 2 })
      .where('id', '=', payeeAccountId)
      .execute();
    const undo = await approvedFix<DataFixUndoResult>(estate, 'dataFixUndo', { fixId: fixed.result.fixId });
    assert.equal(undo.result.outcome, 'moved');
    assert.equal(undo.gate, undefined, 'refused before approval');
    assert.deepEqual(
      undo.result.moved.map((m) => [m.key, m.now?.version, m.now?.bank_name]),
      [[payeeAccountId, 2, rightBankName]],
    );
    assert.equal(
      (await rowsNow(estate, 'payee_accounts', 'id', [payeeAccountId]))[0]?.bank_name,
      rightBankName,
    );
  });
});
