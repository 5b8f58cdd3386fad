/**
 * The send/receive program's part in the year-end: the quota cancellation (额度注销) and
 * restoration (额度恢复) notices a runbook files in `quota_year_notices` go out as business
 * messages with the next serial (record, then put, as every request does); the bank's answer is
 * filed against its notice with the bank's own count and total, or its refusal. A notice answered
 * already keeps its first answer.
 */
import type { Transaction } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { localDate } from '../calendar.ts';
import type { QuotaYearAnswerBody, QuotaYearLine, QuotaYearNoticeBody } from '../messages.ts';
import { recordRequest, requestRef, undoRequest, type Outgoing } from './bank-requests.ts';
import { putRecorded, type ProgramContext } from './outbound.ts';

type Trx = Transaction<TreasuryDatabase>;

/** Sends the year-end notices waiting for the bank; returns how many were put. */
export async function sendQuotaYearNotices(ctx: ProgramContext, limit = 20): Promise<number> {
  const rows = await ctx.db
    .selectFrom('quota_year_notices')
    .selectAll()
    .where('bank_code', '=', ctx.bank)
    .where('status', '=', 'pending_send')
    .orderBy('requested_at')
    .limit(limit)
    .execute();
  const today = localDate(ctx.now());
  const items = rows.map((n): Outgoing => ({
    msgType: n.kind === 'cancellation' ? 'quota_cancel' : 'quota_restore',
    ref: n.notice_id,
    businessDate: today,
    body: {
      noticeId: n.notice_id,
      kind: n.kind,
      fiscalYear: n.fiscal_year,
      lineCount: n.line_count,
      totalFen: Number(n.total_fen),
      lines: JSON.parse(n.lines) as QuotaYearLine[],
    } satisfies QuotaYearNoticeBody,
    mark: async (trx, at) =>
      (
        await trx
          .updateTable('quota_year_notices')
          .set({ status: 'sent', sent_at: at })
          .where('notice_id', '=', n.notice_id)
          .where('status', '=', 'pending_send')
          .executeTakeFirst()
      ).numUpdatedRows === 1n,
    unmark: async (trx) => {
      await trx
        .updateTable('quota_year_notices')
        .set({ status: 'pending_send', sent_at: null })
        .where('notice_id', '=', n.notice_id)
        .where('status', '=', 'sent')
        .execute();
    },
  }));
  return putRecorded(ctx, items, {
    what: 'year-end notice send',
    ref: requestRef,
    record: (trx, item, serials) => recordRequest(ctx, trx, item, serials),
    undo: (trx, item, message) => undoRequest(ctx, trx, item, message),
  });
}

/** Files the bank's answer against its notice; a notice answered already keeps its first answer. */
export async function applyQuotaYearAnswer(
  trx: Trx,
  bank: string,
  answer: QuotaYearAnswerBody,
  at: string,
): Promise<string> {
  await trx
    .updateTable('quota_year_notices')
    .set({
      status: answer.result,
      answered_at: at,
      answer_reason: answer.reason ?? null,
      bank_line_count: answer.lineCount,
      bank_total_fen: answer.totalFen,
    })
    .where('notice_id', '=', answer.noticeId)
    .where('bank_code', '=', bank)
    .where('status', 'in', ['pending_send', 'sent', 'refused'])
    .execute();
  return answer.noticeId.slice(0, 32);
}
