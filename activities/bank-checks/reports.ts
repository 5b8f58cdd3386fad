/** The daily report check's looks (db zone): which of a bank's reports for a day finance has. */
import type { ReportKind } from '../../domain/bank-questions.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import type { ReportPresence } from '../../domain/runbooks/daily-report-check.types.ts';
import { activityCalendar } from '../calendar.ts';
import { requireBank } from '../site-lookup.ts';
import type { BankCheckDeps } from './deps.ts';

export function createReportCheckActivities({ db, site, calendar, now = () => new Date() }: BankCheckDeps) {
  return {
    /** The business day to check: the one given, or the working day before today. */
    async reportDay({ date }: { date?: string }): Promise<{ date: string; workingDay: boolean }> {
      const days = activityCalendar(calendar);
      const day = date ?? days.previousWorkingDay(dateInZone(now(), site.site.timezone));
      return { date: day, workingDay: days.isWorkingDay(day) };
    },

    /** One line per report kind: whether finance has received it for that day, and what it said. */
    async readBankReports({
      bank,
      date,
      kinds,
    }: {
      bank: string;
      date: string;
      kinds: ReportKind[];
    }): Promise<ReportPresence[]> {
      requireBank(site, bank);
      const rows = await db
        .selectFrom('bank_reports')
        .selectAll()
        .where('bank_code', '=', bank)
        .where('business_date', '=', date)
        .where('kind', 'in', kinds)
        .execute();
      return kinds.map((kind) => {
        const r = rows.find((row) => row.kind === kind);
        return r
          ? {
              kind,
              present: true,
              receivedAt: r.received_at,
              lineCount: Number(r.line_count),
              totalFen: Number(r.total_fen),
              digest: r.content_digest,
            }
          : { kind, present: false };
      });
    },
  };
}
