/**
 * Treasury database activities (db zone): read-only looks at what the payment database says
 * has flowed, through Kysely so the same code serves SQLite and Oracle.
 */
import { readConsistently, type TreasuryDb } from '../connectors/treasury/database.ts';
import { dateInZone } from '../domain/calendar/dates.ts';
import type { WorkingDayCalendar } from '../domain/calendar/working-days.ts';
import type { TrafficCheck, TrafficKind, TrafficLine } from '../domain/runbooks/daily-inspection.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { activityCalendar } from './calendar.ts';
import { liveBanks, requireBank } from './site-lookup.ts';

export interface TreasuryDeps {
  db: TreasuryDb;
  site: SiteConfig;
  calendar: WorkingDayCalendar;
  now?: () => Date;
}

const outboundVoucherKinds = { direct: 'direct_payment', authorized: 'authorized_payment' } as const;
const reportKinds = ['daily_report', 'payment_list', 'recon_file'] as const;

export function createTreasuryActivities({ db, site, calendar, now = () => new Date() }: TreasuryDeps) {
  /** The day's traffic of each bank, in one snapshot and one query per table for them all. */
  const trafficOf = async (banks: string[], date: string): Promise<Map<string, TrafficCheck>> => {
    const graceStart = new Date(now().getTime() - site.thresholds.sendBacklogMinutes * 60_000).toISOString();
    const reportDate = activityCalendar(calendar).previousWorkingDay(date);

    // One snapshot: a receipt committed between two of these reads would show as a false mismatch.
    // Conditional counts are COUNT(CASE …): Oracle has no FILTER clause.
    const rows = await readConsistently(db, async (trx) => {
      const vouchers = await trx
        .selectFrom('vouchers')
        .select(['bank_code', 'pay_type', 'status'])
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn
            .count<number>(
              eb
                .case()
                .when(eb.and([eb('status', '=', 'pending_send'), eb('submitted_at', '<', graceStart)]))
                .then(eb.ref('voucher_no'))
                .end(),
            )
            .as('stale'),
        ])
        .where('bank_code', 'in', banks)
        .where('business_date', '=', date)
        .where('status', '!=', 'draft')
        .where('submitted_at', 'is not', null)
        .groupBy(['bank_code', 'pay_type', 'status'])
        .execute();
      const notices = await trx
        .selectFrom('quota_notices')
        .select('bank_code')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn
            .count<number>(
              eb
                .case()
                .when(eb.and([eb('status', '=', 'pending_send'), eb('submitted_at', '<', graceStart)]))
                .then(eb.ref('notice_no'))
                .end(),
            )
            .as('stale'),
          eb.fn
            .count<number>(eb.case().when('status', '=', 'pending_send').then(eb.ref('notice_no')).end())
            .as('pending'),
        ])
        .where('bank_code', 'in', banks)
        .where('business_date', '=', date)
        .groupBy('bank_code')
        .execute();
      // A voucher (or notice, receipt) sent again is one item of traffic: count each reference once.
      const messages = await trx
        .selectFrom('message_log')
        .select((eb) => [
          'bank_code',
          'direction',
          'kind',
          eb.fn.count<number>('ref_no').distinct().as('refs'),
          eb.fn
            .count<number>(eb.case().when('ref_no', 'is', null).then(eb.ref('msg_id')).end())
            .as('unreferenced'),
        ])
        .where('bank_code', 'in', banks)
        .where('business_date', '=', date)
        .groupBy(['bank_code', 'direction', 'kind'])
        .execute();
      const reports = await trx
        .selectFrom('bank_reports')
        .select(['bank_code', 'kind', (eb) => eb.fn.countAll<number>().as('n')])
        .where('bank_code', 'in', banks)
        .where('business_date', '=', reportDate)
        .groupBy(['bank_code', 'kind'])
        .execute();
      // The report day's statements as bank reconciliation last compared them, where it has.
      const reconciled = await trx
        .selectFrom('reconciliations')
        .select(['bank_code', 'kind', 'result', 'diff_num'])
        .where('bank_code', 'in', banks)
        .where('business_date', '=', reportDate)
        .orderBy('kind')
        .execute();
      const agents = await trx
        .selectFrom('agent_banks')
        .select(['code', 'created_at'])
        .where('code', 'in', banks)
        .execute();
      return { vouchers, notices, messages, reports, reconciled, agents };
    });
    const vouchers = byBank(rows.vouchers);
    const notices = byBank(rows.notices);
    const messages = byBank(rows.messages);
    const reports = byBank(rows.reports);
    const reconciled = byBank(rows.reconciled);
    const agents = new Map(rows.agents.map((a) => [a.code, a]));
    return new Map(
      banks.map((bank) => {
        const agent = agents.get(bank);
        // A bank onboarded after the report date owes no reports for it.
        const reportsDue =
          !agent || dateInZone(new Date(agent.created_at), site.site.timezone) <= reportDate ? 1 : 0;
        const lines = trafficLines({
          vouchers: vouchers.get(bank) ?? [],
          notices: notices.get(bank)?.[0],
          messages: messages.get(bank) ?? [],
          reports: reports.get(bank) ?? [],
          reportsDue,
        });
        const results = (reconciled.get(bank) ?? []).map((r) => ({
          kind: r.kind,
          result: r.result,
          diffNum: Number(r.diff_num),
        }));
        return [bank, { date, reportDate, ...lines, ...(results.length > 0 && { reconciliation: results }) }];
      }),
    );
  };

  return {
    /** The day's traffic by kind for one bank, against what the database says should have flowed. */
    async countTraffic({ bank, date }: { bank: string; date: string }): Promise<TrafficCheck> {
      requireBank(site, bank);
      return (await trafficOf([bank], date)).get(bank) as TrafficCheck;
    },

    /**
     * countTraffic for many banks at once, one query per table for them all (at most 1000 banks:
     * Oracle's IN list). A bank the site does not know is left out: asked alone, it is refused.
     */
    async countTrafficInBulk({
      banks,
      date,
    }: {
      banks: string[];
      date: string;
    }): Promise<Record<string, TrafficCheck>> {
      const known = new Set(liveBanks(site).map((b) => b.code));
      return Object.fromEntries(
        await trafficOf(
          banks.filter((b) => known.has(b)),
          date,
        ),
      );
    },
  };
}

