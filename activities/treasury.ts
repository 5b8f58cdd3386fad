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
import { requireBank } from './site-lookup.ts';

export interface TreasuryDeps {
  db: TreasuryDb;
  site: SiteConfig;
  calendar: WorkingDayCalendar;
  now?: () => Date;
}

const outboundVoucherKinds = { direct: 'direct_payment', authorized: 'authorized_payment' } as const;
const reportKinds = ['daily_report', 'payment_list', 'recon_file'] as const;

export function createTreasuryActivities({ db, site, calendar, now = () => new Date() }: TreasuryDeps) {
  return {
    /** The day's traffic by kind for one bank, against what the database says should have flowed. */
    async countTraffic({ bank, date }: { bank: string; date: string }): Promise<TrafficCheck> {
      requireBank(site, bank);
      const graceStart = new Date(
        now().getTime() - site.thresholds.sendBacklogMinutes * 60_000,
      ).toISOString();
      const reportDate = activityCalendar(calendar).previousWorkingDay(date);

      // One snapshot: a receipt committed between two of these reads would show as a false mismatch.
      // Conditional counts are COUNT(CASE …): Oracle has no FILTER clause.
      const { vouchers, notices, messages, reports, agent } = await readConsistently(db, async (trx) => {
        const vouchers = await trx
          .selectFrom('vouchers')
          .select(['pay_type', 'status'])
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
          .where('bank_code', '=', bank)
          .where('business_date', '=', date)
          .where('status', '!=', 'draft')
          .where('submitted_at', 'is not', null)
          .groupBy(['pay_type', 'status'])
          .execute();
        const notices = await trx
          .selectFrom('quota_notices')
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
          .where('bank_code', '=', bank)
          .where('business_date', '=', date)
          .executeTakeFirstOrThrow();
        // A voucher (or notice, receipt) sent again is one item of traffic: count each reference once.
        const messages = await trx
          .selectFrom('message_log')
          .select((eb) => [
            'direction',
            'kind',
            eb.fn.count<number>('ref_no').distinct().as('refs'),
            eb.fn
              .count<number>(eb.case().when('ref_no', 'is', null).then(eb.ref('msg_id')).end())
              .as('unreferenced'),
          ])
          .where('bank_code', '=', bank)
          .where('business_date', '=', date)
          .groupBy(['direction', 'kind'])
          .execute();
        const reports = await trx
          .selectFrom('bank_reports')
          .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
          .where('bank_code', '=', bank)
          .where('business_date', '=', reportDate)
          .groupBy('kind')
          .execute();
        const agent = await trx
          .selectFrom('agent_banks')
          .select('created_at')
          .where('code', '=', bank)
          .executeTakeFirst();
        return { vouchers, notices, messages, reports, agent };
      });
      // A bank onboarded after the report date owes no reports for it.
      const reportsDue =
        !agent || dateInZone(new Date(agent.created_at), site.site.timezone) <= reportDate ? 1 : 0;

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
      return { date, reportDate, lines, unsentBacklog };
    },
  };
}
