/**
 * Creates and seeds the sandbox's two databases for business date D: the treasury database (the
 * canonical schema, through the production Kysely connector) and the agent banks' books
 * (banks.db). Deterministic for a given date, instant and seed; batched inserts in one
 * transaction, so a 200-bank benchmark site seeds in seconds.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Kysely } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { openSqlite } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { openBankLedger } from '../bank/ledger.ts';
import { bankQuota, putBankQuotas } from '../bank/year-end-desk.ts';
import { localDate, previousWorkday } from '../calendar.ts';
import { accessSeed } from './access.ts';
import { generateBaseData } from './base-data.ts';
import type { BankActivity } from './activity.ts';
import { generateBankActivity } from './activity.ts';
import { createPrng } from './prng.ts';

export interface SeedOptions {
  site: SiteConfig;
  treasuryPath: string;
  ledgerPath: string;
  /** The seeding instant (the sandbox clock's now); default the current time. */
  now?: Date;
  /** Business date D; default `now`'s date in the site's time zone. */
  date?: string;
  seed?: number | string;
  /** Vouchers per bank per day, inclusive range. */
  vouchersPerDay?: readonly [number, number];
}

export interface SeedSummary {
  date: string;
  prevDate: string;
  banks: number;
  vouchers: number;
  messages: number;
  ms: number;
}

const CHUNK = 400;

export async function seedEstate(options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const { site } = options;
  const timeZone = site.site.timezone;
  const now = options.now ?? new Date();
  const date = options.date ?? localDate(now, timeZone);
  const prevDate = previousWorkday(date);
  const prng = createPrng(options.seed ?? `jincai:${date}`);
  const base = generateBaseData(prng);
  const perDay =
    options.vouchersPerDay ?? (site.banks.length > 20 ? ([8, 16] as const) : ([30, 50] as const));

  const activities = site.banks.map((b) =>
    generateBankActivity({ bank: b, base, prevDate, date, now, timeZone, vouchersPerDay: perDay, prng }),
  );

  for (const path of [options.treasuryPath, options.ledgerPath]) {
    mkdirSync(dirname(path), { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);
  }

  const db = await openSqlite(options.treasuryPath);
  try {
    await createTreasurySchema(db);
    const at = now.toISOString();
    await db.transaction().execute(async (trx) => {
      await insert(
        trx,
        'agent_banks',
        site.banks.map((b) => ({
          code: b.code,
          name: b.name,
          active: 1,
          created_at: '2016-01-04T01:00:00.000Z',
        })),
      );
      await insert(trx, 'budget_units', base.units);
      await insert(trx, 'budget_subjects', base.subjects);
      await insert(trx, 'payee_accounts', base.payees);
      await insert(
        trx,
        'base_data_versions',
        site.banks.flatMap((b) =>
          (['budget_unit', 'payee_account', 'subject'] as const).map((kind) => ({
            bank_code: b.code,
            kind,
            version_current: base.versions[kind],
            version_sent: base.versions[kind],
            version_acked: base.versions[kind],
            updated_at: '2026-01-05T02:00:00.000Z',
          })),
        ),
      );
      const all = <K extends keyof BankActivity>(k: K) => activities.flatMap((a) => a[k] as unknown[]);
      await insert(trx, 'quotas', all('quotas'));
      await insert(trx, 'quota_notices', all('notices'));
      await insert(trx, 'vouchers', all('vouchers'));
      await insert(trx, 'receipts', all('receipts'));
      await insert(trx, 'bank_reports', all('reports'));
      await insert(trx, 'message_log', all('log'));
      await insert(
        trx,
        'message_serials',
        activities.flatMap((a, i) =>
          (['out', 'in'] as const).map((direction) => ({
            bank_code: site.banks[i]?.code ?? '',
            direction,
            last_serial: a.lastSerial[direction],
            updated_at: at,
          })),
        ),
      );
      const year = Number(date.slice(0, 4));
      await insert(trx, 'fiscal_years', [
        { year: year - 1, state: 'closed' },
        { year, state: 'open' },
      ]);
      await insert(trx, 'fiscal_year_adjustments', [
        { year: year - 1, adjust_from: `${year}-01-01`, adjust_until: `${year}-01-15`, updated_at: at },
      ]);
      await insert(trx, 'subsystem_versions', [
        { name: 'treasury-payment', version: 'V6.3.2', updated_at: '2026-03-16T12:00:00.000Z' },
        { name: 'send-receive', version: '3.1.7', updated_at: '2026-03-16T12:00:00.000Z' },
        { name: 'budget-integration-client', version: '2.4.1', updated_at: '2026-02-10T12:00:00.000Z' },
        { name: 'procurement-cloud-push', version: '1.8.0', updated_at: '2025-11-20T12:00:00.000Z' },
      ]);
      for (const [table, rows] of Object.entries(accessSeed(at)))
        await insert(trx, table as keyof TreasuryDatabase, rows);
    });
  } finally {
    await db.destroy();
  }

  const ledger = openBankLedger(options.ledgerPath);
  try {
    const insertPayment = ledger.db.prepare(
      'INSERT INTO bank_payments (bank_code, voucher_no, amount_fen, paid_at, paid_date, receipt_no) VALUES (?, ?, ?, ?, ?, ?)',
    );
    ledger.transaction(() => {
      activities.forEach((a, i) => {
        const bank = site.banks[i];
        if (!bank) return;
        ledger.putState({
          bank_code: bank.code,
          last_serial_in: a.ledger.lastSerialIn,
          last_serial_out: a.lastSerial.in,
          bd_budget_unit: base.versions.budget_unit,
          bd_payee_account: base.versions.payee_account,
          bd_subject: base.versions.subject,
        });
        for (const item of a.ledger.items) ledger.insertItem(item);
        for (const p of a.ledger.payments)
          insertPayment.run(bank.code, p.voucher_no, p.amount_fen, p.paid_at, p.paid_date, p.receipt_no);
        for (const r of a.reports) ledger.markReportSent(bank.code, r.kind, r.business_date, r.received_at);
        putBankQuotas(
          ledger.db,
          a.quotas.map((q) => bankQuota(q, now.toISOString())),
        );
      });
    });
  } finally {
    ledger.close();
  }

  return {
    date,
    prevDate,
    banks: site.banks.length,
    vouchers: activities.reduce((n, a) => n + a.vouchers.length, 0),
    messages: activities.reduce((n, a) => n + a.log.length, 0),
    ms: Date.now() - started,
  };
}

async function insert(
  trx: Kysely<TreasuryDatabase>,
  table: keyof TreasuryDatabase,
  rows: readonly unknown[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // Rows are built to each table's shape above; Kysely cannot check a table chosen at run time.
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
  }
}
