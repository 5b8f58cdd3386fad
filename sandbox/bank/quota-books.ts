/**
 * Banks' quota books for data seeded before the books kept quotas: each bank without a single
 * quota in its book starts from the quotas finance has notified it, as its own records would show.
 */
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import type { BankLedger } from './ledger.ts';
import { bankQuota, ensureYearEndTables, putBankQuotas } from './year-end-desk.ts';

export async function ensureQuotaBooks(treasury: TreasuryDb, books: BankLedger, now: Date): Promise<void> {
  ensureYearEndTables(books.db);
  const booked = new Set(
    (books.db.prepare('SELECT DISTINCT bank_code FROM bank_quotas').all() as { bank_code: string }[]).map(
      (r) => r.bank_code,
    ),
  );
  const quotas = await treasury.selectFrom('quotas').selectAll().execute();
  putBankQuotas(
    books.db,
    quotas.filter((q) => !booked.has(q.bank_code)).map((q) => bankQuota(q, now.toISOString())),
  );
}
