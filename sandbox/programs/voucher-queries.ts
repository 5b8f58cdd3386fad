/**
 * The send/receive program's bulk status queries (批量状态查询): the questions runbooks file about
 * vouchers in `bank_queries` go to the bank many to a message, each with its own query id, and the
 * bank answers them in one message, one answer per voucher, each filed against its own question
 * exactly as a single answer is. Questions about reports and refunds still go one by one.
 */
import type { Kysely, Transaction } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import type { VoucherAnswersBody, VoucherQueriesBody } from '../messages.ts';
import type { Outgoing } from './bank-requests.ts';

/** Vouchers asked about in one message: a few tens of kilobytes, far below the queues' message limit. */
export const voucherQueriesPerMessage = 500;

/** The oldest waiting questions about vouchers, as one bulk query (none when nothing waits). */
export async function pendingVoucherQueries(
  db: Kysely<TreasuryDatabase>,
  bank: string,
  businessDate: string,
): Promise<(Outgoing & { at: string })[]> {
  const rows = await db
    .selectFrom('bank_queries')
    .select(['query_id', 'ref_no', 'requested_at'])
    .where('bank_code', '=', bank)
    .where('status', '=', 'pending_send')
    .where('subject', '=', 'voucher')
    .orderBy('requested_at')
    .limit(voucherQueriesPerMessage)
    .execute();
  const [first] = rows;
  if (!first) return [];
  const ids = rows.map((r) => r.query_id);
  const body: VoucherQueriesBody = {
    queries: rows.map((r) => ({ voucherNo: r.ref_no, queryId: r.query_id })),
  };
  return [
    {
      at: first.requested_at,
      msgType: 'status_query',
      ref: null,
      businessDate,
      body,
      mark: async (trx: Transaction<TreasuryDatabase>, at: string) =>
        (
          await trx
            .updateTable('bank_queries')
            .set({ status: 'sent', sent_at: at })
            .where('query_id', 'in', ids)
            .where('status', '=', 'pending_send')
            .executeTakeFirst()
        ).numUpdatedRows > 0n,
      unmark: async (trx: Transaction<TreasuryDatabase>) => {
        await trx
          .updateTable('bank_queries')
          .set({ status: 'pending_send', sent_at: null })
          .where('query_id', 'in', ids)
          .where('status', '=', 'sent')
          .execute();
      },
    },
  ];
}

/** Whether a status answer is the bank's answer to a bulk query. */
export function isVoucherAnswers(body: unknown): body is VoucherAnswersBody {
  return Array.isArray((body as Partial<VoucherAnswersBody> | undefined)?.answers);
}
