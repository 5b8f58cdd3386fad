/**
 * The year-end's looks at the treasury database (db zone), read only: the state of the year to
 * close and of the next, and each bank's books as the pre-checks judge them — vouchers of the year
 * still in flight, receipts not registered, daily reports that differ from finance's payments that
 * day, refunds and voids still open. One query per table for every bank, in one snapshot, so
 * figures compared with each other cannot straddle a commit.
 */
import type { Transaction } from 'kysely';
import { readConsistently, type TreasuryDb } from '../connectors/treasury/database.ts';
import { chunksOf } from '../connectors/treasury/portable.ts';
import type { TreasuryDatabase } from '../connectors/treasury/schema.ts';
import { dateInZone, instantAt } from '../domain/calendar/dates.ts';
import { formatFen } from '../domain/display.ts';
import type { BankBookCheck, FiscalYearState } from '../domain/runbooks/year-end-rollover.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { requireBank } from './site-lookup.ts';

type Trx = Transaction<TreasuryDatabase>;

/** How many numbers of each kind a finding names (the count says the rest). */
const named = 3;
const inFlight = ['pending_send', 'sent', 'accepted'] as const;
const paid = ['paid', 'refunded'] as const;

export interface YearEndBooksDeps {
  db: TreasuryDb;
  site: SiteConfig;
}

export function createYearEndBookActivities({ db, site }: YearEndBooksDeps) {
  const timeZone = site.site.timezone;
  return {
    /** The state of `fiscalYear` and of the year after it ('absent' when the table has no row). */
    async fiscalYearState({ fiscalYear }: { fiscalYear: number }): Promise<FiscalYearState> {
      const rows = await db
        .selectFrom('fiscal_years')
        .select(['year', 'state'])
        .where('year', 'in', [fiscalYear, fiscalYear + 1])
        .execute();
      const stateOf = (year: number) => rows.find((r) => Number(r.year) === year)?.state ?? 'absent';
      return { year: fiscalYear, state: stateOf(fiscalYear), nextState: stateOf(fiscalYear + 1) };
    },

    /** Each bank's books for the pre-checks, in the order of `banks`. */
    async yearEndBookChecks({
      fiscalYear,
      banks,
    }: {
      fiscalYear: number;
      banks: string[];
    }): Promise<BankBookCheck[]> {
      for (const b of banks) requireBank(site, b);
      const checks = new Map<string, BankBookCheck>(banks.map((b) => [b, emptyCheck(b)]));
      const yearStart = instantAt(`${fiscalYear}-01-01`, '00:00', timeZone).toISOString();
      const yearEnd = instantAt(`${fiscalYear + 1}-01-01`, '00:00', timeZone).toISOString();
      await readConsistently(db, async (trx) => {
        for (const part of chunksOf(banks)) {
          const open = await openItems(trx, part, fiscalYear);
          for (const [what, rows] of Object.entries(open) as [Listed, OpenRow[]][])
            for (const r of rows) note(checks, r, what);
          await compareStatements(trx, part, { fiscalYear, yearStart, yearEnd, timeZone }, checks);
        }
      });
      return banks.map((b) => checks.get(b) as BankBookCheck);
    },
  };
}

function emptyCheck(bank: string): BankBookCheck {
  const none = { count: 0, first: [] };
  return {
    bank,
    inFlight: { ...none, first: [] },
    unregisteredReceipts: { ...none, first: [] },
    statementDays: { reported: 0, differing: [] },
    openRefunds: { ...none, first: [] },
    openVoids: { ...none, first: [] },
  };
}

type Listed = 'inFlight' | 'unregisteredReceipts' | 'openRefunds' | 'openVoids';
type OpenRow = { bank_code: string; key: string };

/** What is still open for these banks, by kind: each row's bank and number, ordered by number. */
async function openItems(trx: Trx, banks: string[], fiscalYear: number): Promise<Record<Listed, OpenRow[]>> {
  const inFlightVouchers = await trx
    .selectFrom('vouchers')
    .select(['bank_code', 'voucher_no as key'])
    .where('bank_code', 'in', banks)
    .where('fiscal_year', '=', fiscalYear)
    .where('status', 'in', [...inFlight])
    .orderBy('voucher_no')
    .execute();
  const receipts = await trx
    .selectFrom('receipts')
    .select(['bank_code', 'receipt_no as key'])
    .where('bank_code', 'in', banks)
    .where('registered', '=', 0)
    .where('paid_date', '>=', `${fiscalYear}-01-01`)
    .where('paid_date', '<=', `${fiscalYear}-12-31`)
    .orderBy('receipt_no')
    .execute();
  const refunds = await trx
    .selectFrom('refunds')
    .select(['bank_code', 'refund_no as key'])
    .where('bank_code', 'in', banks)
    .where('status', 'in', ['pending_send', 'sent', 'unmatched'])
    .orderBy('refund_no')
    .execute();
  const voids = await trx
    .selectFrom('voucher_voids')
    .select(['bank_code', 'voucher_no as key'])
    .where('bank_code', 'in', banks)
    .where('status', 'in', ['pending_send', 'sent'])
    .orderBy('voucher_no')
    .execute();
  return {
    inFlight: inFlightVouchers,
    unregisteredReceipts: receipts,
    openRefunds: refunds,
    openVoids: voids,
  };
}

