/**
 * The send/receive program's part in the bank-side checks. Sending: the status queries runbooks
 * file in `bank_queries` (out of band, serial 0; those about vouchers many to a message,
 * voucher-queries.ts), and the void (作废) and refund (退款) requests
 * waiting in `voucher_voids` / `refunds` (business messages with the next serial). Receiving: a
 * status answer is filed against its question by the echoed queryId; a void answer settles the
 * void; a refund notice settles finance's request or, when the bank started it, is matched to
 * its voucher (or kept as unmatched, with the reason). Same order as outbound.ts: record, then
 * put; a put that certainly failed is undone.
 */
import type { Transaction } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import type {
  AppMessage,
  RefundNoticeBody,
  RefundRequestBody,
  StatusAnswerBody,
  VoidAnswerBody,
  VoidRequestBody,
  VoucherAnswersBody,
} from '../messages.ts';
import { localDate } from '../calendar.ts';
import { buildMessage, FINANCE, newMsgId } from '../messages.ts';
import { putRecorded, type ProgramContext, type Serials } from './outbound.ts';
import { isVoucherAnswers, pendingVoucherQueries } from './voucher-queries.ts';

type Trx = Transaction<TreasuryDatabase>;

/** A request waiting to go to the bank, with how to mark its row sent and back. */
export interface Outgoing {
  msgType: 'status_query' | 'void_request' | 'refund_request' | 'quota_cancel' | 'quota_restore';
  /** What the message is about (null for a bulk query about many vouchers). */
  ref: string | null;
  businessDate: string;
  body: unknown;
  /** Marks the row sent inside the record transaction; returns false when it is no longer pending. */
  mark(trx: Trx, at: string, msgId: string): Promise<boolean>;
  unmark(trx: Trx): Promise<void>;
}

/** What a request is about, for the program's log. */
export const requestRef = (item: Outgoing) => item.ref ?? 'bulk status query';

/** Sends what runbooks and finance users have asked of the bank; returns how many were put. */
export async function sendBankRequests(ctx: ProgramContext, limit = 50): Promise<number> {
  return putRecorded(ctx, await pendingRequests(ctx, limit), {
    what: 'request send',
    ref: requestRef,
    record: (trx, item, serials) => recordRequest(ctx, trx, item, serials),
    undo: (trx, item, message) => undoRequest(ctx, trx, item, message),
  });
}

