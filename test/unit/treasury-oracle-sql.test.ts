/**
 * What the treasury side would send an Oracle 12.1 server: the treasury DDL and the db-zone
 * activity factories run against the Oracle dialect over a recording driver (no Oracle server
 * runs here), every statement checked for what Oracle would refuse or silently undo. The
 * constructs rewritten for Oracle are also run against a real SQLite file, where results must
 * stay as they were.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CompiledQuery, Driver } from 'kysely';
import { createAccessActivities } from '../../activities/access.ts';
import { createBankCheckActivities } from '../../activities/bank-checks/index.ts';
import { createBankOnboardingDbActivities } from '../../activities/bank-onboarding-db.ts';
import { createBankQuestionActivities } from '../../activities/bank-questions.ts';
import { createDataFixActivities } from '../../activities/data-fix.ts';
import { createMessageSerialActivities } from '../../activities/message-serials.ts';
import { createTreasuryActivities } from '../../activities/treasury.ts';
import { createVoucherActivities, valueDigest } from '../../activities/vouchers.ts';
import { createYearEndBookActivities } from '../../activities/year-end-books.ts';
import { createYearEndChangeActivities } from '../../activities/year-end-changes.ts';
import { createYearEndNoticeActivities } from '../../activities/year-end-notices.ts';
import { calendarFromFiles } from '../../connectors/calendar/calendar-files.ts';
import { createSealer } from '../../connectors/codec/sealed-json.ts';
import { writeFinanceExtract } from '../../connectors/statements/finance-extract.ts';
import {
  autoCommitOutsideTransactions,
  openSqlite,
  type TreasuryDb,
} from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import { firstRows } from '../../connectors/treasury/portable.ts';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { maskAccount } from '../../domain/display.ts';
import { rulesFor, normalisedValue } from '../../domain/vouchers/field-rules.ts';
import { defaultSiteFile, parseSite } from '../../temporal.config.ts';
import { testPayloadKeys } from '../support/codec.ts';
import { oracle121Problems, oracleLike, type CannedAnswer } from '../support/oracle-like.ts';

const site = parseSite(
  readFileSync(defaultSiteFile, 'utf8').replace(/^addedBanksDir: .*\n/m, ''),
  defaultSiteFile,
);
const calendar = calendarFromFiles();
const at = '2026-11-27T08:00:00.000Z';
const now = () => new Date(at);
const bank = 'ICBC';
const spacedAccount = '6222 0201 1000 8800 1234';

/** One plausible row per table (join and aggregate columns included): what Oracle would answer. */
const tableRows: Record<string, Record<string, unknown>> = {
  vouchers: {
    voucher_no: '4201000001',
    bank_code: bank,
    pay_type: 'direct',
    amount_fen: 1_200_000,
    status: 'rejected',
    business_date: '2026-11-27',
    updated_at: at,
    sent_at: null,
    paid_at: null,
    failure_code: 'E_ACCOUNT_FORMAT',
    payee_account_id: 'PA-1',
    account_no: spacedAccount,
    account_name: '县宏达建筑工程有限公司',
    bank_name: '中国工商银行县支行',
    payee_version: 3,
    unit_version: 2,
    subject_version: 1,
    registered_receipt: null,
  },
  payee_accounts: {
    account_no: spacedAccount,
    account_name: '县宏达建筑工程有限公司',
    bank_name: '中国工商银行县支行',
  },
  base_data_versions: { kind: 'payee_account', version_current: 3, version_sent: 3, version_acked: 2 },
  bank_queries: {
    query_id: 'q-1',
    bank_code: bank,
    ref_no: '4201000001',
    status: 'answered',
    sent_at: at,
    answered_at: at,
    answer: JSON.stringify({ queryId: 'q-1', known: true, status: 'accepted', lastSerialAccepted: 41 }),
  },
  base_data_pushes: {
    push_id: 'p-1',
    kind: 'payee_account',
    version: 3,
    status: 'sent',
    answer_reason: null,
  },
  receipts: {
    receipt_no: 'R-1',
    bank_code: bank,
    voucher_no: '4201000009',
    amount_fen: 1_200_000,
    paid_date: '2026-11-26',
    received_at: at,
    registered: 0,
    registered_at: null,
    register_error: 'voucher unknown',
  },
  voucher_voids: {
    voucher_no: '4201000001',
    bank_code: bank,
    reason: '重复支付',
    status: 'sent',
    requested_at: at,
    sent_at: at,
    answered_at: null,
    answer_reason: null,
  },
  refunds: {
    refund_no: 'RF-1',
    bank_code: bank,
    voucher_no: '4201000001',
    amount_fen: 1_200_000,
    initiated_by: 'finance',
    status: 'sent',
    reason: '收款人账户已销户',
    requested_at: at,
    sent_at: at,
    notified_at: null,
    refund_date: null,
    match_error: null,
    matched_at: null,
  },
  bank_reports: {
    bank_code: bank,
    kind: 'daily_report',
    business_date: '2026-11-26',
    received_at: at,
    line_count: 12,
    total_fen: 9_000_000,
    content_digest: 'a'.repeat(64),
  },
  message_serials: { last_serial: 41 },
  message_log: {
    direction: 'out',
    kind: 'direct_payment',
    serial_no: 41,
    ref_no: '4201000001',
    created_at: at,
  },
  agent_banks: { name: '中国工商银行', active: 1, created_at: '2020-01-01T00:00:00.000Z' },
  quota_notices: {},
  budget_units: {},
  budget_subjects: {},
};
const aggregates = { n: 2, stale: 1, pending: 0, version: 3, records: 10 };
/** Single-column looks for a row by key: answered "none", so the activity goes on to insert. */
const lookups =
  /^select "(query_id|ref_no|status|name|kind|version|voucher_no)" from "(bank_queries|base_data_pushes|agent_banks|base_data_versions|voucher_voids)" where/;

