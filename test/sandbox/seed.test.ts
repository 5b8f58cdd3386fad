import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqlite } from '../../connectors/treasury/database.ts';
import { openBankLedger } from '../../sandbox/bank/ledger.ts';
import { previousWorkday } from '../../sandbox/calendar.ts';
import { checkTraffic } from '../../sandbox/seed/consistency.ts';
import { seedEstate } from '../../sandbox/seed/seed-estate.ts';
import { testSite } from './helpers.ts';

describe('seeding the treasury estate', () => {
  let t: Awaited<ReturnType<typeof testSite>>;
  before(async () => {
    t = await testSite();
  });
  after(() => t.cleanup());
  const now = new Date('2026-11-30T03:00:00.000Z'); // Monday 11:00 in Shanghai
  const treasuryPath = () => join(t.dir, 'treasury.db');
  const ledgerPath = () => join(t.dir, 'banks.db');

  it('takes Friday as the previous working day of a Monday and skips holidays', () => {
    assert.equal(previousWorkday('2026-11-30'), '2026-11-27');
    assert.equal(previousWorkday('2025-10-09'), '2025-09-30'); // National Day week
    assert.equal(previousWorkday('2025-10-13'), '2025-10-11'); // a make-up working Saturday (调休)
  });

  it('satisfies the inspection traffic rule for every bank', async () => {
    const summary = await seedEstate({
      site: t.site,
      treasuryPath: treasuryPath(),
      ledgerPath: ledgerPath(),
      now,
    });
    assert.equal(summary.date, '2026-11-30');
    assert.equal(summary.prevDate, '2026-11-27');
    const db = await openSqlite(treasuryPath());
    try {
      assert.deepEqual(await checkTraffic(db, '2026-11-30', now), []);
      const statuses = await db
        .selectFrom('vouchers')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('business_date', '=', '2026-11-30')
        .groupBy('status')
        .execute();
      const by = Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]));
      assert.ok((by.paid ?? 0) > (by.accepted ?? 0), 'most of the morning is paid');
      assert.ok((by.accepted ?? 0) > 0 && (by.sent ?? 0) > 0);
      assert.equal(by.pending_send, 2 * t.site.banks.length);
      const sentVouchers = await db
        .selectFrom('vouchers')
        .select(['voucher_no', 'pay_type'])
        .where('sent_at', 'is not', null)
        .execute();
      const outRows = await db
        .selectFrom('message_log')
        .select(['ref_no', 'kind'])
        .where('direction', '=', 'out')
        .execute();
      const outByRef = new Map(outRows.map((r) => [r.ref_no, r.kind]));
      for (const v of sentVouchers) {
        assert.equal(
          outByRef.get(v.voucher_no),
          v.pay_type === 'direct' ? 'direct_payment' : 'authorized_payment',
        );
      }
      const serials = await db.selectFrom('message_serials').selectAll().execute();
      for (const s of serials) {
        const max = await db
          .selectFrom('message_log')
          .select((eb) => eb.fn.max('serial_no').as('m'))
          .where('bank_code', '=', s.bank_code)
          .where('direction', '=', s.direction)
          .executeTakeFirstOrThrow();
        assert.equal(s.last_serial, Number(max.m));
      }
      const amounts = await db.selectFrom('vouchers').select('amount_fen').execute();
      assert.ok(amounts.every((a) => Number.isInteger(a.amount_fen) && a.amount_fen > 0));
      const payees = await db.selectFrom('payee_accounts').select('account_no').execute();
      assert.ok(payees.every((p) => /^\d{19}$/.test(p.account_no)));
      const versions = await db.selectFrom('base_data_versions').selectAll().execute();
      assert.ok(
        versions.every((v) => v.version_current === v.version_acked && v.version_sent === v.version_acked),
      );
    } finally {
      await db.destroy();
    }
  });

  it('gives each bank books that match what it received and paid', async () => {
    const db = await openSqlite(treasuryPath());
    const ledger = openBankLedger(ledgerPath());
    try {
      const paid = await db
        .selectFrom('vouchers')
        .select(['voucher_no', 'bank_code'])
        .where('status', '=', 'paid')
        .execute();
      for (const v of paid) assert.equal(ledger.payments(v.bank_code, v.voucher_no).length, 1, v.voucher_no);
      const inFlight = await db
        .selectFrom('vouchers')
        .select(['voucher_no', 'bank_code', 'serial_no'])
        .where('status', '=', 'sent')
        .execute();
      for (const v of inFlight) {
        assert.equal(ledger.item(v.bank_code, v.voucher_no), undefined);
        assert.ok((v.serial_no ?? 0) > (ledger.state(v.bank_code)?.last_serial_in ?? 0));
      }
    } finally {
      ledger.close();
      await db.destroy();
    }
  });

  it('is deterministic and copes with 200 banks', async () => {
    const big = await testSite({ banks: 200, programs: false });
    try {
      const s = await seedEstate({
        site: big.site,
        treasuryPath: join(big.dir, 'treasury.db'),
        ledgerPath: join(big.dir, 'banks.db'),
        now,
      });
      assert.equal(s.banks, 200);
      const again = await seedEstate({
        site: big.site,
        treasuryPath: join(big.dir, 'treasury2.db'),
        ledgerPath: join(big.dir, 'banks2.db'),
        now,
      });
      assert.equal(again.vouchers, s.vouchers);
      assert.equal(again.messages, s.messages);
      const db = await openSqlite(join(big.dir, 'treasury.db'));
      try {
        assert.deepEqual(await checkTraffic(db, '2026-11-30', now), []);
      } finally {
        await db.destroy();
      }
    } finally {
      big.cleanup();
    }
  });
});