/** Rows by their bank, each bank's in the order read. */
function byBank<R extends { bank_code: string }>(rows: R[]): Map<string, R[]> {
  const grouped = new Map<string, R[]>();
  for (const r of rows) {
    const list = grouped.get(r.bank_code);
    if (list) list.push(r);
    else grouped.set(r.bank_code, [r]);
  }
  return grouped;
}

/** One bank's traffic lines and unsent backlog from its rows of the day's counts. */
function trafficLines(rows: {
  vouchers: { pay_type: string; status: string; n: number; stale: number }[];
  notices: { n: number; stale: number; pending: number } | undefined;
  messages: { direction: string; kind: string; refs: number; unreferenced: number }[];
  reports: { kind: string; n: number }[];
  reportsDue: number;
}): { lines: TrafficLine[]; unsentBacklog: number } {
  const { vouchers, messages, reports, reportsDue } = rows;
  const notices = rows.notices ?? { n: 0, stale: 0, pending: 0 };
  const logged = (direction: 'in' | 'out', kind: TrafficKind) => {
    const m = messages.find((row) => row.direction === direction && row.kind === kind);
    return Number(m?.refs ?? 0) + Number(m?.unreferenced ?? 0);
  };
  // Vouchers still pending_send are not expected on the wire yet; stale ones count as backlog.
  const expectedOut = (payType: 'direct' | 'authorized') =>
    vouchers
      .filter((v) => v.pay_type === payType && v.status !== 'pending_send')
      .reduce((sum, v) => sum + Number(v.n), 0);
  const unsentBacklog = vouchers.reduce((sum, v) => sum + Number(v.stale), 0) + Number(notices.stale);

  const lines: TrafficLine[] = [
    ...(['direct', 'authorized'] as const).map((payType) => ({
      kind: outboundVoucherKinds[payType],
      expected: expectedOut(payType),
      actual: logged('out', outboundVoucherKinds[payType]),
    })),
    {
      kind: 'quota_notice',
      expected: Number(notices.n) - Number(notices.pending),
      actual: logged('out', 'quota_notice'),
    },
    {
      kind: 'receipt',
      expected: vouchers.filter((v) => v.status === 'paid').reduce((sum, v) => sum + Number(v.n), 0),
      actual: logged('in', 'receipt'),
    },
    ...reportKinds.map((kind) => ({
      kind,
      expected: reportsDue,
      actual: Number(reports.find((r) => r.kind === kind)?.n ?? 0),
    })),
  ];
  return { lines, unsentBacklog };
}
