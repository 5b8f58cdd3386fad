/**
 * One cycle of the exchange client's work over the payment system's interface table
 * (`exchange_items`, keyed by division, year, voucher type, number and direction):
 * 1. collect: each paid voucher of an exchanged type gets an `up` item, pending;
 * 2. uplink (上行): pending and replayed `up` items go to the platform as payment data, a page of
 *    at most 100 per call; the platform's acknowledgement (accepted or duplicate) marks them
 *    delivered; a refused call leaves them pending with the error and one more attempt;
 * 3. downlink (下行): unsigned vouchers, read a page of at most 100 at a time, become vouchers of
 *    the payment system (pending_send, for the send/receive program) and are signed for (签收);
 *    a voucher whose base data (budget unit, subject, payee account, bank) is not known here is
 *    returned (退回) with the reason, and its item left failed;
 * 4. replay: `down` items an engineer set to `replay` are fetched again by status query and taken
 *    as in 3; the platform acknowledges a second signing as a duplicate, and the local voucher is
 *    inserted once (its number is the key).
 * Payee data never reaches the log: items are logged by key only.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import {
  exchangeVoucherTypes,
  maxPageSize,
  voucherTypeOfPayType,
  type DownVoucher,
  type ExchangeQueue,
  type ExchangeVoucherType,
  type ItemKey,
  type PaymentData,
} from '../../domain/exchange-protocol.ts';
import type { PlatformClient } from './exchange-platform-client.ts';
import { retryWhenBusy } from './busy-retry.ts';
import { insertPendingVoucher } from './issue-vouchers.ts';

type Db = Kysely<TreasuryDatabase>;
type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface CycleDeps {
  db: Db;
  platform: PlatformClient;
  division: string;
  voucherTypes: readonly ExchangeVoucherType[];
  now: () => Date;
  log: Log;
  /** Pages per direction and type in one cycle, so one cycle stays short. */
  maxPages?: number;
}

/** Runs every step; a step that fails does not stop the others. Returns the errors met. */
export async function runCycle(deps: CycleDeps): Promise<Error[]> {
  const errors: Error[] = [];
  const step = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      deps.log('warn', `${name} failed`, { error: (err as Error).message });
      errors.push(err as Error);
    }
  };
  await step('collect', () => collect(deps));
  await step('uplink', () => uplink(deps));
  for (const type of deps.voucherTypes) await step(`downlink ${type}`, () => downlink(deps, type));
  await step('replay', () => replayDown(deps));
  return errors;
}

