/**
 * The year-end pre-check's statement days on a real SQLite treasury file: a day bank
 * reconciliation compared stands on its standing result (agreed passes even though the daily
 * report's totals differ; differs or unreadable is red, whatever the daily report says), and a
 * day it never compared is judged by the daily report's totals as before.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { createYearEndBookActivities } from '../../activities/year-end-books.ts';
import { openSqlite, type TreasuryDb } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import { loadSite } from '../../temporal.config.ts';

let dir: string;
let db: TreasuryDb;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jincai-year-end-statements-'));
  db = await openSqlite(join(dir, 'treasury.db'));
  await createTreasurySchema(db);
  const report = (date: string) => ({
    bank_code: 'ICBC',
    kind: 'daily_report' as const,
    business_date: date,
    received_at: `${date}T10:00:00.000Z`,
    line_count: 3,
    total_fen: 300,
    content_digest: 'x',
  });
  // No payments at finance: every daily report disagrees with finance's (empty) day.
  await db.insertInto('bank_reports').values(report('2026-11-25')).execute();
  await db.insertInto('bank_reports').values(report('2026-11-26')).execute();
  await db.insertInto('bank_reports').values(report('2026-11-27')).execute();
  const reconciled = (date: string, result: 'agreed' | 'differs') => ({
    bank_code: 'ICBC',
    kind: 'payment-detail',
    business_date: date,
    result,
    diff_num: result === 'agreed' ? 0 : 2,
    statement_no: 'DZ',
    bank_count: 3,
    bank_amount_fen: 300,
    finance_count: result === 'agreed' ? 3 : 1,
    finance_amount_fen: result === 'agreed' ? 300 : 100,
    problem: null,
    difference_file: null,
    workflow_id: 'w',
    reconciled_at: `${date}T18:00:00.000Z`,
  });
  await db.insertInto('reconciliations').values(reconciled('2026-11-25', 'agreed')).execute();
  await db.insertInto('reconciliations').values(reconciled('2026-11-26', 'differs')).execute();
});
after(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

it('judges a reconciled day by its standing result, any other by the daily report', async () => {
  const [check] = await createYearEndBookActivities({ db, site: loadSite() }).yearEndBookChecks({
    fiscalYear: 2026,
    banks: ['ICBC'],
  });
  assert.equal(check?.statementDays.reported, 3);
  assert.deepEqual(
    check?.statementDays.differing.map((d) => d.date),
    ['2026-11-26', '2026-11-27'],
  );
  assert.match(check?.statementDays.differing[0]?.bank ?? '', /对账单 3 笔.*差异 2 笔/);
});
