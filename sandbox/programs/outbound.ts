/**
 * The send half of the send/receive program: vouchers and quota notices waiting in status
 * pending_send go to the bank, oldest first, each with the next application serial number.
 *
 * Order per batch: RECORD, THEN PUT. One transaction takes each message's serial, marks its item
 * sent and writes its `out` message_log row; only after it commits are the messages put, in one
 * unit of work. So a message is never on the wire without a record. If the put then fails for
 * certain (the queue manager refused it, taking none, or was unreachable), a second transaction
 * undoes the records; if its outcome is unknown (a timeout after the request left) they stay: the
 * items are `sent` without an ack, which the failed voucher runbook settles by asking the bank
 * before any resend. The reverse order (put, then record) could leave a voucher on the wire still
 * pending_send, and the next round would send it again under a new serial.
 */
import type { Kysely, Transaction } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import type { AppMessage, QuotaNoticeBody, VoucherBody } from '../messages.ts';
import { buildMessage, FINANCE, newMsgId } from '../messages.ts';
import type { MessagingClient } from './messaging-client.ts';
import { MessagingError } from './messaging-client.ts';

type Db = Kysely<TreasuryDatabase>;
type Trx = Transaction<TreasuryDatabase>;

/** What a send/receive program's loops work with, for one bank. */
export interface ProgramContext {
  db: Db;
  mq: MessagingClient;
  bank: string;
  financeQmgr: string;
  now: () => Date;
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

interface PendingItem {
  kind: 'direct_payment' | 'authorized_payment' | 'quota_notice';
  ref: string;
  submittedAt: string;
}

export async function voucherBody(db: Db, voucherNo: string): Promise<VoucherBody | undefined> {
  return (await voucherBodies(db, [voucherNo])).get(voucherNo)?.body;
}

/** The message bodies of these vouchers and their business dates, by voucher number, in one query. */
async function voucherBodies(
  db: Db,
  voucherNos: readonly string[],
): Promise<Map<string, { body: VoucherBody; businessDate: string }>> {
  if (voucherNos.length === 0) return new Map();
  const rows = await db
    .selectFrom('vouchers as v')
    .leftJoin('payee_accounts as p', 'p.id', 'v.payee_account_id')
    .leftJoin('budget_units as u', 'u.code', 'v.budget_unit_code')
    .leftJoin('budget_subjects as s', 's.code', 'v.subject_code')
    .select([
      'v.voucher_no',
      'v.fiscal_year',
      'v.pay_type',
      'v.amount_fen',
      'v.budget_unit_code',
      'v.subject_code',
      'v.business_date',
      'p.account_no',
      'p.account_name',
      'p.bank_name',
      'p.version as payee_version',
      'u.version as unit_version',
      's.version as subject_version',
    ])
    .where('v.voucher_no', 'in', voucherNos)
    .execute();
  return new Map(
    rows.map((row) => [
      row.voucher_no,
      {
        businessDate: row.business_date,
        body: {
          voucherNo: row.voucher_no,
          fiscalYear: row.fiscal_year,
          payType: row.pay_type,
          amountFen: Number(row.amount_fen),
          payeeAccountNo: row.account_no ?? '',
          payeeAccountName: row.account_name ?? '',
          payeeBankName: row.bank_name ?? '',
          budgetUnitCode: row.budget_unit_code,
          subjectCode: row.subject_code,
          baseDataVersion: {
            budget_unit: row.unit_version ?? 0,
            payee_account: row.payee_version ?? 0,
            subject: row.subject_version ?? 0,
          },
        },
      },
    ]),
  );
}

export async function noticeBody(db: Db, noticeNo: string): Promise<QuotaNoticeBody | undefined> {
  const row = await db
    .selectFrom('quota_notices as n')
    .innerJoin('quotas as q', 'q.quota_id', 'n.quota_id')
    .select(['n.notice_no', 'n.quota_id', 'n.amount_fen', 'q.budget_unit_code', 'q.subject_code'])
    .where('n.notice_no', '=', noticeNo)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    noticeNo: row.notice_no,
    quotaId: row.quota_id,
    budgetUnitCode: row.budget_unit_code,
    subjectCode: row.subject_code,
    amountFen: Number(row.amount_fen),
  };
}

