/**
 * A bank's voucher field rule set chosen from the site file (`banks[].voucherRules`, also in the
 * files of banks added at run time), refused when misnamed, applied by the resend activities
 * against a real SQLite treasury database, and named in the plans an approver reads.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { stringify } from 'yaml';
import { createBankRegistryActivities } from '../../activities/bank-registry.ts';
import { liveBanks } from '../../activities/site-lookup.ts';
import { createVoucherActivities } from '../../activities/vouchers.ts';
import { openSqlite, type TreasuryDb } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import { parseInput } from '../../domain/errors.ts';
import { newBankOf } from '../../domain/runbooks/add-agent-bank.plan.ts';
import { addAgentBankInputSchema } from '../../domain/runbooks/add-agent-bank.types.ts';
import { combine, manualFixPlan, resendPlan, summarise } from '../../domain/runbooks/voucher-resend.plan.ts';
import type { DiagnosedVoucher } from '../../domain/runbooks/voucher-resend.types.ts';
import { rulesFor } from '../../domain/vouchers/field-rules.ts';
import { voucherRulesOf } from '../../domain/vouchers/rule-sets.ts';
import {
  defaultSiteFile,
  loadSite,
  parseSite,
  SiteConfigError,
  type SiteConfig,
} from '../../temporal.config.ts';

let dir: string;
let db: TreasuryDb;
const at = '2026-11-27T08:00:00.000Z';
const sandboxText = readFileSync(defaultSiteFile, 'utf8');

/** The sandbox site with its own added-banks folder, after `edit` of the YAML text. */
function site(
  edit: (text: string) => string = (t) => t,
  addedBanksDir = join(dir, 'added-banks'),
): SiteConfig {
  const text = edit(sandboxText).replace(/^addedBanksDir: .*$/m, `addedBanksDir: ${addedBanksDir}`);
  return parseSite(text, join(dir, 'site.yaml'));
}

/** The bank entry of `code` in the sandbox text, with its `voucherRules` line replaced (or removed). */
function withRules(code: string, rules: string | null) {
  return (text: string) =>
    text.replace(
      new RegExp(`(  - code: ${code}\\n(?:    .*\\n)*?)    voucherRules: .*\\n`),
      (_, entry: string) => `${entry}${rules === null ? '' : `    voucherRules: ${rules}\n`}`,
    );
}

const noRules = (text: string) => text.replace(/^ {4}voucherRules: .*\n/gm, '');

