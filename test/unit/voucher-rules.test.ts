import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkVoucherFields,
  normalisedValue,
  rulesFor,
  toHalfWidth,
  voucherRuleSets,
  type VoucherFields,
} from '../../domain/vouchers/field-rules.ts';

const good: VoucherFields = {
  payeeAccountNo: '6222020110008800123',
  payeeAccountName: '县宏达建筑工程有限公司',
  payeeBankName: '中国工商银行县支行',
  amountFen: 1_288_000,
};

describe('voucher field rules', () => {
  it('chooses the rule set by bank, with a default, and refuses an unknown configured name', () => {
    assert.equal(rulesFor('ICBC').name, 'standard');
    assert.equal(rulesFor('RCB').name, 'rural-commercial');
    assert.equal(rulesFor('ICBC', 'rural-commercial').name, 'rural-commercial');
    assert.throws(() => rulesFor('ICBC', 'lenient'), /voucherRules: unknown rule set "lenient"/);
  });

  it('passes a standard voucher', () => {
    assert.deepEqual(checkVoucherFields(good, voucherRuleSets.standard), { ok: true });
  });

  it('fixes spaces and hyphens in an account number', () => {
    const check = checkVoucherFields(
      { ...good, payeeAccountNo: '6222-0201 1000-88' },
      voucherRuleSets.standard,
    );
    assert.deepEqual(check, {
      ok: false,
      fixable: true,
      fixes: [
        {
          field: 'payeeAccountNo',
          kinds: ['whitespace'],
          before: '6222-0201 1000-88',
          after: '62220201100088',
        },
      ],
    });
  });

  it('turns full-width digits and spaces half-width', () => {
    assert.equal(toHalfWidth('６２２２\u3000０２０１'), '6222 0201');
    const check = checkVoucherFields(
      {
        ...good,
        payeeAccountNo: '６２２２０２０１１０００８８',
        payeeAccountName: '\u3000县宏达建筑工程有限公司 ',
      },
      voucherRuleSets.standard,
    );
    assert.equal(check.ok, false);
    assert.ok(!check.ok && check.fixable);
    assert.deepEqual(!check.ok && check.fixes.map((f) => [f.field, f.kinds, f.after]), [
      ['payeeAccountNo', ['full-width'], '62220201100088'],
      ['payeeAccountName', ['full-width', 'whitespace'], '县宏达建筑工程有限公司'],
    ]);
  });

  it('shortens only the fields a bank lets finance shorten', () => {
    const longBank = '中国工商银行股份有限公司某某省某某市某某县城关镇人民路支行营业部第一分理处';
    const check = checkVoucherFields(
      { ...good, payeeBankName: longBank },
      voucherRuleSets['rural-commercial'],
    );
    assert.ok(!check.ok && check.fixable);
    assert.equal(!check.ok && check.fixes[0]?.after, [...longBank].slice(0, 30).join(''));
    assert.deepEqual(!check.ok && check.fixes[0]?.kinds, ['length']);

    const longName = '县'.repeat(45);
    const name = checkVoucherFields(
      { ...good, payeeAccountName: longName },
      voucherRuleSets['rural-commercial'],
    );
    assert.ok(!name.ok && !name.fixable, 'a payee name is never cut');
    assert.deepEqual(!name.ok && !name.fixable && name.problems.map((p) => p.field), ['payeeAccountName']);
  });

  it('leaves to a person what no normalisation makes valid', () => {
    const check = checkVoucherFields(
      { ...good, payeeAccountNo: '6222O2O1 1OOO88', amountFen: 0 },
      voucherRuleSets.standard,
    );
    assert.ok(!check.ok && !check.fixable);
    assert.deepEqual(!check.ok && !check.fixable && check.problems.map((p) => p.field).sort(), [
      'amountFen',
      'payeeAccountNo',
    ]);
  });

  it('applies the same rule set differently per bank', () => {
    const account = { ...good, payeeAccountNo: '62220201100088001234567' };
    assert.equal(checkVoucherFields(account, rulesFor('ICBC')).ok, true);
    assert.equal(checkVoucherFields(account, rulesFor('RCB')).ok, false);
  });

  it('recomputes a fix from the current value', () => {
    assert.equal(
      normalisedValue('payeeAccountNo', ' 6222 0201-1000 88 ', voucherRuleSets.standard),
      '62220201100088',
    );
    assert.equal(
      normalisedValue('payeeAccountNo', '62220201100088', voucherRuleSets.standard),
      '62220201100088',
    );
  });
});