function note(checks: Map<string, BankBookCheck>, row: OpenRow, what: Listed): void {
  const check = checks.get(row.bank_code);
  if (!check) return;
  check[what].count += 1;
  if (check[what].first.length < named) check[what].first.push(row.key);
}

/**
 * Each day of the year a bank sent its daily report (日报) for, against finance's payments that
 * day: count and total must agree — or, where bank reconciliation has compared the day's
 * statements, their standing result must be agreed.
 */
async function compareStatements(
  trx: Trx,
  banks: string[],
  year: { fiscalYear: number; yearStart: string; yearEnd: string; timeZone: string },
  checks: Map<string, BankBookCheck>,
): Promise<void> {
  const reports = await trx
    .selectFrom('bank_reports')
    .select(['bank_code', 'business_date', 'line_count', 'total_fen'])
    .where('bank_code', 'in', banks)
    .where('kind', '=', 'daily_report')
    .where('business_date', '>=', `${year.fiscalYear}-01-01`)
    .where('business_date', '<=', `${year.fiscalYear}-12-31`)
    .orderBy('business_date')
    .execute();
  const payments = await trx
    .selectFrom('vouchers')
    .select(['bank_code', 'amount_fen', 'paid_at'])
    .where('bank_code', 'in', banks)
    .where('status', 'in', [...paid])
    .where('paid_at', '>=', year.yearStart)
    .where('paid_at', '<', year.yearEnd)
    .execute();
  const finance = new Map<string, { count: number; totalFen: number }>();
  for (const p of payments) {
    if (!p.paid_at) continue;
    const key = `${p.bank_code}/${dateInZone(new Date(p.paid_at), year.timeZone)}`;
    const day = finance.get(key) ?? { count: 0, totalFen: 0 };
    day.count += 1;
    day.totalFen += Number(p.amount_fen);
    finance.set(key, day);
  }
  // A day bank reconciliation compared stands on its result — the statement line by line, both
  // ways — rather than on the daily report's totals.
  const reconciled = await trx
    .selectFrom('reconciliations')
    .select(['bank_code', 'business_date', 'kind', 'result', 'diff_num', 'bank_count', 'bank_amount_fen'])
    .select(['finance_count', 'finance_amount_fen'])
    .where('bank_code', 'in', banks)
    .where('business_date', '>=', `${year.fiscalYear}-01-01`)
    .where('business_date', '<=', `${year.fiscalYear}-12-31`)
    .orderBy('business_date')
    .orderBy('kind')
    .execute();
  const byDay = new Map<string, typeof reconciled>();
  for (const r of reconciled) {
    const key = `${r.bank_code}/${r.business_date}`;
    byDay.set(key, [...(byDay.get(key) ?? []), r]);
  }
  const days = new Set(byDay.keys());
  for (const [key, rows] of byDay) {
    const [first] = rows;
    const check = first && checks.get(first.bank_code);
    if (!check) continue;
    check.statementDays.reported += 1;
    const open = rows.filter((r) => r.result !== 'agreed');
    if (open.length === 0) continue;
    check.statementDays.differing.push({
      date: key.slice(key.indexOf('/') + 1),
      bank: open
        .map(
          (r) =>
            `对账单 ${r.bank_count} 笔 ${formatFen(Number(r.bank_amount_fen))}（${r.kind}，${r.result === 'unreadable' ? '无法读取' : `差异 ${r.diff_num} 笔`}）`,
        )
        .join('；'),
      finance: open.map((r) => `${r.finance_count} 笔 ${formatFen(Number(r.finance_amount_fen))}`).join('；'),
    });
  }
  for (const r of reports) {
    const check = checks.get(r.bank_code);
    if (!check || days.has(`${r.bank_code}/${r.business_date}`)) continue;
    check.statementDays.reported += 1;
    const ours = finance.get(`${r.bank_code}/${r.business_date}`) ?? { count: 0, totalFen: 0 };
    if (ours.count === Number(r.line_count) && ours.totalFen === Number(r.total_fen)) continue;
    check.statementDays.differing.push({
      date: r.business_date,
      bank: `${r.line_count} 笔 ${formatFen(Number(r.total_fen))}`,
      finance: `${ours.count} 笔 ${formatFen(ours.totalFen)}`,
    });
  }
}
