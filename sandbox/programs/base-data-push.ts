/**
 * The send/receive program's base-data updates (基础资料更新): pushes a runbook has asked for in
 * `base_data_pushes` go to the bank as `base_data` messages carrying the records of that kind the
 * bank has not acknowledged yet, each with the next application serial — record, then put, as
 * outbound.ts does. The bank's `base_data_ack` settles the push (acked or rejected, with the
 * reason); inbound.ts already advances `base_data_versions.version_acked`.
 */
import type { Transaction } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import type { BaseDataKind } from '../../domain/base-data.ts';
import { localDate } from '../calendar.ts';
import type { AppMessage, BaseDataAckBody, BaseDataBody } from '../messages.ts';
import { buildMessage, FINANCE, newMsgId } from '../messages.ts';
import { putRecorded, type ProgramContext, type Serials } from './outbound.ts';

type Trx = Transaction<TreasuryDatabase>;

export interface BaseDataPushBody extends BaseDataBody {
  /** The records of `kind` above the version the bank has acknowledged. */
  records: Record<string, string | number>[];
}

/** Sends the pending base-data pushes for the bank; returns how many messages were put. */
export async function sendBaseDataPushes(ctx: ProgramContext, limit = 20): Promise<number> {
  const pending = await ctx.db
    .selectFrom('base_data_pushes')
    .select(['push_id', 'kind', 'version'])
    .where('bank_code', '=', ctx.bank)
    .where('status', '=', 'pending_send')
    .orderBy('requested_at')
    .limit(limit)
    .execute();
  return putRecorded(ctx, pending, {
    what: 'base-data push',
    ref: (push) => push.push_id,
    record: (trx, push, serials) => record(ctx, trx, serials, push.push_id, push.kind, push.version),
    undo: (trx, push, message) => undo(ctx, trx, push.push_id, message),
  });
}

async function record(
  ctx: ProgramContext,
  trx: Trx,
  serials: Serials,
  pushId: string,
  kind: BaseDataKind,
  version: number,
): Promise<AppMessage<BaseDataPushBody> | undefined> {
  const at = ctx.now().toISOString();
  const msgId = newMsgId();
  const marked = await trx
    .updateTable('base_data_pushes')
    .set({ status: 'sent', sent_at: at })
    .where('push_id', '=', pushId)
    .where('status', '=', 'pending_send')
    .executeTakeFirst();
  if (marked.numUpdatedRows !== 1n) return undefined;
  const acked = await trx
    .selectFrom('base_data_versions')
    .select('version_acked')
    .where('bank_code', '=', ctx.bank)
    .where('kind', '=', kind)
    .executeTakeFirst();
  const records = await recordsAbove(trx, kind, acked?.version_acked ?? 0);
  const serial = serials.take();
  const businessDate = localDate(ctx.now());
  const message = buildMessage(
    {
      msgType: 'base_data',
      serialNo: serial,
      sender: FINANCE,
      receiver: ctx.bank,
      sendTime: at,
      businessDate,
      msgId,
    },
    { kind, version, records } satisfies BaseDataPushBody,
  );
  await trx
    .updateTable('base_data_versions')
    .set({ version_sent: version, updated_at: at })
    .where('bank_code', '=', ctx.bank)
    .where('kind', '=', kind)
    .where('version_sent', '<', version)
    .execute();
  await trx
    .insertInto('message_log')
    .values({
      bank_code: ctx.bank,
      direction: 'out',
      kind: 'base_data',
      business_date: businessDate,
      serial_no: serial,
      ref_no: kind,
      msg_id: msgId,
      created_at: at,
    })
    .execute();
  return message;
}

async function recordsAbove(trx: Trx, kind: BaseDataKind, version: number) {
  if (kind === 'payee_account') {
    const rows = await trx
      .selectFrom('payee_accounts')
      .select(['id', 'account_no', 'account_name', 'bank_name', 'version'])
      .where('version', '>', version)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      accountNo: r.account_no,
      accountName: r.account_name,
      bankName: r.bank_name,
      version: r.version,
    }));
  }
  const rows = await trx
    .selectFrom(kind === 'budget_unit' ? 'budget_units' : 'budget_subjects')
    .select(['code', 'name', 'version'])
    .where('version', '>', version)
    .orderBy('code')
    .execute();
  return rows.map((r) => ({ code: r.code, name: r.name, version: r.version }));
}

async function undo(ctx: ProgramContext, trx: Trx, pushId: string, message: AppMessage<BaseDataPushBody>) {
  const serial = message.head.serialNo;
  await trx
    .updateTable('base_data_pushes')
    .set({ status: 'pending_send', sent_at: null })
    .where('push_id', '=', pushId)
    .where('status', '=', 'sent')
    .execute();
  await trx.deleteFrom('message_log').where('msg_id', '=', message.head.msgId).execute();
  await trx
    .updateTable('message_serials')
    .set({ last_serial: serial - 1, updated_at: ctx.now().toISOString() })
    .where('bank_code', '=', ctx.bank)
    .where('direction', '=', 'out')
    .where('last_serial', '=', serial)
    .execute();
}

/** Files the bank's base-data ack against the pushes it answers (same kind, up to its version). */
export async function applyBaseDataAck(
  trx: Trx,
  bank: string,
  ack: BaseDataAckBody,
  at: string,
): Promise<void> {
  const accepted = ack.result === 'accepted';
  await trx
    .updateTable('base_data_pushes')
    .set({
      status: accepted ? 'acked' : 'rejected',
      answered_at: at,
      answer_reason: ack.reason ?? null,
    })
    .where('bank_code', '=', bank)
    .where('kind', '=', ack.kind)
    .where('status', '=', 'sent')
    .where('version', accepted ? '<=' : '=', ack.version)
    .execute();
}