async function pending(db: Db, bank: string, limit: number): Promise<PendingItem[]> {
  const vouchers = await db
    .selectFrom('vouchers')
    .select(['voucher_no', 'pay_type', 'submitted_at'])
    .where('bank_code', '=', bank)
    .where('status', '=', 'pending_send')
    .orderBy('submitted_at')
    .limit(limit)
    .execute();
  const notices = await db
    .selectFrom('quota_notices')
    .select(['notice_no', 'submitted_at'])
    .where('bank_code', '=', bank)
    .where('status', '=', 'pending_send')
    .orderBy('submitted_at')
    .limit(limit)
    .execute();
  return [
    ...vouchers.map((v) => ({
      kind: v.pay_type === 'authorized' ? ('authorized_payment' as const) : ('direct_payment' as const),
      ref: v.voucher_no,
      submittedAt: v.submitted_at ?? '',
    })),
    ...notices.map((n) => ({ kind: 'quota_notice' as const, ref: n.notice_no, submittedAt: n.submitted_at })),
  ]
    .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt))
    .slice(0, limit);
}

/** Sends what is pending for the bank, in one unit of work; returns how many messages were put. */
export async function sendPending(ctx: ProgramContext, limit = 500): Promise<number> {
  const items = await pending(ctx.db, ctx.bank, limit);
  const voucherNos = items.filter((i) => i.kind !== 'quota_notice').map((i) => i.ref);
  // Read once, in the send's transaction, when its first voucher is recorded.
  let bodies: Promise<Awaited<ReturnType<typeof voucherBodies>>> | undefined;
  return putRecorded(ctx, items, {
    what: 'send',
    ref: (item) => item.ref,
    record: (trx, item, serials) =>
      item.kind === 'quota_notice'
        ? recordNotice(ctx, trx, item, serials)
        : recordVoucher(ctx, trx, item, serials, (bodies ??= voucherBodies(trx, voucherNos))),
    undo: (trx, item, message) => undo(ctx, trx, item, message),
  });
}

/** The next out serials of one send's transaction: read once, handed out in order, written once. */
export interface Serials {
  /** The serial the next message takes. */
  peek(): number;
  /** Takes it. */
  take(): number;
}

/**
 * The program's one way to send: record the messages with their rows first, in one transaction
 * (so none is on the wire without a record), then put them in one unit of work. When the put
 * certainly failed — the queue manager took none of them — the records are undone, newest first;
 * when its outcome is unknown they stay recorded as sent, for a status query to settle. Returns
 * how many were put.
 */
export async function putRecorded<T, M extends AppMessage<unknown>>(
  ctx: ProgramContext,
  items: readonly T[],
  steps: {
    what: string;
    ref: (item: T) => string;
    /** Records one item in the batch's transaction; nothing when it is no longer to be sent. */
    record: (trx: Trx, item: T, serials: Serials) => Promise<M | undefined | null>;
    undo: (trx: Trx, item: T, message: M) => Promise<void>;
  },
): Promise<number> {
  if (items.length === 0) return 0;
  const recorded = await ctx.db.transaction().execute(async (trx) => {
    const serials = await outSerials(trx, ctx.bank);
    const out: { item: T; message: M }[] = [];
    for (const item of items) {
      const message = await steps.record(trx, item, serials);
      if (message) out.push({ item, message });
    }
    await serials.save(ctx.now().toISOString());
    return out;
  });
  if (recorded.length === 0) return 0;
  try {
    await ctx.mq.putAll(
      ctx.financeQmgr,
      `PAY.TO.${ctx.bank}`,
      recorded.map((r) => JSON.stringify(r.message)),
    );
    return recorded.length;
  } catch (err) {
    const refs = recorded.map((r) => steps.ref(r.item));
    if (err instanceof MessagingError && err.definite) {
      await ctx.db.transaction().execute(async (trx) => {
        for (const r of [...recorded].reverse()) await steps.undo(trx, r.item, r.message);
      });
      ctx.log?.('warn', `put failed; ${steps.what} undone`, { refs, error: err.message });
    } else {
      ctx.log?.('error', `put outcome unknown; ${steps.what} left as sent`, { refs, error: String(err) });
    }
    return 0;
  }
}

