import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openSqlite } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';

const dir = mkdtempSync(join(tmpdir(), 'jincai-schema-indexes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the treasury schema on SQLite', () => {
  it("replaces the finance extract's three-column indexes by the covering ones, and runs again unchanged", async () => {
    const db = await openSqlite(join(dir, 'treasury.db'));
    try {
      await createTreasurySchema(db);
      // A database an earlier release made: the extract's indexes of three columns.
      for (const table of ['vouchers', 'vouchers_history'])
        await db.schema
          .createIndex(`${table}_bank_day_no`)
          .on(table)
          .columns(['bank_code', 'business_date', 'voucher_no'])
          .execute();
      const indexes = async () =>
        (
          await sql<{
            name: string;
          }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'vouchers%' ORDER BY name`.execute(
            db,
          )
        ).rows.map((r) => r.name);
      assert.ok((await indexes()).includes('vouchers_bank_day_no'));
      await createTreasurySchema(db);
      const after = await indexes();
      assert.ok(after.includes('vouchers_day_extract') && after.includes('vouchers_history_day_extract'));
      assert.ok(!after.some((name) => name.endsWith('_bank_day_no')), after.join(', '));
      await createTreasurySchema(db);
      assert.deepEqual(await indexes(), after);
    } finally {
      await db.destroy();
    }
  });
});