/** The table a SELECT reads, with its subqueries taken out. */
function tableOf(sql: string): string | undefined {
  let flat = sql;
  for (let prev = ''; prev !== flat;) [prev, flat] = [flat, flat.replace(/\([^()]*\)/g, '')];
  return /\bfrom "(\w+)"/.exec(flat)?.[1];
}

function answer(sql: string): CannedAnswer {
  if (/^(insert|update|delete)\b/.test(sql)) return { numAffectedRows: 1n };
  if (!sql.startsWith('select')) return [];
  if (lookups.test(sql)) return [];
  const table = tableOf(sql);
  const row = table ? tableRows[table] : undefined;
  return row ? [{ ...aggregates, ...row }] : [];
}

function oracleTreasury(reply: (sql: string, parameters: readonly unknown[]) => CannedAnswer = answer) {
  return oracleLike<TreasuryDatabase>(reply, { wrapDriver: autoCommitOutsideTransactions });
}

type Captured = ReturnType<typeof oracleTreasury>['statements'];

function assertOracleClean(statements: Captured) {
  const problems = statements.flatMap((s) =>
    oracle121Problems(s).map(
      (p) => `${p}\n    in: ${s.sql.length > 300 ? `${s.sql.slice(0, 300)}…` : s.sql}`,
    ),
  );
  assert.deepEqual(problems, [], problems.join('\n'));
}

const matching = (statements: Captured, re: RegExp) => statements.filter((s) => re.test(s.sql));

