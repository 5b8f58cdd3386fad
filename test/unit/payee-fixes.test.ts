/**
 * A payee-field normalisation retried after its commit — the worker killed before it could
 * report — is counted as the step's own, against a real SQLite treasury database: filed under the
 * approved step's key with its change, found in place on the retry; a value someone else put in
 * place stays `already`, and a record changed meanwhile is left alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createVoucherActivities, valueDigest } from '../../activities/vouchers.ts';
import { openSqlite, type TreasuryDb } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import { maskAccount } from '../../domain/display.ts';
import type { ProposedFix } from '../../domain/runbooks/voucher-resend.types.ts';
import { normalisedValue, rulesFor } from '../../domain/vouchers/field-rules.ts';
import { defaultSiteFile, parseSite } from '../../temporal.config.ts';

const site = parseSite(
  readFileSync(defaultSiteFile, 'utf8').replace(/^addedBanksDir: .*\n/m, ''),
  defaultSiteFile,
);
const spaced = '6222 0201 1000 8800 1234';
const target = normalisedValue('payeeAccountNo', spaced, rulesFor('ICBC', undefined));
const step = 'voucher-resend/ICBC/2026-11-27#ab12cd34/resend-1';

let dir: string;
let db: TreasuryDb;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jincai-payee-fixes-'));
  db = await openSqlite(join(dir, 'treasury.db'));
  await createTreasurySchema(db);
});
after(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** A payee whose account number has spaces, and the fix a plan proposes for it. */
async function spacedPayee(id: string): Promise<ProposedFix> {
  await db
    .insertInto('payee_accounts')
    .values({
      id,
      account_no: spaced,
      account_name: '县宏达建筑工程有限公司',
      bank_name: '中国工商银行县支行',
      version: 1,
    })
    .execute();
  return {
    payeeId: id,
    field: 'payeeAccountNo',
    kinds: ['whitespace'],
    before: maskAccount(spaced),
    after: maskAccount(target),
    beforeDigest: valueDigest(spaced),
  };
}

const accountOf = async (id: string) =>
  (await db.selectFrom('payee_accounts').select('account_no').where('id', '=', id).executeTakeFirstOrThrow())
    .account_no;

describe('payee fixes', () => {
  const normalise = (fixes: ProposedFix[], key?: string) =>
    createVoucherActivities({ db, site }).normalisePayeeFields({
      bank: 'ICBC',
      fixes,
      proof: undefined,
      ...(key && { key }),
    });
  const results = async (fixes: ProposedFix[], key?: string) =>
    (await normalise(fixes, key)).map((r) => r.result);

  it('counts its own fix as applied when the retried step finds it in place', async () => {
    const fix = await spacedPayee('PA-FIX-1');
    assert.deepEqual(await results([fix], step), ['applied']);
    assert.equal(await accountOf('PA-FIX-1'), target);
    // The same step again, as Temporal retries it when the worker died before reporting.
    assert.deepEqual(await results([fix], step), ['applied']);
    const filed = await db.selectFrom('payee_fixes').selectAll().execute();
    assert.deepEqual(
      filed.map((f) => [f.fix_key, f.payee_id, f.field]),
      [[`${step}/PA-FIX-1/payeeAccountNo`, 'PA-FIX-1', 'payeeAccountNo']],
    );
  });

  it('leaves a value someone else put in place as already, and a record changed since alone', async () => {
    const fix = await spacedPayee('PA-FIX-2');
    await db.updateTable('payee_accounts').set({ account_no: target }).where('id', '=', 'PA-FIX-2').execute();
    assert.deepEqual(await results([fix], step), ['already']);
    // Another step of another run, and a call without a step's key, do not claim this step's fix.
    assert.deepEqual(await results([await spacedPayee('PA-FIX-3')], step), ['applied']);
    assert.deepEqual(await results([{ ...fix, payeeId: 'PA-FIX-3' }], `${step}-other`), ['already']);
    assert.deepEqual(await results([{ ...fix, payeeId: 'PA-FIX-3' }]), ['already']);
    const moved = await spacedPayee('PA-FIX-4');
    await db
      .updateTable('payee_accounts')
      .set({ account_no: '6222 0201 1000 8800 9999' })
      .where('id', '=', 'PA-FIX-4')
      .execute();
    assert.deepEqual(await results([moved], step), ['changed']);
    assert.equal(await accountOf('PA-FIX-4'), '6222 0201 1000 8800 9999');
  });
});
