/**
 * Payroll activities (db zone): the site's payroll subsystem and one of its batches as the
 * treasury database holds them — the batch, its lines by status, and the failed lines with their
 * reasons and their vouchers' states. Read only; payees leave here masked.
 */
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { maskAccount, maskName } from '../domain/display.ts';
import type {
  FailedLine,
  PayrollLineStatus,
  PayrollLook,
  PayrollTarget,
} from '../domain/runbooks/payroll-watch.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
import type { SiteConfig } from '../temporal.config.ts';

export function createPayrollActivities({ db, site }: { db: TreasuryDb; site: SiteConfig }) {
  return {
    /** The batch the input names, in the payroll subsystem it names; what does not exist, as input problems. */
    async describePayrollBatch({
      subsystem,
      batchNo,
    }: {
      subsystem?: string;
      batchNo: string;
    }): Promise<{ inputProblems: string[]; target?: PayrollTarget }> {
      const s = subsystemOfKind(site.subsystems, 'payroll', subsystem);
      if (typeof s === 'string') return { inputProblems: [s] };
      const batch = await db
        .selectFrom('payroll_batches')
        .selectAll()
        .where('batch_no', '=', batchNo)
        .executeTakeFirst();
      if (!batch)
        return { inputProblems: [`input.batchNo: no payroll batch ${batchNo} in the treasury database`] };
      if (batch.bank_code !== s.payroll.bank)
        return {
          inputProblems: [
            `input.batchNo: batch ${batchNo} pays through ${batch.bank_code}, not through ${s.id}'s bank ${s.payroll.bank}`,
          ],
        };
      return {
        inputProblems: [],
        target: {
          subsystem: s.id,
          name: s.name,
          batchNo,
          month: batch.month,
          bank: batch.bank_code,
          lines: Number(batch.line_count),
          totalFen: Number(batch.total_fen),
        },
      };
    },

    /** The batch now: its lines by status, the money paid, and its failed lines (at most `maxListed`). */
    async lookAtPayrollBatch({
      batchNo,
      maxListed,
    }: {
      batchNo: string;
      maxListed: number;
    }): Promise<PayrollLook> {
      const batch = await db
        .selectFrom('payroll_batches')
        .select('status')
        .where('batch_no', '=', batchNo)
        .executeTakeFirstOrThrow();
      const byStatus = await db
        .selectFrom('payroll_lines')
        .select(({ fn }) => ['status', fn.countAll<number>().as('n'), fn.sum<number>('amount_fen').as('fen')])
        .where('batch_no', '=', batchNo)
        .groupBy('status')
        .execute();
      const counts: Record<PayrollLineStatus, number> = { pending: 0, issued: 0, paid: 0, failed: 0 };
      let paidFen = 0;
      for (const row of byStatus) {
        counts[row.status] = Number(row.n);
        if (row.status === 'paid') paidFen = Number(row.fen);
      }
      const failed = await db
        .selectFrom('payroll_lines as l')
        .leftJoin('vouchers as v', 'v.voucher_no', 'l.voucher_no')
        .select([
          'l.line_no',
          'l.amount_fen',
          'l.payee_name',
          'l.account_no',
          'l.voucher_no',
          'l.failure_reason',
          'v.status as voucher_status',
        ])
        .where('l.batch_no', '=', batchNo)
        .where('l.status', '=', 'failed')
        .orderBy('l.line_no')
        .limit(maxListed)
        .execute();
      return {
        at: new Date().toISOString(),
        batchStatus: batch.status,
        counts,
        paidFen,
        failed: failed.map((l): FailedLine => ({
          lineNo: Number(l.line_no),
          amountFen: Number(l.amount_fen),
          payee: { name: maskName(l.payee_name), account: maskAccount(l.account_no) },
          voucherNo: l.voucher_no,
          voucherStatus: l.voucher_status ?? null,
          reason: l.failure_reason ?? '未说明原因',
        })),
        moreFailed: Math.max(0, counts.failed - failed.length),
      };
    },
  };
}