async function pendingRequests(ctx: ProgramContext, limit: number): Promise<Outgoing[]> {
  const { db, bank } = ctx;
  const today = localDate(ctx.now());
  const voucherQueries = await pendingVoucherQueries(db, bank, today);
  const queries = await db
    .selectFrom('bank_queries')
    .select(['query_id', 'ref_no', 'body', 'requested_at'])
    .where('bank_code', '=', bank)
    .where('status', '=', 'pending_send')
    .where('subject', '!=', 'voucher')
    .orderBy('requested_at')
    .limit(limit)
    .execute();
  const voids = await db
    .selectFrom('voucher_voids as w')
    .innerJoin('vouchers as v', 'v.voucher_no', 'w.voucher_no')
    .select(['w.voucher_no', 'w.reason', 'w.requested_at', 'v.business_date'])
    .where('w.bank_code', '=', bank)
    .where('w.status', '=', 'pending_send')
    .orderBy('w.requested_at')
    .limit(limit)
    .execute();
  const refunds = await db
    .selectFrom('refunds')
    .select(['refund_no', 'voucher_no', 'amount_fen', 'reason', 'requested_at'])
    .where('bank_code', '=', bank)
    .where('status', '=', 'pending_send')
    .where('initiated_by', '=', 'finance')
    .orderBy('requested_at')
    .limit(limit)
    .execute();
  const items: (Outgoing & { at: string })[] = [
    ...voucherQueries,
    ...queries.map((q) => ({
      at: q.requested_at,
      msgType: 'status_query' as const,
      ref: q.ref_no,
      businessDate: today,
      body: JSON.parse(q.body) as unknown,
      mark: async (trx: Trx, at: string) =>
        (
          await trx
            .updateTable('bank_queries')
            .set({ status: 'sent', sent_at: at })
            .where('query_id', '=', q.query_id)
            .where('status', '=', 'pending_send')
            .executeTakeFirst()
        ).numUpdatedRows === 1n,
      unmark: async (trx: Trx) => {
        await trx
          .updateTable('bank_queries')
          .set({ status: 'pending_send', sent_at: null })
          .where('query_id', '=', q.query_id)
          .where('status', '=', 'sent')
          .execute();
      },
    })),
    ...voids.map((w) => ({
      at: w.requested_at,
      msgType: 'void_request' as const,
      ref: w.voucher_no,
      businessDate: w.business_date,
      body: { voucherNo: w.voucher_no, reason: w.reason } satisfies VoidRequestBody,
      mark: async (trx: Trx, at: string) =>
        (
          await trx
            .updateTable('voucher_voids')
            .set({ status: 'sent', sent_at: at })
            .where('voucher_no', '=', w.voucher_no)
            .where('status', '=', 'pending_send')
            .executeTakeFirst()
        ).numUpdatedRows === 1n,
      unmark: async (trx: Trx) => {
        await trx
          .updateTable('voucher_voids')
          .set({ status: 'pending_send', sent_at: null })
          .where('voucher_no', '=', w.voucher_no)
          .where('status', '=', 'sent')
          .execute();
      },
    })),
    ...refunds
      .filter((r) => r.voucher_no)
      .map((r) => ({
        at: r.requested_at,
        msgType: 'refund_request' as const,
        ref: r.refund_no,
        businessDate: today,
        body: {
          refundNo: r.refund_no,
          voucherNo: r.voucher_no ?? '',
          amountFen: Number(r.amount_fen),
          reason: r.reason ?? '',
        } satisfies RefundRequestBody,
        mark: async (trx: Trx, at: string) =>
          (
            await trx
              .updateTable('refunds')
              .set({ status: 'sent', sent_at: at })
              .where('refund_no', '=', r.refund_no)
              .where('status', '=', 'pending_send')
              .executeTakeFirst()
          ).numUpdatedRows === 1n,
        unmark: async (trx: Trx) => {
          await trx
            .updateTable('refunds')
            .set({ status: 'pending_send', sent_at: null })
            .where('refund_no', '=', r.refund_no)
            .where('status', '=', 'sent')
            .execute();
        },
      })),
  ];
  return items.sort((a, b) => a.at.localeCompare(b.at)).slice(0, limit);
}

/** Marks the request sent and logs its message, with the next serial, in the send's transaction. */
export async function recordRequest(
  ctx: ProgramContext,
  trx: Trx,
  item: Outgoing,
  serials: Serials,
): Promise<AppMessage<unknown> | undefined> {
  const at = ctx.now().toISOString();
  const msgId = newMsgId();
  if (!(await item.mark(trx, at, msgId))) return undefined;
  // Status queries stay out of the serial sequence, so a serial realignment can use them.
  const serial = item.msgType === 'status_query' ? 0 : serials.take();
  const message = buildMessage(
    {
      msgType: item.msgType,
      serialNo: serial,
      sender: FINANCE,
      receiver: ctx.bank,
      sendTime: at,
      businessDate: item.businessDate,
      msgId,
    },
    item.body,
  );
  await trx
    .insertInto('message_log')
    .values({
      bank_code: ctx.bank,
      direction: 'out',
      kind: item.msgType,
      business_date: item.businessDate,
      serial_no: serial,
      ref_no: item.ref?.slice(0, 32) ?? null,
      msg_id: msgId,
      created_at: at,
    })
    .execute();
  return message;
}

/** Undoes `recordRequest` after a put that certainly failed. */
export async function undoRequest(
  ctx: ProgramContext,
  trx: Trx,
  item: Outgoing,
  message: AppMessage<unknown>,
): Promise<void> {
  const serial = message.head.serialNo;
  await item.unmark(trx);
  await trx.deleteFrom('message_log').where('msg_id', '=', message.head.msgId).execute();
  if (serial > 0) {
    await trx
      .updateTable('message_serials')
      .set({ last_serial: serial - 1, updated_at: ctx.now().toISOString() })
      .where('bank_code', '=', ctx.bank)
      .where('direction', '=', 'out')
      .where('last_serial', '=', serial)
      .execute();
  }
}

