/**
 * The receive half of the send/receive program: takes the bank's messages from PAY.FROM.<B> and
 * applies them, a batch in one transaction, each with its `in` message_log row — acks move
 * vouchers to accepted or rejected (timed_out when the bank's window had closed), receipts are
 * stored, registered and mark the voucher paid, reports land in bank_reports, base-data acks
 * advance the acked version.
 * Applying is idempotent by the message's msgId, so a message seen twice changes nothing; that
 * lets the next messages be browsed, applied in one transaction, and only then removed from the
 * queue by their MQ message ids: a failed transaction or a dropped HTTP reply leaves them for the
 * next round instead of losing them.
 */
import type { Insertable, Transaction } from 'kysely';
import type { MessageLogTable, TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import type {
  AckBody,
  AppMessage,
  BaseDataAckBody,
  QuotaYearAnswerBody,
  ReceiptBody,
  RefundNoticeBody,
  ReportBody,
  StatusAnswerBody,
  VoidAnswerBody,
  VoucherAnswersBody,
} from '../messages.ts';
import { parseMessage } from '../messages.ts';
import { rejectionCodes } from '../bank/validate.ts';
import { applyRefundNotice, applyStatusAnswer, applyVoidAnswer } from './bank-requests.ts';
import { applyBaseDataAck } from './base-data-push.ts';
import { applyQuotaYearAnswer } from './quota-year-notices.ts';
import type { ProgramContext } from './outbound.ts';
import { isVoucherAnswers } from './voucher-queries.ts';

type Trx = Transaction<TreasuryDatabase>;

/**
 * Receives and applies what the bank has sent — the next messages on the queue, applied in one
 * transaction, then taken off the queue; returns how many were applied.
 */
export async function receiveAll(ctx: ProgramContext, limit = 500): Promise<number> {
  const queue = `PAY.FROM.${ctx.bank}`;
  const received = await ctx.mq.browse(ctx.financeQmgr, queue, limit);
  if (received.length === 0) return 0;
  const messages = received.flatMap(({ msgId, body }) => {
    const parsed = parseMessage(body);
    if (parsed.ok) return [parsed.message];
    ctx.log?.('error', 'unreadable message from bank discarded', { msgId, error: parsed.error });
    return [];
  });
  const applied = await ctx.db.transaction().execute((trx) => applyNew(ctx, trx, messages));
  await ctx.mq.getAll(
    ctx.financeQmgr,
    queue,
    received.map((r) => r.msgId),
  );
  return applied;
}

/**
 * Applies, in order, the messages whose msgId was not applied before, with their `in` message_log
 * rows, and moves the bank's last serial in to the highest of them; how many it applied.
 */
async function applyNew(ctx: ProgramContext, trx: Trx, messages: AppMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const seen = new Set(
    (
      await trx
        .selectFrom('message_log')
        .select('msg_id')
        .where('direction', '=', 'in')
        .where(
          'msg_id',
          'in',
          messages.map((m) => m.head.msgId),
        )
        .execute()
    ).map((r) => r.msg_id),
  );
  const at = ctx.now().toISOString();
  const logged: Insertable<MessageLogTable>[] = [];
  let lastSerial = 0;
  for (const message of messages) {
    const { head } = message;
    if (seen.has(head.msgId)) continue;
    seen.add(head.msgId);
    const ref = await apply(trx, ctx.bank, message, at);
    logged.push({
      bank_code: ctx.bank,
      direction: 'in',
      kind: head.msgType,
      business_date: head.businessDate,
      serial_no: head.serialNo,
      ref_no: ref,
      msg_id: head.msgId,
      created_at: at,
    });
    lastSerial = Math.max(lastSerial, head.serialNo);
  }
  if (logged.length === 0) return 0;
  await trx.insertInto('message_log').values(logged).execute();
  const serial = await trx
    .selectFrom('message_serials')
    .select('last_serial')
    .where('bank_code', '=', ctx.bank)
    .where('direction', '=', 'in')
    .executeTakeFirst();
  if (!serial) {
    await trx
      .insertInto('message_serials')
      .values({ bank_code: ctx.bank, direction: 'in', last_serial: lastSerial, updated_at: at })
      .execute();
  } else if (lastSerial > serial.last_serial) {
    await trx
      .updateTable('message_serials')
      .set({ last_serial: lastSerial, updated_at: at })
      .where('bank_code', '=', ctx.bank)
      .where('direction', '=', 'in')
      .execute();
  }
  return logged.length;
}

async function apply(trx: Trx, bank: string, message: AppMessage, at: string): Promise<string | null> {
  switch (message.head.msgType) {
    case 'voucher_ack':
      return applyAck(trx, bank, message.body as unknown as AckBody, at);
    case 'receipt':
      return applyReceipt(trx, bank, message.body as unknown as ReceiptBody, at);
    case 'daily_report':
    case 'payment_list':
    case 'recon_file':
      await applyReport(trx, bank, message.head.msgType, message.body as unknown as ReportBody, at);
      return null;
    case 'base_data_ack': {
      const ack = message.body as unknown as BaseDataAckBody;
      await applyBaseDataAck(trx, bank, ack, at);
      if (ack.result === 'accepted') {
        await trx
          .updateTable('base_data_versions')
          .set({ version_acked: ack.version, updated_at: at })
          .where('bank_code', '=', bank)
          .where('kind', '=', ack.kind)
          .where('version_acked', '<', ack.version)
          .execute();
      }
      return ack.kind ?? null;
    }
    case 'status_answer': {
      const answer = message.body as unknown as StatusAnswerBody | VoucherAnswersBody;
      await applyStatusAnswer(trx, bank, answer, at);
      return isVoucherAnswers(answer)
        ? null
        : (answer.voucherNo ?? answer.reportKind ?? answer.refund?.refundNo ?? null);
    }
    case 'void_answer':
      return applyVoidAnswer(trx, bank, message.body as unknown as VoidAnswerBody, at);
    case 'refund_notice':
      return applyRefundNotice(trx, bank, message.body as unknown as RefundNoticeBody, at);
    case 'quota_year_answer':
      return applyQuotaYearAnswer(trx, bank, message.body as unknown as QuotaYearAnswerBody, at);
    default:
      return null;
  }
}

async function applyAck(trx: Trx, bank: string, ack: AckBody, at: string): Promise<string> {
  if (ack.refKind === 'quota_notice') {
    await trx
      .updateTable('quota_notices')
      .set({ status: ack.result === 'accepted' ? 'accepted' : 'rejected' })
      .where('notice_no', '=', ack.refNo)
      .where('bank_code', '=', bank)
      .where('status', 'in', ['sent', 'pending_send'])
      .execute();
    return ack.refNo;
  }
  const base = trx
    .updateTable('vouchers')
    .where('voucher_no', '=', ack.refNo)
    .where('bank_code', '=', bank)
    .where('status', 'in', ['sent', 'pending_send', 'timed_out', 'rejected']);
  if (ack.result === 'accepted') {
    // A duplicate answered 'paid' still only moves the voucher to accepted: paid comes with the receipt.
    await base
      .set({ status: 'accepted', accepted_at: at, failure_code: null, failure_reason: null, updated_at: at })
      .execute();
  } else {
    await base
      .set({
        status: ack.code === rejectionCodes.window ? 'timed_out' : 'rejected',
        failure_code: ack.code ?? 'E_UNKNOWN',
        failure_reason: ack.reason ?? null,
        updated_at: at,
      })
      .execute();
  }
  return ack.refNo;
}

async function applyReceipt(trx: Trx, bank: string, receipt: ReceiptBody, at: string): Promise<string> {
  const existing = await trx
    .selectFrom('receipts')
    .select(['receipt_no', 'registered', 'voucher_no'])
    .where('receipt_no', '=', receipt.receiptNo)
    .executeTakeFirst();
  if (existing) {
    // A receipt sent again (the bank answering a resent voucher) only re-confirms the payment.
    if (existing.registered && existing.voucher_no === receipt.voucherNo)
      await markPaid(trx, bank, receipt, at);
    return receipt.voucherNo;
  }
  const voucher = await trx
    .selectFrom('vouchers')
    .select(['amount_fen', 'status'])
    .where('voucher_no', '=', receipt.voucherNo)
    .where('bank_code', '=', bank)
    .executeTakeFirst();
  const problem = !voucher
    ? '回单对应的支付凭证不存在'
    : Number(voucher.amount_fen) !== receipt.amountFen
      ? `回单金额 ${receipt.amountFen} 与凭证金额 ${voucher.amount_fen} 不符`
      : null;
  await trx
    .insertInto('receipts')
    .values({
      receipt_no: receipt.receiptNo,
      bank_code: bank,
      voucher_no: receipt.voucherNo,
      amount_fen: receipt.amountFen,
      paid_date: receipt.paidDate,
      received_at: at,
      registered: problem ? 0 : 1,
      registered_at: problem ? null : at,
      register_error: problem,
    })
    .execute();
  if (!problem) await markPaid(trx, bank, receipt, at);
  return receipt.voucherNo;
}

async function markPaid(trx: Trx, bank: string, receipt: ReceiptBody, at: string): Promise<void> {
  await trx
    .updateTable('vouchers')
    .set({
      status: 'paid',
      paid_at: receipt.paidAt,
      accepted_at: (eb) => eb.fn.coalesce('accepted_at', eb.val(at)),
      updated_at: at,
    })
    .where('voucher_no', '=', receipt.voucherNo)
    .where('bank_code', '=', bank)
    .where('status', 'in', ['sent', 'accepted', 'pending_send'])
    .execute();
}

async function applyReport(
  trx: Trx,
  bank: string,
  kind: 'daily_report' | 'payment_list' | 'recon_file',
  report: ReportBody,
  at: string,
) {
  const row = {
    bank_code: bank,
    kind,
    business_date: report.reportDate,
    received_at: at,
    line_count: report.lineCount,
    total_fen: report.totalFen,
    content_digest: report.digest,
  };
  await trx
    .insertInto('bank_reports')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['bank_code', 'kind', 'business_date']).doUpdateSet({
        received_at: at,
        line_count: report.lineCount,
        total_fen: report.totalFen,
        content_digest: report.digest,
      }),
    )
    .execute();
}