async function collect({ db, division, voucherTypes, now }: CycleDeps): Promise<void> {
  const payTypes = voucherTypes.map((t) => exchangeVoucherTypes[t]);
  const paid = await db
    .selectFrom('vouchers as v')
    .select(['v.voucher_no', 'v.fiscal_year', 'v.pay_type', 'v.budget_unit_code', 'v.amount_fen'])
    .where('v.status', '=', 'paid')
    .where('v.pay_type', 'in', payTypes)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('exchange_items as e')
            .select('e.voucher_no')
            .whereRef('e.voucher_no', '=', 'v.voucher_no')
            .where('e.division', '=', division)
            .where('e.direction', '=', 'up'),
        ),
      ),
    )
    .limit(500)
    .execute();
  if (paid.length === 0) return;
  const at = now().toISOString();
  await db
    .insertInto('exchange_items')
    .values(
      paid.map((v) => ({
        division,
        fiscal_year: v.fiscal_year,
        voucher_type: voucherTypeOfPayType(v.pay_type),
        voucher_no: v.voucher_no,
        direction: 'up' as const,
        status: 'pending' as const,
        budget_unit_code: v.budget_unit_code,
        amount_fen: v.amount_fen,
        attempts: 0,
        last_error: null,
        created_at: at,
        updated_at: at,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const keyOf = (r: { fiscal_year: number; voucher_type: string; voucher_no: string }): ItemKey => ({
  fiscalYear: r.fiscal_year,
  voucherType: r.voucher_type as ExchangeVoucherType,
  voucherNo: r.voucher_no,
});

/** Sets status (and error) on items of one direction, one more attempt each. */
async function mark(
  deps: CycleDeps,
  direction: 'up' | 'down',
  keys: readonly ItemKey[],
  status: 'delivered' | 'pending' | 'received' | 'confirmed' | 'failed',
  error: string | null,
): Promise<void> {
  const at = deps.now().toISOString();
  await retryWhenBusy(() =>
    deps.db.transaction().execute(async (trx) => {
      for (const k of keys)
        await trx
          .updateTable('exchange_items')
          .set((eb) => ({ status, last_error: error, attempts: eb('attempts', '+', 1), updated_at: at }))
          .where('division', '=', deps.division)
          .where('fiscal_year', '=', k.fiscalYear)
          .where('voucher_type', '=', k.voucherType)
          .where('voucher_no', '=', k.voucherNo)
          .where('direction', '=', direction)
          .execute();
    }),
  );
}

async function uplink(deps: CycleDeps): Promise<void> {
  const { db, division, voucherTypes, platform } = deps;
  for (let page = 0; page < (deps.maxPages ?? 5); page++) {
    const rows = await db
      .selectFrom('exchange_items as e')
      .innerJoin('vouchers as v', 'v.voucher_no', 'e.voucher_no')
      .select([
        'e.fiscal_year',
        'e.voucher_type',
        'e.voucher_no',
        'e.amount_fen',
        'e.budget_unit_code',
        'v.paid_at',
      ])
      .where('e.division', '=', division)
      .where('e.direction', '=', 'up')
      .where('e.status', 'in', ['pending', 'replay'])
      .where('e.voucher_type', 'in', voucherTypes)
      .orderBy('e.created_at')
      .orderBy('e.voucher_no')
      .limit(maxPageSize)
      .execute();
    if (rows.length === 0) return;
    const items: PaymentData[] = rows.map((r) => ({
      ...keyOf(r),
      status: 'paid',
      amountFen: Number(r.amount_fen),
      paidAt: r.paid_at ?? '',
      budgetUnitCode: r.budget_unit_code,
    }));
    let results;
    try {
      results = await platform.upload(items);
    } catch (err) {
      await mark(deps, 'up', items, 'pending', (err as Error).message.slice(0, 400));
      throw err;
    }
    const taken = results.filter((r) => r.result === 'accepted' || r.result === 'duplicate');
    const refused = results.filter((r) => r.result !== 'accepted' && r.result !== 'duplicate');
    await mark(deps, 'up', taken, 'delivered', null);
    for (const r of refused) await mark(deps, 'up', [r], 'failed', `省级平台未接收：${r.result}`);
    deps.log('info', 'payment data delivered', { delivered: taken.length, refused: refused.length });
    if (rows.length < maxPageSize) return;
  }
}

async function downlink(deps: CycleDeps, voucherType: ExchangeVoucherType): Promise<void> {
  for (let page = 0; page < (deps.maxPages ?? 5); page++) {
    const { vouchers, more } = await deps.platform.unsigned(voucherType, maxPageSize);
    if (vouchers.length === 0) return;
    await settle(deps, vouchers);
    if (!more) return;
  }
}

async function replayDown(deps: CycleDeps): Promise<void> {
  const rows = await deps.db
    .selectFrom('exchange_items')
    .select(['fiscal_year', 'voucher_type', 'voucher_no'])
    .where('division', '=', deps.division)
    .where('direction', '=', 'down')
    .where('status', '=', 'replay')
    .orderBy('updated_at')
    .limit(maxPageSize)
    .execute();
  const vouchers: DownVoucher[] = [];
  for (const r of rows) {
    const answer = await deps.platform.voucher(keyOf(r));
    if (answer) vouchers.push(answer.voucher);
    else await mark(deps, 'down', [keyOf(r)], 'failed', '省级平台无此凭证');
  }
  if (vouchers.length > 0) {
    deps.log('info', 'replaying downlink items', { items: vouchers.map((v) => v.voucherNo) });
    await settle(deps, vouchers);
  }
}

/** Takes each voucher (or finds why not), then signs for the taken and returns the others. */
async function settle(deps: CycleDeps, vouchers: readonly DownVoucher[]): Promise<void> {
  const signs: ItemKey[] = [];
  const returns: (ItemKey & { reason: string })[] = [];
  for (const v of vouchers) {
    const key = keyOf({ fiscal_year: v.fiscalYear, voucher_type: v.voucherType, voucher_no: v.voucherNo });
    const reason = await take(deps, v);
    if (reason) returns.push({ ...key, reason });
    else signs.push(key);
  }
  if (signs.length > 0) {
    const results = await deps.platform.sign(signs);
    const signed = results.filter((r) => r.result === 'accepted' || r.result === 'duplicate');
    await mark(deps, 'down', signed, 'confirmed', null);
    for (const r of results.filter((x) => !signed.includes(x)))
      await mark(deps, 'down', [r], 'failed', `签收未被接受：${r.result}`);
  }
  if (returns.length > 0) {
    await deps.platform.returnItems(returns);
    deps.log('warn', 'downlink vouchers returned', {
      items: returns.map((r) => ({ voucherNo: r.voucherNo, reason: r.reason })),
    });
  }
}

/**
 * Records the item and its local voucher (once: both are keyed), or marks it failed with the base
 * data that is missing. Returns the failure's reason, or undefined when taken.
 */
async function take(deps: CycleDeps, v: DownVoucher): Promise<string | undefined> {
  const { division, now } = deps;
  const at = now().toISOString();
  return retryWhenBusy(() =>
    deps.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('exchange_items')
        .select(['status', 'last_error'])
        .where('division', '=', division)
        .where('fiscal_year', '=', v.fiscalYear)
        .where('voucher_type', '=', v.voucherType)
        .where('voucher_no', '=', v.voucherNo)
        .where('direction', '=', 'down')
        .executeTakeFirst();
      if (existing?.status === 'received' || existing?.status === 'confirmed') return undefined;
      if (existing?.status === 'failed') return existing.last_error ?? '基础资料校验未通过';
      const unit = await trx
        .selectFrom('budget_units')
        .select('code')
        .where('code', '=', v.budgetUnitCode)
        .executeTakeFirst();
      const subject = await trx
        .selectFrom('budget_subjects')
        .select('code')
        .where('code', '=', v.subjectCode)
        .executeTakeFirst();
      const bank = await trx
        .selectFrom('agent_banks')
        .select('code')
        .where('code', '=', v.bankCode)
        .executeTakeFirst();
      const payee = await trx
        .selectFrom('payee_accounts')
        .select('id')
        .where('account_no', '=', v.payee.accountNo)
        .executeTakeFirst();
      const reason = !unit
        ? `基础资料缺失：预算单位 ${v.budgetUnitCode} 未同步`
        : !subject
          ? `基础资料缺失：预算科目 ${v.subjectCode} 未同步`
          : !bank
            ? `基础资料缺失：代理银行 ${v.bankCode} 未登记`
            : !payee
              ? '基础资料缺失：收款人账户未登记'
              : undefined;
      const row = {
        status: reason ? ('failed' as const) : ('received' as const),
        last_error: reason ?? null,
        updated_at: at,
      };
      if (existing) {
        await trx
          .updateTable('exchange_items')
          .set((eb) => ({ ...row, attempts: eb('attempts', '+', 1) }))
          .where('division', '=', division)
          .where('fiscal_year', '=', v.fiscalYear)
          .where('voucher_type', '=', v.voucherType)
          .where('voucher_no', '=', v.voucherNo)
          .where('direction', '=', 'down')
          .execute();
      } else {
        await trx
          .insertInto('exchange_items')
          .values({
            division,
            fiscal_year: v.fiscalYear,
            voucher_type: v.voucherType,
            voucher_no: v.voucherNo,
            direction: 'down',
            budget_unit_code: v.budgetUnitCode,
            amount_fen: v.amountFen,
            attempts: 1,
            created_at: at,
            ...row,
          })
          .execute();
      }
      if (reason || !payee) return reason;
      await insertPendingVoucher(
        trx,
        {
          voucherNo: v.voucherNo,
          fiscalYear: v.fiscalYear,
          bank: v.bankCode,
          payType: exchangeVoucherTypes[v.voucherType],
          amountFen: v.amountFen,
          payeeAccountId: payee.id,
          budgetUnitCode: v.budgetUnitCode,
          subjectCode: v.subjectCode,
          businessDate: v.businessDate,
        },
        at,
      );
      return undefined;
    }),
  );
}

/** Items by voucher type, direction and status, for the client's status page. */
export async function queueCounts(db: Db, division: string, voucherTypes: readonly string[]) {
  const rows = await db
    .selectFrom('exchange_items')
    .select(({ fn }) => [
      'voucher_type',
      'direction',
      'status',
      fn.countAll<number>().as('n'),
      fn.min('created_at').as('oldest'),
    ])
    .where('division', '=', division)
    .groupBy(['voucher_type', 'direction', 'status'])
    .execute();
  const queues: Record<string, ExchangeQueue> = {};
  for (const type of voucherTypes)
    queues[type] = {
      up: { pending: 0, replay: 0, delivered: 0, failed: 0 },
      down: { received: 0, confirmed: 0, failed: 0, replay: 0 },
      oldestUpAt: null,
    };
  for (const r of rows) {
    const q = queues[r.voucher_type];
    if (!q) continue;
    q[r.direction][r.status] = Number(r.n);
    if (r.direction === 'up' && (r.status === 'pending' || r.status === 'replay')) {
      const oldest = r.oldest as string;
      if (!q.oldestUpAt || oldest < q.oldestUpAt) q.oldestUpAt = oldest;
    }
  }
  return queues;
}
