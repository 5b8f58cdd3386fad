import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createMutationActivities, inlineSql } from '../../activities/bank-checks/mutations.ts';
import { calendarFromFiles } from '../../connectors/calendar/calendar-files.ts';
import { openSqlite, type TreasuryDb } from '../../connectors/treasury/database.ts';
import { createTreasurySchema } from '../../connectors/treasury/migrations.ts';
import type { FinanceMutation } from '../../domain/bank-checks/types.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { loadSite } from '../../temporal.config.ts';

let dir: string;
let db: TreasuryDb;
let acts: ReturnType<typeof createMutationActivities>;
const at = '2026-11-27T08:00:00.000Z';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jincai-mutations-'));
  db = await openSqlite(join(dir, 'treasury.db'));
  await createTreasurySchema(db);
  const site: SiteConfig = loadSite();
  acts = createMutationActivities({
    db,
    site,
    calendar: calendarFromFiles(),
    now: () => new Date(at),
  });
  await db
    .insertInto('vouchers')
    .values(
      ['V1', 'V2'].map((no) => ({
        voucher_no: no,
        fiscal_year: 2026,
        bank_code: 'ICBC',
        pay_type: 'direct' as const,
        amount_fen: 100,
        payee_account_id: 'PA000001',
        budget_unit_code: '101001',
        subject_code: '2010101',
        status: 'accepted' as const,
        business_date: '2026-11-26',
        submitted_at: at,
        sent_at: at,
        accepted_at: at,
        paid_at: null,
        serial_no: 1,
        failure_code: null,
        failure_reason: null,
        updated_at: at,
      })),
    )
    .execute();
  await db
    .insertInto('receipts')
    .values(
      ['V1', 'V2'].map((no) => ({
        receipt_no: `HD-${no}`,
        bank_code: 'ICBC',
        voucher_no: no,
        amount_fen: 100,
        paid_date: '2026-11-26',
        received_at: at,
        registered: 0,
        registered_at: null,
        register_error: 'ORA-00060',
      })),
    )
    .execute();
});
after(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const register = (no: string): FinanceMutation => ({
  kind: 'register-receipt',
  receiptNo: `HD-${no}`,
  voucherNo: no,
  paidAt: '2026-11-26T02:00:00.000Z',
  markPaid: true,
});

describe('guarded finance-side changes', () => {
  it('shows the SQL it will run, runs exactly that, and a repeat changes nothing', async () => {
    const [shown] = await acts.describeMutations({ bank: 'ICBC', mutations: [register('V1')] });
    assert.deepEqual(shown, [
      `update "receipts" set "registered" = 1, "registered_at" = :executed_at, "register_error" = NULL where "receipt_no" = 'HD-V1' and "bank_code" = 'ICBC' and "voucher_no" = 'V1' and "registered" = 0`,
      `update "vouchers" set "status" = 'paid', "paid_at" = '2026-11-26T02:00:00.000Z', "updated_at" = :executed_at where "voucher_no" = 'V1' and "bank_code" = 'ICBC' and "status" in ('sent', 'accepted')`,
    ]);
    const first = await acts.applyMutation({ proof: undefined, bank: 'ICBC', mutation: register('V1') });
    assert.equal(first.alreadyDone, false);
    assert.deepEqual(first.rows, [1, 1]);
    assert.deepEqual(
      first.statements,
      shown!.map((s) => s.replaceAll(':executed_at', `'${at}'`)),
    );
    assert.deepEqual(first.after, {
      record: { registered: 1, register_error: null },
      voucher: { status: 'paid', paid_at: '2026-11-26T02:00:00.000Z' },
    });
    const again = await acts.applyMutation({ proof: undefined, bank: 'ICBC', mutation: register('V1') });
    assert.equal(again.alreadyDone, true);
    assert.deepEqual(again.statements, []);
  });

  it('stops with UnexpectedState and changes nothing when a record moved under it', async () => {
    await db.updateTable('vouchers').set({ status: 'voided' }).where('voucher_no', '=', 'V2').execute();
    await assert.rejects(
      acts.applyMutation({ proof: undefined, bank: 'ICBC', mutation: register('V2') }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'UnexpectedState');
        assert.equal(err.nonRetryable, true);
        return true;
      },
    );
    const receipt = await db
      .selectFrom('receipts')
      .select(['registered'])
      .where('receipt_no', '=', 'HD-V2')
      .executeTakeFirstOrThrow();
    assert.equal(receipt.registered, 0, 'the receipt update before the failed guard was rolled back');
  });

  it('a resend repeated after its commit requeues nothing, even once the request went out again', async () => {
    const sentAt = '2026-11-27T04:00:00.000Z';
    await db
      .insertInto('voucher_voids')
      .values({
        voucher_no: 'V3',
        bank_code: 'ICBC',
        reason: '预算单位申请撤销支付',
        status: 'sent',
        requested_at: '2026-11-27T03:59:00.000Z',
        sent_at: sentAt,
        answered_at: null,
        answer_reason: null,
      })
      .execute();
    const resend: FinanceMutation = { kind: 'resend-void', voucherNo: 'V3', sentAt };
    const [shown] = await acts.describeMutations({ bank: 'ICBC', mutations: [resend] });
    assert.match(shown?.[0] ?? '', /and "status" = 'sent' and "sent_at" = '2026-11-27T04:00:00\.000Z'$/);
    const row = () =>
      db
        .selectFrom('voucher_voids')
        .select(['status', 'sent_at'])
        .where('voucher_no', '=', 'V3')
        .executeTakeFirstOrThrow();

    const first = await acts.applyMutation({ proof: undefined, bank: 'ICBC', mutation: resend });
    assert.deepEqual([first.alreadyDone, first.rows], [false, [1]]);
    assert.equal(
      (await acts.applyMutation({ proof: undefined, bank: 'ICBC', mutation: resend })).alreadyDone,
      true,
    );
    // The program sent it again before the repeat came: the repeat must not queue a second send.
    const resentAt = '2026-11-27T08:00:05.000Z';
    await db
      .updateTable('voucher_voids')
      .set({ status: 'sent', sent_at: resentAt })
      .where('voucher_no', '=', 'V3')
      .execute();
    const repeat = await acts.applyMutation({ proof: undefined, bank: 'ICBC', mutation: resend });
    assert.deepEqual([repeat.alreadyDone, repeat.statements], [true, []]);
    assert.deepEqual(await row(), { status: 'sent', sent_at: resentAt });

    // The bank answered the original send before the run acted: that is a move, not a repeat.
    await db
      .updateTable('voucher_voids')
      .set({ status: 'confirmed', sent_at: sentAt })
      .where('voucher_no', '=', 'V3')
      .execute();
    await assert.rejects(
      acts.applyMutation({ proof: undefined, bank: 'ICBC', mutation: resend }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'UnexpectedState');
        return true;
      },
    );
    assert.deepEqual(await row(), { status: 'confirmed', sent_at: sentAt });
  });

  it('writes parameters in as literals for either dialect', () => {
    assert.equal(
      inlineSql({
        sql: 'update t set a = ?, b = ? where c = ?',
        parameters: ["O'Brien", 3, null],
        query: {} as never,
        queryId: {} as never,
      }),
      "update t set a = 'O''Brien', b = 3 where c = NULL",
    );
    assert.equal(
      inlineSql({
        sql: 'update t set a = :1 where b = :2',
        parameters: ['{{executed_at}}', 'x'],
        query: {} as never,
        queryId: {} as never,
      }),
      "update t set a = :executed_at where b = 'x'",
    );
  });
});