function siteError(fn: () => unknown): SiteConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SiteConfigError, String(err));
    return err;
  }
  assert.fail('expected a SiteConfigError');
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jincai-rules-'));
  db = await openSqlite(join(dir, 'treasury.db'));
  await createTreasurySchema(db);
  // A 20-digit account: within the standard's 10–25 digits, beyond the rural banks' 12–19.
  await db
    .insertInto('payee_accounts')
    .values({
      id: 'PA-RULES-1',
      account_no: '62220201100088001234',
      account_name: '县宏达建筑工程有限公司',
      bank_name: '中国工商银行县支行',
      version: 1,
    })
    .execute();
  await db
    .insertInto('vouchers')
    .values(
      ['ICBC', 'RCB', 'HXB'].map((bank) => ({
        voucher_no: `ZZ20261126${bank}9001`,
        fiscal_year: 2026,
        bank_code: bank,
        pay_type: 'direct' as const,
        amount_fen: 1_288_000,
        payee_account_id: 'PA-RULES-1',
        budget_unit_code: '101001',
        subject_code: '2010101',
        status: 'rejected' as const,
        business_date: '2026-11-26',
        submitted_at: at,
        sent_at: at,
        accepted_at: null,
        paid_at: null,
        serial_no: 1,
        failure_code: 'E_ACCOUNT_FORMAT',
        failure_reason: null,
        updated_at: at,
      })),
    )
    .execute();
});
after(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('a bank rule set from the site file', () => {
  it('is named for each sandbox bank, and the default for its code applies when none is named', () => {
    const sandbox = loadSite(defaultSiteFile);
    assert.deepEqual(
      sandbox.banks.map((b) => [b.code, b.voucherRules]),
      [
        ['ICBC', 'standard'],
        ['ABC', 'standard'],
        ['BOC', 'standard'],
        ['CCB', 'standard'],
        ['RCB', 'rural-commercial'],
      ],
    );
    const bare = site(noRules);
    assert.ok(bare.banks.every((b) => b.voucherRules === undefined));
    // Naming them changes nothing: the sandbox's explicit names are its defaults.
    for (const b of bare.banks) {
      const named = sandbox.banks.find((s) => s.code === b.code);
      assert.equal(voucherRulesOf(b), named?.voucherRules, b.code);
      assert.equal(rulesFor(b.code, b.voucherRules).name, named?.voucherRules, b.code);
    }
  });

  it('overrides the default for the bank code', () => {
    const s = site(withRules('RCB', 'standard'));
    const rcb = s.banks.find((b) => b.code === 'RCB');
    assert.equal(rcb?.voucherRules, 'standard');
    assert.equal(rulesFor('RCB', rcb?.voucherRules).name, 'standard');
    assert.equal(rulesFor('RCB').name, 'rural-commercial');
  });

  it('refuses an unknown name naming the path and the names allowed', () => {
    const err = siteError(() => site(withRules('RCB', 'lenient')));
    assert.deepEqual(
      err.problems.filter((p) => p.includes('voucherRules')),
      ['banks[4].voucherRules: unknown rule set "lenient"; expected one of standard, rural-commercial'],
    );
    assert.match(err.message, /site\.yaml/);
  });

  it('refuses an unknown name in an added bank file, at start and when read live', () => {
    const added = join(dir, `added-${randomUUID().slice(0, 8)}`);
    mkdirSync(added);
    const entry = { code: 'HXB', name: '华夏银行', frontEnd: { host: '10.2.3.4', port: 1414 } };
    writeFileSync(join(added, 'HXB.yaml'), stringify({ ...entry, voucherRules: 'strict' }));
    const err = siteError(() => site(undefined, added));
    assert.ok(
      err.problems.includes(
        'banks[5].voucherRules: unknown rule set "strict"; expected one of standard, rural-commercial',
      ),
      err.message,
    );
    // A worker already running reads the folder on each look-up.
    const running = site();
    const live = { ...running, addedBanksDir: added };
    assert.throws(
      () => liveBanks(live),
      (e: unknown) =>
        e instanceof ApplicationFailure &&
        e.type === 'ConfigurationError' &&
        /addedBanksDir\/HXB\.yaml: voucherRules: unknown rule set "strict"; expected one of standard, rural-commercial/.test(
          e.message,
        ),
    );
    writeFileSync(join(added, 'HXB.yaml'), stringify({ ...entry, voucherRules: 'rural-commercial' }));
    assert.equal(liveBanks(live).find((b) => b.code === 'HXB')?.voucherRules, 'rural-commercial');
  });
});

describe('the resend activities use the chosen rule set', () => {
  const inspect = (s: SiteConfig, bank: string) =>
    createVoucherActivities({ db, site: s, now: () => new Date(at) }).inspectFailedVouchers({
      bank,
      since: '2026-11-01',
      staleSentBefore: at,
    });

  it('checks the same record by the default, then by the rule set the site names', async () => {
    const [byDefault] = await inspect(site(noRules), 'ICBC');
    assert.equal(byDefault?.ruleSet, 'standard');
    assert.deepEqual(byDefault?.fields, { ok: true });

    const [configured] = await inspect(site(withRules('ICBC', 'rural-commercial')), 'ICBC');
    assert.equal(configured?.ruleSet, 'rural-commercial');
    assert.ok(configured && !configured.fields.ok && !configured.fields.fixable);
    assert.deepEqual(
      configured.fields.problems.map((p) => [p.field, p.message]),
      [['payeeAccountNo', '须为 12–19 位数字']],
    );

    const [rcb] = await inspect(site(withRules('RCB', 'standard')), 'RCB');
    assert.equal(rcb?.ruleSet, 'standard');
    assert.deepEqual(rcb?.fields, { ok: true });
  });

  it('normalises only as the plan showed, even if the rule set was changed meanwhile', async () => {
    // 78 characters: the rural banks' rules shorten it to 30, the standard's to 60.
    const longName = `中国工商银行${'县城关镇人民路支行营业部'.repeat(6)}`;
    await db
      .updateTable('payee_accounts')
      .set({ bank_name: longName })
      .where('id', '=', 'PA-RULES-1')
      .execute();
    try {
      const rural = site(withRules('ICBC', 'rural-commercial'));
      const [planned] = await inspect(rural, 'ICBC');
      assert.ok(planned && !planned.fields.ok);
      const fixes = planned.fields.fixes.filter((f) => f.field === 'payeeBankName');
      assert.equal(fixes.length, 1);
      // The site file switched to the standard before execution: not what was approved, left alone.
      const standard = createVoucherActivities({ db, site: site(withRules('ICBC', 'standard')) });
      assert.deepEqual(
        (await standard.normalisePayeeFields({ bank: 'ICBC', fixes, proof: undefined })).map((r) => r.result),
        ['changed'],
      );
      const applied = createVoucherActivities({ db, site: rural });
      assert.deepEqual(
        (await applied.normalisePayeeFields({ bank: 'ICBC', fixes, proof: undefined })).map((r) => r.result),
        ['applied'],
      );
      const row = await db
        .selectFrom('payee_accounts')
        .select('bank_name')
        .where('id', '=', 'PA-RULES-1')
        .executeTakeFirstOrThrow();
      assert.equal(row.bank_name, [...longName].slice(0, 30).join(''));
    } finally {
      await db
        .updateTable('payee_accounts')
        .set({ bank_name: '中国工商银行县支行' })
        .where('id', '=', 'PA-RULES-1')
        .execute();
    }
  });

  it('an added bank carries the rule set its add-agent-bank input named', async () => {
    const added = join(dir, `added-${randomUUID().slice(0, 8)}`);
    const s = site(undefined, added);
    const raw = {
      code: 'HXB',
      name: '华夏银行',
      frontEnd: { host: '10.2.3.4', port: 1414 },
      requestedBy: 'zhang.san',
    };
    assert.throws(
      () => parseInput(addAgentBankInputSchema, { ...raw, voucherRules: 'lenient' }),
      /input\.voucherRules: unknown rule set "lenient"; expected one of standard, rural-commercial/,
    );
    const bank = newBankOf(parseInput(addAgentBankInputSchema, { ...raw, voucherRules: 'rural-commercial' }));
    const registry = createBankRegistryActivities({ site: s });
    const file = await registry.renderBankFile({ bank, workflowId: 'add-agent-bank/HXB' });
    assert.match(file.content, /^voucherRules: rural-commercial$/m);
    await registry.registerBank({ proof: undefined, code: 'HXB', ...file });
    assert.equal(liveBanks(s).find((b) => b.code === 'HXB')?.voucherRules, 'rural-commercial');
    const [hxb] = await inspect(s, 'HXB');
    assert.equal(hxb?.ruleSet, 'rural-commercial');
    assert.equal(hxb?.fields.ok, false);

    // Without the field, the file has none and the bank gets the default for its code.
    const plain = newBankOf(parseInput(addAgentBankInputSchema, raw));
    assert.equal('voucherRules' in plain, false);
    assert.doesNotMatch(
      (await registry.renderBankFile({ bank: plain, workflowId: 'x' })).content,
      /voucherRules/,
    );
  });
});

describe('the plans name the rule set', () => {
  const diagnosed = (ruleSet: string): DiagnosedVoucher => ({
    voucherNo: 'ZZ20261126RCB0001',
    amountFen: 1_288_000,
    status: 'rejected',
    businessDate: '2026-11-26',
    updatedAt: at,
    sentAt: at,
    failureCode: 'E_ACCOUNT_FORMAT',
    payeeId: 'PA000001',
    payee: { name: '县**********司', account: '****1234' },
    staleBaseData: [],
    fields: {
      ok: false,
      fixable: false,
      fixes: [],
      problems: [{ field: 'payeeAccountNo', message: '须为 12–19 位数字' }],
    },
    ruleSet,
    voiding: false,
    causes: ['fields'],
    answer: {
      queryId: 'q0123-0',
      answeredAt: '2026-11-27T01:00:00.000Z',
      voucherNo: 'ZZ20261126RCB0001',
      known: false,
    },
    disposition: { kind: 'resend', causes: ['fields'] },
  });
  const bank = { code: 'RCB', name: '县农村商业银行' };

  it('in the resend plan and the manual-fix question', () => {
    const c = combine([summarise(1, [diagnosed('rural-commercial')], 10)]);
    assert.deepEqual(c.ruleSets, ['rural-commercial']);
    const plan = resendPlan({ bank, ...c, baseData: [] });
    const finding = plan.findings.find((f) => f.zh.startsWith('凭证要素校验规则'));
    assert.equal(
      finding?.zh,
      '凭证要素校验规则：rural-commercial（农商行核心系统：账号 12–19 位数字，户名 ≤ 40 字，开户行 ≤ 30 字）',
    );
    assert.match(finding?.en ?? '', /rule set rural-commercial \(rural commercial banks/);
    const manual = manualFixPlan(bank, [diagnosed('rural-commercial')]);
    assert.equal(manual.findings[0]?.zh, finding?.zh);
  });

  it('every rule set when the site file changed between batches', () => {
    const c = combine([
      summarise(2, [diagnosed('standard')], 10),
      summarise(1, [diagnosed('rural-commercial')], 10),
    ]);
    assert.deepEqual(c.ruleSets, ['rural-commercial', 'standard']);
    const plan = resendPlan({ bank, ...c, baseData: [] });
    assert.ok(
      plan.findings.some(
        (f) => f.zh.includes('rural-commercial（') && f.zh.includes('；standard（国库集中支付接口标准'),
      ),
    );
  });
});