/** Files a status answer against the question that asked it (by the echoed queryId). */
export async function applyStatusAnswer(
  trx: Trx,
  bank: string,
  answer: StatusAnswerBody | VoucherAnswersBody,
  at: string,
): Promise<void> {
  if (isVoucherAnswers(answer)) {
    for (const one of answer.answers) await applyStatusAnswer(trx, bank, one, at);
    return;
  }
  if (!answer.queryId) return;
  await trx
    .updateTable('bank_queries')
    .set({ status: 'answered', answered_at: at, answer: JSON.stringify(answer) })
    .where('query_id', '=', answer.queryId)
    .where('bank_code', '=', bank)
    .where('status', '!=', 'answered')
    .execute();
}

/** The bank's answer to a void request: the void is confirmed (voucher voided) or refused. */
export async function applyVoidAnswer(
  trx: Trx,
  bank: string,
  answer: VoidAnswerBody,
  at: string,
): Promise<string> {
  const changed = await trx
    .updateTable('voucher_voids')
    .set({
      status: answer.result === 'voided' ? 'confirmed' : 'refused',
      answered_at: at,
      answer_reason: answer.reason ?? null,
    })
    .where('voucher_no', '=', answer.voucherNo)
    .where('bank_code', '=', bank)
    .where('status', 'in', ['sent', 'pending_send'])
    .executeTakeFirst();
  if (answer.result === 'voided' && changed.numUpdatedRows > 0n) {
    await trx
      .updateTable('vouchers')
      .set({ status: 'voided', updated_at: at })
      .where('voucher_no', '=', answer.voucherNo)
      .where('bank_code', '=', bank)
      .where('status', 'in', ['pending_send', 'sent', 'accepted', 'rejected', 'timed_out'])
      .execute();
  }
  return answer.voucherNo;
}

/**
 * A refund notice: settles finance's own request (same refundNo), or records the bank's refund
 * and matches it to its voucher — same bank, paid, same amount — or keeps it as unmatched.
 */
export async function applyRefundNotice(
  trx: Trx,
  bank: string,
  notice: RefundNoticeBody,
  at: string,
): Promise<string> {
  const existing = await trx
    .selectFrom('refunds')
    .select(['status', 'voucher_no', 'amount_fen'])
    .where('refund_no', '=', notice.refundNo)
    .where('bank_code', '=', bank)
    .executeTakeFirst();
  if (existing && ['matched', 'refused'].includes(existing.status)) return notice.refundNo;
  const problem =
    notice.result === 'refused' ? null : await matchProblem(trx, bank, notice.voucherNo, notice.amountFen);
  const status = notice.result === 'refused' ? 'refused' : problem ? 'unmatched' : 'matched';
  if (existing) {
    await trx
      .updateTable('refunds')
      .set({
        status,
        notified_at: at,
        refund_date: notice.refundDate,
        match_error: problem,
        matched_at: status === 'matched' ? at : null,
        ...(notice.result === 'refused' && notice.reason && { reason: notice.reason }),
      })
      .where('refund_no', '=', notice.refundNo)
      .where('bank_code', '=', bank)
      .execute();
  } else {
    await trx
      .insertInto('refunds')
      .values({
        refund_no: notice.refundNo,
        bank_code: bank,
        voucher_no: problem ? null : notice.voucherNo,
        amount_fen: notice.amountFen,
        initiated_by: notice.initiatedBy,
        status,
        reason: notice.reason ?? null,
        requested_at: at,
        sent_at: null,
        notified_at: at,
        refund_date: notice.refundDate,
        match_error: problem,
        matched_at: status === 'matched' ? at : null,
      })
      .execute();
  }
  if (status === 'matched') {
    await trx
      .updateTable('vouchers')
      .set({ status: 'refunded', updated_at: at })
      .where('voucher_no', '=', notice.voucherNo)
      .where('bank_code', '=', bank)
      .where('status', '=', 'paid')
      .execute();
  }
  return notice.refundNo;
}

async function matchProblem(
  trx: Trx,
  bank: string,
  voucherNo: string,
  amountFen: number,
): Promise<string | null> {
  const voucher = await trx
    .selectFrom('vouchers')
    .select(['amount_fen', 'status'])
    .where('voucher_no', '=', voucherNo)
    .where('bank_code', '=', bank)
    .executeTakeFirst();
  if (!voucher) return `退款通知所列凭证号 ${voucherNo} 在财政端不存在`;
  if (voucher.status !== 'paid') return `凭证 ${voucherNo} 状态为 ${voucher.status}，不是已支付`;
  if (Number(voucher.amount_fen) !== amountFen)
    return `退款金额 ${amountFen} 与凭证金额 ${Number(voucher.amount_fen)} 不符`;
  return null;
}