async function recordVoucher(
  ctx: ProgramContext,
  trx: Trx,
  item: PendingItem,
  serials: Serials,
  bodies: ReturnType<typeof voucherBodies>,
): Promise<AppMessage<unknown> | undefined> {
  const found = (await bodies).get(item.ref);
  if (!found) return undefined;
  const at = ctx.now().toISOString();
  // Still waiting to be sent, or taken by a change since the batch was read: then not sent.
  const marked = await trx
    .updateTable('vouchers')
    .set({ status: 'sent', sent_at: at, serial_no: serials.peek(), updated_at: at })
    .where('voucher_no', '=', item.ref)
    .where('status', '=', 'pending_send')
    .executeTakeFirst();
  if (marked.numUpdatedRows !== 1n) return undefined;
  return logged(ctx, trx, item, found.businessDate, serials.take(), found.body, at);
}

async function recordNotice(
  ctx: ProgramContext,
  trx: Trx,
  item: PendingItem,
  serials: Serials,
): Promise<AppMessage<unknown> | undefined> {
  const body = await noticeBody(trx, item.ref);
  if (!body) return undefined;
  const at = ctx.now().toISOString();
  const row = await trx
    .selectFrom('quota_notices')
    .select(['business_date'])
    .where('notice_no', '=', item.ref)
    .where('status', '=', 'pending_send')
    .executeTakeFirst();
  if (!row) return undefined;
  await trx
    .updateTable('quota_notices')
    .set({ status: 'sent', sent_at: at })
    .where('notice_no', '=', item.ref)
    .execute();
  return logged(ctx, trx, item, row.business_date, serials.take(), body, at);
}

/** The item's message, with its `out` message_log row written. */
async function logged(
  ctx: ProgramContext,
  trx: Trx,
  item: PendingItem,
  businessDate: string,
  serial: number,
  body: VoucherBody | QuotaNoticeBody,
  at: string,
): Promise<AppMessage<unknown>> {
  const message = buildMessage(
    {
      msgType: item.kind,
      serialNo: serial,
      sender: FINANCE,
      receiver: ctx.bank,
      sendTime: at,
      businessDate,
      msgId: newMsgId(),
    },
    body,
  );
  await trx
    .insertInto('message_log')
    .values({
      bank_code: ctx.bank,
      direction: 'out',
      kind: item.kind,
      business_date: businessDate,
      serial_no: serial,
      ref_no: item.ref,
      msg_id: message.head.msgId,
      created_at: at,
    })
    .execute();
  return message;
}

async function undo(
  ctx: ProgramContext,
  trx: Trx,
  item: PendingItem,
  message: AppMessage<unknown>,
): Promise<void> {
  const serial = message.head.serialNo;
  const at = ctx.now().toISOString();
  if (item.kind === 'quota_notice') {
    await trx
      .updateTable('quota_notices')
      .set({ status: 'pending_send', sent_at: null })
      .where('notice_no', '=', item.ref)
      .where('status', '=', 'sent')
      .execute();
  } else {
    await trx
      .updateTable('vouchers')
      .set({ status: 'pending_send', sent_at: null, serial_no: null, updated_at: at })
      .where('voucher_no', '=', item.ref)
      .where('status', '=', 'sent')
      .where('serial_no', '=', serial)
      .execute();
  }
  await trx.deleteFrom('message_log').where('msg_id', '=', message.head.msgId).execute();
  await trx
    .updateTable('message_serials')
    .set({ last_serial: serial - 1, updated_at: at })
    .where('bank_code', '=', ctx.bank)
    .where('direction', '=', 'out')
    .where('last_serial', '=', serial)
    .execute();
}

/** The bank's out serials for one send's transaction (see Serials). */
async function outSerials(trx: Trx, bank: string): Promise<Serials & { save(at: string): Promise<void> }> {
  const row = await trx
    .selectFrom('message_serials')
    .select('last_serial')
    .where('bank_code', '=', bank)
    .where('direction', '=', 'out')
    .executeTakeFirst();
  const first = row?.last_serial ?? 0;
  let last = first;
  return {
    peek: () => last + 1,
    take: () => ++last,
    async save(at) {
      if (last === first) return;
      if (row) {
        await trx
          .updateTable('message_serials')
          .set({ last_serial: last, updated_at: at })
          .where('bank_code', '=', bank)
          .where('direction', '=', 'out')
          .execute();
      } else {
        await trx
          .insertInto('message_serials')
          .values({ bank_code: bank, direction: 'out', last_serial: last, updated_at: at })
          .execute();
      }
    },
  };
}