describe('treasury SQL on Oracle 12.1', () => {
  it('DDL: VARCHAR2 in characters, NUMBER(19) amounts, an identity id; an existing object is left alone', async () => {
    const { db, statements } = oracleTreasury((sql) => {
      if (/^create (table|index) "(vouchers|vouchers_bank_date)"/.test(sql))
        throw new Error('ORA-00955: name is already used by an existing object');
      if (sql === 'drop index "vouchers_history_bank_day_no"')
        throw new Error('ORA-01418: specified index does not exist');
      return [];
    });
    await createTreasurySchema(db);
    assertOracleClean(statements);
    // The extract's indexes before they held its columns: dropped where an earlier release made them.
    assert.deepEqual(
      statements.filter((s) => s.sql.startsWith('drop index')).map((s) => s.sql),
      ['drop index "vouchers_bank_day_no"', 'drop index "vouchers_history_bank_day_no"'],
    );
    const create = (name: string) =>
      statements.find((s) => s.sql.startsWith(`create table "${name}" `))?.sql ?? '';
    assert.match(create('payee_accounts'), /"account_name" varchar2\(200 char\) not null/);
    assert.match(create('vouchers'), /"amount_fen" number\(19\) not null/);
    assert.match(create('message_log'), /"id" integer generated by default as identity primary key/);
    assert.match(create('bank_queries'), /"answer" clob[,)]/);
    assert.match(create('voucher_voids'), /"answer_reason" varchar2\(400 char\)/);
    // Every table and index is still created after the one that already existed.
    const created = statements.filter((s) => /^create (table|index)/.test(s.sql)).length;
    // … the payment system's own 18 + 9, the estate's six tables and one index, the voucher
    // history table with its index, the fiscal year's three tables and one index, the payee
    // fixes runbooks file, the upgrades' schema versions and statement journal, the
    // reconciliation results, the data fixes' journal, and the application systems' users, roles,
    // permissions, their two link tables and the access changes' journal.
    assert.equal(created, 18 + 9 + 7 + 2 + 4 + 1 + 2 + 1 + 1 + 6);
    assert.match(
      create('app_user_roles'),
      /constraint "app_user_roles_pk" primary key \("system", "user_id", "role"\)/,
    );
    assert.match(create('data_fix_journal'), /"row_changes" clob not null, "before_image" clob not null/);
    assert.match(create('payee_fixes'), /"fix_key" varchar2\(200 char\) primary key/);
    assert.match(
      create('reconciliations'),
      /"bank_amount_fen" number\(19\) not null.*"difference_file" varchar2\(1000 char\).*constraint "reconciliations_pk" primary key \("bank_code", "kind", "business_date"\)/,
    );
    assert.match(create('payroll_lines'), /"payee_name" varchar2\(100 char\) not null/);
    assert.match(create('vouchers_history'), /"amount_fen" number\(19\) not null/);
    assert.match(
      create('quota_year_notices'),
      /"lines" clob not null, "bank_line_count" integer, "bank_total_fen" number\(19\)/,
    );
    assert.match(
      statements.find((s) => s.sql.startsWith('create view'))?.sql ?? '',
      /^create view "quota_balances" \("fiscal_year", .*"cancelled_fen"\) as select .* group by "fiscal_year", "bank_code", "budget_unit_code"$/,
    );
  });

  it('traffic count: conditional counts without FILTER, one read-only snapshot', async () => {
    const { db, log, statements } = oracleTreasury((sql) =>
      sql.startsWith('select "bank_code", "pay_type"')
        ? [
            { bank_code: bank, pay_type: 'direct', status: 'sent', n: 3, stale: 0 },
            { bank_code: bank, pay_type: 'direct', status: 'pending_send', n: 2, stale: 1 },
            { bank_code: bank, pay_type: 'authorized', status: 'paid', n: 4, stale: 0 },
          ]
        : sql.startsWith('select "bank_code", count(*)')
          ? [{ bank_code: bank, n: 5, stale: 2, pending: 3 }]
          : answer(sql),
    );
    const traffic = await createTreasuryActivities({ db, site, calendar, now }).countTraffic({
      bank,
      date: '2026-11-27',
    });
    assertOracleClean(statements);
    assert.equal(log[0], '<begin>');
    assert.equal(log[1], 'SET TRANSACTION READ ONLY');
    assert.equal(matching(statements, /count\(case when/).length, 3);
    assert.equal(matching(statements, /count\(distinct "ref_no"\)/).length, 1);
    assert.equal(traffic.unsentBacklog, 1 + 2);
    const line = (kind: string) => traffic.lines.find((l) => l.kind === kind)?.expected;
    assert.equal(line('direct_payment'), 3);
    assert.equal(line('quota_notice'), 5 - 3);
    assert.equal(line('receipt'), 4);
  });

  it('voucher resend: FETCH FIRST, writes committed', async () => {
    const { db, statements } = oracleTreasury();
    const acts = createVoucherActivities({ db, site, now });
    const filter = { bank, since: '2026-11-01', staleSentBefore: at };
    const listed = await acts.listFailedVoucherBatches({ ...filter, batchSize: 10, max: 50 });
    assert.equal(listed.total, 1);
    const [failed] = await acts.inspectFailedVouchers({ ...filter, range: { first: '4201', last: '4202' } });
    assert.equal(failed?.payee.account, maskAccount(spacedAccount));
    await acts.pushBaseData({ bank, kinds: ['payee_account'], key: 'run-1', proof: undefined });
    const rules = rulesFor(bank, site.banks.find((b) => b.code === bank)?.voucherRules);
    const target = normalisedValue('payeeAccountNo', spacedAccount, rules);
    const applied = await acts.normalisePayeeFields({
      bank,
      proof: undefined,
      key: 'voucher-resend/ICBC/2026-11-27#ab12cd34/resend-1',
      fixes: [
        {
          payeeId: 'PA-1',
          field: 'payeeAccountNo',
          kinds: ['whitespace'],
          before: maskAccount(spacedAccount),
          after: maskAccount(target),
          beforeDigest: valueDigest(spacedAccount),
        },
      ],
    });
    assert.equal(applied[0]?.result, 'applied');
    await acts.requeueVouchers({
      bank,
      vouchers: [{ voucherNo: '4201000001', amountFen: 1_200_000, status: 'rejected', updatedAt: at }],
      list: { parts: [], index: 0, part: [] },
      proof: undefined,
    });
    assertOracleClean(statements);
    assert.match(matching(statements, /"v"\."voucher_no"/)[0]?.sql ?? '', /fetch first :\d+ rows only$/);
    // The fix and its filing commit together: a retry that finds the value in place knows it as its own.
    const fix = [
      ...matching(statements, /^update "payee_accounts"/),
      ...matching(statements, /^insert into "payee_fixes"/),
    ];
    assert.equal(fix.length, 2);
    assert.ok(fix.every((s) => s.inTransaction));
  });

  it('data fix: the rows read again locked (FOR UPDATE) and changed with the journal in one transaction', async () => {
    const { db, statements } = oracleTreasury();
    const acts = createDataFixActivities({ db, sealer: createSealer(testPayloadKeys()) });
    const request = {
      fix: 'voucher-status' as const,
      params: { voucherNos: ['4201000001'], from: 'rejected', to: 'draft' },
      fixId: 'DF20261127-0a1b2c3d',
      at,
    };
    const preview = await acts.previewDataFix(request);
    assert.deepEqual([preview.problems, preview.rows.length], [[], 1]);
    const rows = preview.rows.map(({ key, beforeDigest, afterDigest }) => ({
      key,
      beforeDigest,
      afterDigest,
    }));
    const applied = await acts.applyDataFix({ ...request, workflowId: 'data-fix/x', rows, proof: undefined });
    assert.equal(applied.outcome, 'applied');
    assertOracleClean(statements);
    const locked = matching(
      statements,
      /^select .* from "vouchers" where "voucher_no" in \(:1\) order by "voucher_no" for update$/,
    );
    assert.equal(locked.length, 1);
    assert.ok(locked.every((s) => s.inTransaction));
    const writes = matching(statements, /^(update "vouchers"|insert into "data_fix_journal")/);
    assert.equal(writes.length, 2);
    assert.ok(writes.every((s) => s.inTransaction && !s.autoCommit));
  });

  it('access change: the system read again locked (FOR UPDATE) and changed with the journal in one transaction', async () => {
    const access: Record<string, Record<string, unknown>[]> = {
      app_users: [
        { user_id: 'sys.admin', user_name: '周建国', status: 'active' },
        { user_id: 'li.chuna', user_name: '李娜', status: 'active' },
      ],
      app_roles: [
        { role: 'sys-admin', title: '系统管理员' },
        { role: 'cashier', title: '出纳' },
      ],
      app_permissions: [{ permission: 'system.admin' }, { permission: 'voucher.create' }],
      app_user_roles: [
        { user_id: 'sys.admin', role: 'sys-admin' },
        { user_id: 'li.chuna', role: 'cashier' },
      ],
      app_role_permissions: [
        { role: 'sys-admin', permission: 'system.admin' },
        { role: 'cashier', permission: 'voucher.create' },
      ],
    };
    const { db, statements } = oracleTreasury((sql) => {
      const table = sql.startsWith('select') ? tableOf(sql) : undefined;
      return table && table in access ? (access[table] ?? []) : answer(sql);
    });
    const acts = createAccessActivities({ db });
    const request = {
      users: [{ user: 'li.chuna', status: 'disabled' as const, grant: ['sys-admin'] }],
      roles: [],
    };
    const preview = await acts.previewAccessChange({ system: 'payment', request });
    assert.deepEqual([preview.missing, preview.problems, preview.entities.length], [[], [], 1]);
    const entities = preview.entities.map(({ key, beforeDigest, afterDigest }) => ({
      key,
      beforeDigest,
      afterDigest,
    }));
    const applied = await acts.applyAccessChange({
      system: 'payment',
      request,
      entities,
      changeId: 'access-change/payment/2026-11-27@run-1',
      at,
      proof: undefined,
    });
    assert.equal(applied.outcome, 'applied');
    assertOracleClean(statements);
    const locked = matching(
      statements,
      /^select .* from "app_(users|roles)" where "system" = :1 order by "\w+" for update$/,
    );
    assert.equal(locked.length, 2);
    assert.ok(locked.every((s) => s.inTransaction));
    const writes = matching(
      statements,
      /^(insert into "app_user_roles"|update "app_users"|insert into "access_change_journal")/,
    );
    assert.equal(writes.length, 3);
    assert.ok(writes.every((s) => s.inTransaction && !s.autoCommit));
  });

  it('bank checks: FETCH FIRST for receipts, voids and refunds', async () => {
    const { db, statements } = oracleTreasury();
    const acts = createBankCheckActivities({ db, site, calendar, now });
    const receipts = await acts.findUnregisteredReceipts({ bank, asOf: '2026-11-27', limit: 20 });
    assert.equal(receipts.receipts.length, 1);
    assert.equal((await acts.findOpenVoids({ bank, asOf: '2026-11-27' })).length, 1);
    assert.equal((await acts.findOpenRefunds({ bank, asOf: '2026-11-27' })).length, 1);
    await acts.readBankReports({ bank, date: '2026-11-26', kinds: ['daily_report', 'payment_list'] });
    const applied = await acts.applyMutation({
      proof: undefined,
      bank,
      mutation: { kind: 'confirm-void', voucherNo: '4201000001', bankAt: at },
    });
    assert.equal(applied.alreadyDone, false);
    assertOracleClean(statements);
    const limited = matching(statements, /^select \* from "(receipts|voucher_voids|refunds)"/);
    assert.equal(limited.length, 3);
    assert.ok(limited.every((s) => / fetch first :\d+ rows only$/.test(s.sql)));
  });

  it("reconciliation: the finance extract is one statement Oracle speaks, streamed, each row its file's line", async () => {
    const line = 'ZZ20261127ICBC00000001\t101001\t2050101\t1250000\tsent\n';
    // The site's driver streams through oracledb's result set (oracle-stream.ts): here, the canned rows.
    const streaming = (driver: Driver): Driver => ({
      ...driver,
      acquireConnection: async () => {
        const c = await driver.acquireConnection();
        return {
          executeQuery: (q) => c.executeQuery(q),
          async *streamQuery<R>(q: CompiledQuery) {
            yield await c.executeQuery<R>(q);
          },
        };
      },
    });
    const { db, statements } = oracleLike<TreasuryDatabase>(
      (sql) => (sql.startsWith('select') ? [{ line, voucher_no: 'ZZ20261127ICBC00000001' }] : []),
      { wrapDriver: (d) => autoCommitOutsideTransactions(streaming(d)) },
    );
    const dir = mkdtempSync(join(tmpdir(), 'jincai-oracle-extract-'));
    try {
      const file = join(dir, 'finance.lines');
      const input = { bank, kind: 'payment-detail', beginDate: '2026-11-27', endDate: '2026-11-27' } as const;
      assert.equal(await writeFinanceExtract(db, input, file), Buffer.byteLength(line));
      assert.equal(readFileSync(file, 'utf8'), line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assertOracleClean(statements);
    assert.equal(statements.length, 1);
    const [extract] = statements;
    assert.match(
      extract?.sql ?? '',
      /^select "v"\."voucher_no" \|\| :1 \|\| "v"\."budget_unit_code" \|\| :2 .* CAST\("v"\."amount_fen" AS INTEGER\) .* from "vouchers" "v" .* union all select .* from "vouchers_history" "v" .* order by 2$/,
    );
    assert.doesNotMatch(extract?.sql ?? '', /printf|char\(|case /);
  });

  it('questions to a bank: one INSERT per row in key order in one transaction, one already filed counted as filed', async () => {
    const { db, log, statements } = oracleTreasury((sql, parameters) => {
      // Another attempt of the same activity filed vc-2 a moment ago.
      if (sql.startsWith('insert into "bank_queries"') && parameters.includes('vc-2'))
        throw Object.assign(new Error('ORA-00001: unique constraint (TREASURY.SYS_C0012) violated'), {
          errorNum: 1,
        });
      return answer(sql);
    });
    const acts = createBankQuestionActivities({ db, site, now });
    const filed = await acts.askBank({
      bank,
      questions: [
        { queryId: 'vc-3', subject: 'refund', refundNo: 'RF-1' },
        { queryId: 'vc-1', subject: 'voucher', voucherNo: '4201000001' },
        { queryId: 'vc-2', subject: 'report', reportKind: 'daily_report', reportDate: '2026-11-26' },
      ],
    });
    assert.deepEqual(filed, { filed: 2 });
    await acts.countAnswers({ bank, prefix: 'vc-' });
    const [read] = await acts.readAnswers({ bank, prefix: 'q-' });
    assert.equal(read?.lastSerialAccepted, 41);
    assertOracleClean(statements);
    const inserts = matching(statements, /^insert into "bank_queries"/);
    assert.deepEqual(
      inserts.map((s) => s.parameters[0]),
      ['vc-1', 'vc-2', 'vc-3'],
    );
    assert.ok(inserts.every((s) => s.inTransaction && !s.autoCommit));
    assert.deepEqual(
      log.filter((l) => l.startsWith('<')),
      ['<begin>', '<commit>'],
    );
    // A failure that is not a row already there stops the filing, undone.
    const broken = oracleTreasury((sql) => {
      if (sql.startsWith('insert into "bank_queries"')) throw new Error('ORA-01400: cannot insert NULL');
      return answer(sql);
    });
    const q = { queryId: 'vc-9', subject: 'voucher' as const, voucherNo: 'V9' };
    await assert.rejects(
      createBankQuestionActivities({ db: broken.db, site, now }).askBank({ bank, questions: [q] }),
      /ORA-01400/,
    );
    assert.ok(broken.log.includes('<rollback>'));
  });

  it('message serials: the snapshot read, the last voucher sent and the realignment are committed', async () => {
    const { db, statements } = oracleTreasury();
    const acts = createMessageSerialActivities({ db, site, now });
    const state = await acts.readSerials({ bank });
    assert.equal(state.financeOut, 41);
    assert.equal(await acts.lastVoucherSent({ bank }), '4201000001');
    const realigned = await acts.realignOutgoingSerial({ proof: undefined, bank, from: 41, to: 40 });
    assert.equal(realigned.changed, true);
    assertOracleClean(statements);
    assert.ok(matching(statements, /^(insert|update)/).every((s) => s.autoCommit && !s.inTransaction));
  });

  it('adding a bank: registration, pushes and the test query each in one transaction', async () => {
    const { db, log, statements } = oracleTreasury();
    const acts = createBankOnboardingDbActivities({ db, now });
    const survey = await acts.surveyNewBankTreasury({ code: 'PSBC' });
    assert.equal(survey.baseData.payee_account.records, 10);
    await acts.registerAgentBank({
      proof: undefined,
      code: 'PSBC',
      name: '中国邮政储蓄银行',
      versions: [{ kind: 'payee_account', version: 3 }],
    });
    await acts.requestOnboardingPushes({
      proof: undefined,
      code: 'PSBC',
      pushes: [{ pushId: 'add-bank/PSBC/payee_account', kind: 'payee_account', version: 3, records: 10 }],
    });
    await acts.requestOnboardingTestQuery({
      proof: undefined,
      code: 'PSBC',
      query: { subject: 'voucher', queryId: 'ab-PSBC-1', voucherNo: 'TEST-PSBC-1' },
    });
    assertOracleClean(statements);
    assert.equal(log.filter((l) => l === '<commit>').length, 3);
    assert.equal(matching(statements, /^insert into "bank_queries"/)[0]?.inTransaction, true);
  });

  it('year-end: the books in one read-only snapshot, notices and changes each committed', async () => {
    const { db, log, statements } = oracleTreasury();
    const books = createYearEndBookActivities({ db, site });
    const notices = createYearEndNoticeActivities({ db, site, now });
    const changes = createYearEndChangeActivities({ db, site, now });
    await books.fiscalYearState({ fiscalYear: 2026 });
    await books.yearEndBookChecks({ fiscalYear: 2026, banks: [bank] });
    assert.ok(log.includes('SET TRANSACTION READ ONLY'));
    for (const kind of ['cancellation', 'restoration'] as const) {
      const planned = await notices.planQuotaNotices({ fiscalYear: 2026, banks: [bank], kind });
      await notices.fileQuotaNotices({ notices: planned, proof: undefined });
    }
    await notices.remindYearEndNotice({ noticeId: 'YE2026-ZX-ICBC', pushIds: ['p-1'] });
    await notices.awaitYearEndAnswer({ noticeId: 'YE2026-ZX-ICBC', pushIds: ['p-1'], waitSeconds: 0 });
    const unpaid = await changes.unpaidVouchers({ fiscalYear: 2026, banks: [bank] });
    await changes.freezeFiscalYear({ fiscalYear: 2026, proof: undefined });
    await changes.carryOverVouchers({
      fiscalYear: 2026,
      policy: 'return',
      items: unpaid.items,
      proof: undefined,
    });
    const newYear = await changes.newYearSetup({ banks: [bank] });
    await changes.prepareNewYear({ fiscalYear: 2026, banks: newYear, proof: undefined });
    await changes.openFiscalYear({ fiscalYear: 2026, openDate: '2027-01-04', proof: undefined });
    assertOracleClean(statements);
    assert.ok(
      matching(statements, /^update "(fiscal_years|quotas|vouchers|quota_year_notices)"/).every(
        (s) => s.autoCommit,
      ),
    );
    assert.equal(matching(statements, /^insert into "message_serial_years"/).length, 2);
  });

  it('outside a transaction a statement commits itself; inside one it waits for the commit', async () => {
    const { db, statements } = oracleTreasury();
    await db.updateTable('agent_banks').set({ active: 0 }).where('code', '=', 'X').execute();
    await db
      .transaction()
      .execute((trx) => trx.updateTable('agent_banks').set({ active: 1 }).where('code', '=', 'X').execute());
    assert.deepEqual(
      statements.map((s) => [s.inTransaction, s.autoCommit]),
      [
        [false, true],
        [true, false],
      ],
    );
  });
});

describe('the same treasury SQL on SQLite', () => {
  let dir: string;
  let db: TreasuryDb;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jincai-treasury-portable-'));
    db = await openSqlite(join(dir, 'treasury.db'));
    await createTreasurySchema(db);
  });
  after(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('firstRows is LIMIT on SQLite', async () => {
    const q = db.selectFrom('vouchers').select('voucher_no').orderBy('voucher_no').$call(firstRows(db, 5));
    assert.match(q.compile().sql, / limit \?$/);
  });

  it('traffic count: the conditional counts give what FILTER gave', async () => {
    const old = '2026-11-27T07:00:00.000Z';
    const recent = '2026-11-27T07:59:00.000Z';
    const voucher = (no: string, status: string, submitted: string, payType = 'direct') => ({
      voucher_no: no,
      fiscal_year: 2026,
      bank_code: 'CCB',
      pay_type: payType as 'direct',
      amount_fen: 100,
      payee_account_id: 'PA-1',
      budget_unit_code: 'BU-1',
      subject_code: 'S-1',
      status: status as 'sent',
      business_date: '2026-11-27',
      submitted_at: submitted,
      updated_at: submitted,
    });
    await db
      .insertInto('vouchers')
      .values([
        voucher('T1', 'pending_send', old),
        voucher('T2', 'pending_send', recent),
        voucher('T3', 'sent', old),
        voucher('T4', 'paid', old, 'authorized'),
      ])
      .execute();
    const notice = (no: string, status: string, submitted: string) => ({
      notice_no: no,
      quota_id: 'Q-1',
      bank_code: 'CCB',
      amount_fen: 100,
      status: status as 'sent',
      business_date: '2026-11-27',
      submitted_at: submitted,
    });
    await db
      .insertInto('quota_notices')
      .values([
        notice('N1', 'pending_send', old),
        notice('N2', 'pending_send', recent),
        notice('N3', 'sent', old),
      ])
      .execute();
    // T3 went out twice (a resend) and T4's receipt came in: each counts once.
    const logged = (
      direction: 'out' | 'in',
      kind: 'direct_payment' | 'receipt',
      ref: string,
      serial: number,
    ) => ({
      bank_code: 'CCB',
      direction,
      kind,
      business_date: '2026-11-27',
      serial_no: serial,
      ref_no: ref,
      msg_id: `M-${serial}`,
      created_at: old,
    });
    for (const row of [
      logged('out', 'direct_payment', 'T3', 1),
      logged('out', 'direct_payment', 'T3', 2),
      logged('in', 'receipt', 'T4', 3),
    ])
      await db.insertInto('message_log').values(row).execute();
    const acts = createTreasuryActivities({ db, site, calendar, now });
    const traffic = await acts.countTraffic({ bank: 'CCB', date: '2026-11-27' });
    const actual = (kind: string) => traffic.lines.find((l) => l.kind === kind)?.actual;
    assert.equal(actual('direct_payment'), 1, 'a resent voucher is one voucher of traffic');
    assert.equal(actual('receipt'), 1);
    // Stale: T1 and N1 (pending since before the 15-minute grace); N1 and N2 are still pending.
    assert.equal(traffic.unsentBacklog, 2);
    const line = (kind: string) => traffic.lines.find((l) => l.kind === kind)?.expected;
    assert.equal(line('direct_payment'), 1);
    assert.equal(line('authorized_payment'), 1);
    assert.equal(line('quota_notice'), 1);
    assert.equal(line('receipt'), 1);
    // A bank with no notices at all: the counts are 0, not null.
    const empty = await acts.countTraffic({ bank: 'ABC', date: '2026-11-27' });
    assert.equal(empty.unsentBacklog, 0);
    assert.equal(empty.lines.find((l) => l.kind === 'quota_notice')?.expected, 0);
  });
});

describe('names as a schema created by hand has them (oracle.identifiers: upper)', () => {
  const upper = (reply: (sql: string) => CannedAnswer) =>
    oracleLike<TreasuryDatabase>(reply, { wrapDriver: autoCommitOutsideTransactions, identifiers: 'upper' });

  it('the DDL sends unquoted names, which Oracle folds to upper case', async () => {
    const { db, statements } = upper(() => []);
    await createTreasurySchema(db);
    const ddl = statements.filter((s) => s.sql.startsWith('create'));
    assert.ok(ddl.length > 0);
    // A view's select may alias in quotes: its unquoted column list names what the view holds.
    const named = (sql: string) => sql.replace(/ as select .*$/, '');
    assert.deepEqual(
      ddl.filter((s) => named(s.sql).includes('"')).map((s) => s.sql),
      [],
    );
    assert.match(
      ddl.find((s) => s.sql.startsWith('create view'))?.sql ?? '',
      /^create view quota_balances \(fiscal_year, bank_code, budget_unit_code, quota_count, issued_fen, used_fen, remaining_fen, cancelled_fen\) as select /,
    );
    assert.match(ddl[0]?.sql ?? '', /^create table agent_banks \(code varchar2\(12 char\)/);
  });

  it("reads upper-case column names back as the code's lower-case ones", async () => {
    const { db, statements } = upper((sql) =>
      sql.startsWith('select bank_code, pay_type')
        ? [
            { BANK_CODE: bank, PAY_TYPE: 'direct', STATUS: 'sent', n: 3, stale: 0 },
            { BANK_CODE: bank, PAY_TYPE: 'authorized', STATUS: 'paid', n: 4, stale: 0 },
          ]
        : sql.startsWith('select bank_code, count(*)')
          ? [{ BANK_CODE: bank, n: 5, stale: 2, pending: 3 }]
          : [],
    );
    const traffic = await createTreasuryActivities({ db, site, calendar, now }).countTraffic({
      bank,
      date: '2026-11-27',
    });
    assert.ok(statements.some((s) => /^select bank_code, pay_type, status, count\(\*\) "n"/.test(s.sql)));
    const line = (kind: string) => traffic.lines.find((l) => l.kind === kind)?.expected;
    assert.equal(line('direct_payment'), 3);
    assert.equal(line('receipt'), 4);
    assert.equal(line('quota_notice'), 5 - 3);
  });
});
