/**
 * The traffic rule the daily inspection relies on, checked against the treasury database: for
 * each bank and date D, message_log counts by kind equal what the vouchers, notices and reports
 * say. Used by the tests and by GET /sandbox/state to show the estate is healthy.
 */
import type { Kysely } from 'kysely';
import { readConsistently } from '../../connectors/treasury/database.ts';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { previousWorkday } from '../calendar.ts';

export interface ConsistencyProblem {
  bank: string;
  kind: string;
  expected: number;
  actual: number;
}

export function checkTraffic(
  db: Kysely<TreasuryDatabase>,
  date: string,
  now: Date,
  backlogMinutes = 15,
): Promise<ConsistencyProblem[]> {
  // One snapshot, as the inspection reads it: the programs commit while we count.
  return readConsistently(db, (trx) => checkTrafficIn(trx, date, now, backlogMinutes));
}

async function checkTrafficIn(
  db: Kysely<TreasuryDatabase>,
  date: string,
  now: Date,
  backlogMinutes: number,
): Promise<ConsistencyProblem[]> {
  const prevDate = previousWorkday(date);
  const cutoff = new Date(now.getTime() - backlogMinutes * 60_000).toISOString();
  const banks = await db.selectFrom('agent_banks').select('code').where('active', '=', 1).execute();
  const problems: ConsistencyProblem[] = [];
  const countsBy = async <T extends { bank_code: string; n: number | bigint | string }>(
    rows: Promise<T[]>,
    key: (r: T) => string,
  ) => {
    const m = new Map<string, number>();
    for (const r of await rows) m.set(`${r.bank_code}|${key(r)}`, Number(r.n));
    return m;
  };
  const log = await countsBy(
    db
      .selectFrom('message_log')
      .select(['bank_code', 'direction', 'kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('business_date', 'in', [date, prevDate])
      .groupBy(['bank_code', 'direction', 'kind', 'business_date'])
      .select('business_date')
      .execute(),
    (r) => `${r.direction}|${r.kind}|${r.business_date}`,
  );
  const notPendingRecent = (status: string, submitted: string | null) =>
    status !== 'draft' && submitted !== null && !(status === 'pending_send' && submitted > cutoff);
  const vouchers = await db
    .selectFrom('vouchers')
    .select(['bank_code', 'pay_type', 'status', 'submitted_at'])
    .where('business_date', '=', date)
    .execute();
  const notices = await db
    .selectFrom('quota_notices')
    .select(['bank_code', 'status', 'submitted_at'])
    .where('business_date', '=', date)
    .execute();
  const reports = await countsBy(
    db
      .selectFrom('bank_reports')
      .select(['bank_code', 'kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('business_date', '=', prevDate)
      .groupBy(['bank_code', 'kind'])
      .execute(),
    (r) => r.kind,
  );
  for (const { code } of banks) {
    const expect = (kind: string, expected: number, actual: number) => {
      if (expected !== actual) problems.push({ bank: code, kind, expected, actual });
    };
    const mine = vouchers.filter((v) => v.bank_code === code);
    for (const [payType, kind] of [
      ['direct', 'direct_payment'],
      ['authorized', 'authorized_payment'],
    ] as const) {
      expect(
        kind,
        mine.filter((v) => v.pay_type === payType && notPendingRecent(v.status, v.submitted_at)).length,
        log.get(`${code}|out|${kind}|${date}`) ?? 0,
      );
    }
    expect(
      'quota_notice',
      notices.filter((n) => n.bank_code === code && notPendingRecent(n.status, n.submitted_at)).length,
      log.get(`${code}|out|quota_notice|${date}`) ?? 0,
    );
    expect(
      'receipt',
      mine.filter((v) => v.status === 'paid').length,
      log.get(`${code}|in|receipt|${date}`) ?? 0,
    );
    for (const kind of ['daily_report', 'payment_list', 'recon_file']) {
      expect(`${kind}@${prevDate}`, 1, reports.get(`${code}|${kind}`) ?? 0);
      expect(`${kind}-log@${prevDate}`, 1, log.get(`${code}|in|${kind}|${prevDate}`) ?? 0);
    }
  }
  return problems;
}
