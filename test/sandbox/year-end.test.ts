/**
 * The sandbox's fiscal year, through the real send/receive programs and the banks' MQ queues: the
 * year's state and adjustment period, quotas with issued, used and remaining amounts, the
 * year-end quota cancellation (额度注销) and restoration (额度恢复) notices confirmed with each
 * bank's own totals — never applied twice — the banks' faults, the programs refusing vouchers of a
 * frozen year, the clock crossing 31 December, and the `year-end` scenario.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { QuotaYearNoticeTable } from '../../connectors/treasury/schema-fiscal-year.ts';
import { addDays, instantAt, isWorkday, localDate } from '../../sandbox/calendar.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import type { TestSite } from './helpers.ts';
import { startTestSandbox, submitDirectVoucher, waitFor } from './helpers.ts';

describe('the fiscal year in the sandbox', () => {
  let sandbox: SandboxHandle;
  let site: TestSite;
  let year: number;
  let notices = 0;
  before(async () => {
    ({ sandbox, site } = await startTestSandbox());
    year = Number(localDate(sandbox.clock.now()).slice(0, 4));
  });
  after(async () => {
    await sandbox?.stop();
    site?.cleanup();
  });

  const db = () => sandbox.treasury;
  const activeQuotas = (bank: string) =>
    db()
      .selectFrom('quotas')
      .selectAll()
      .where('bank_code', '=', bank)
      .where('fiscal_year', '=', year)
      .where('status', '=', 'active')
      .orderBy('quota_id')
      .execute();

  /** Files a notice as a runbook would: finance's lines and totals, waiting for the program. */
  async function fileNotice(
    bank: string,
    kind: QuotaYearNoticeTable['kind'],
    lines: { quotaId: string; budgetUnitCode: string; subjectCode: string; amountFen: number }[],
    fiscalYear = year,
  ): Promise<{ id: string; totalFen: number }> {
    const id = `ND-${kind}-${bank}-${++notices}-${process.pid}`;
    const totalFen = lines.reduce((t, l) => t + l.amountFen, 0);
    await db()
      .insertInto('quota_year_notices')
      .values({
        notice_id: id,
        kind,
        fiscal_year: fiscalYear,
        bank_code: bank,
        line_count: lines.length,
        total_fen: totalFen,
        lines: JSON.stringify(lines),
        status: 'pending_send',
        requested_at: sandbox.clock.now().toISOString(),
        sent_at: null,
        answered_at: null,
        answer_reason: null,
        bank_line_count: null,
        bank_total_fen: null,
      })
      .execute();
    return { id, totalFen };
  }
  const cancellationOf = async (bank: string) =>
    fileNotice(
      bank,
      'cancellation',
      (await activeQuotas(bank)).map((q) => ({
        quotaId: q.quota_id,
        budgetUnitCode: q.budget_unit_code,
        subjectCode: q.subject_code,
        amountFen: Number(q.amount_fen) - Number(q.used_fen),
      })),
    );
  const notice = (id: string) =>
    db().selectFrom('quota_year_notices').selectAll().where('notice_id', '=', id).executeTakeFirstOrThrow();
  const answered = (id: string) =>
    waitFor(`the bank's answer to ${id}`, async () => {
      const n = await notice(id);
      return n.status === 'confirmed' || n.status === 'refused' ? n : undefined;
    });
  /** Sends a notice again under its own id, as a runbook's reminder does. */
  const resend = (id: string) =>
    db()
      .updateTable('quota_year_notices')
      .set({ status: 'pending_send' })
      .where('notice_id', '=', id)
      .execute();
  const bookOf = (bank: string) => sandbox.banks.bank(bank).yearEnd.quotas(year);

  it('keeps the year open, the last one closed with its adjustment period, and quotas per unit and bank', async () => {
    assert.deepEqual(await db().selectFrom('fiscal_years').selectAll().orderBy('year').execute(), [
      { year: year - 1, state: 'closed' },
      { year, state: 'open' },
    ]);
    const adjustment = await db().selectFrom('fiscal_year_adjustments').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([adjustment.year, adjustment.adjust_from], [year - 1, `${year}-01-01`]);
    const quotas = await db().selectFrom('quotas').selectAll().where('bank_code', '=', 'ICBC').execute();
    const balances = await db()
      .selectFrom('quota_balances')
      .selectAll()
      .where('bank_code', '=', 'ICBC')
      .execute();
    assert.ok(balances.length > 0);
    for (const b of balances) {
      const mine = quotas.filter((q) => q.budget_unit_code === b.budget_unit_code);
      const issued = mine.reduce((t, q) => t + Number(q.amount_fen), 0);
      const used = mine.reduce((t, q) => t + Number(q.used_fen), 0);
      assert.deepEqual(
        [Number(b.quota_count), Number(b.issued_fen), Number(b.used_fen), Number(b.remaining_fen)],
        [mine.length, issued, used, issued - used],
      );
    }
    // The bank's own book holds the same quotas, issued and used alike.
    assert.deepEqual(
      bookOf('ICBC').map((q) => [q.quota_id, q.issued_fen, q.used_fen, q.status]),
      quotas.map((q) => [q.quota_id, Number(q.amount_fen), Number(q.used_fen), q.status]),
    );
  });

  it('a cancellation is confirmed with the bank’s own totals, once; sent again, it cancels nothing more', async () => {
    const { id, totalFen } = await cancellationOf('ICBC');
    const first = await answered(id);
    const lines = (await activeQuotas('ICBC')).length;
    assert.deepEqual(
      [first.status, first.bank_line_count, Number(first.bank_total_fen)],
      ['confirmed', lines, totalFen],
    );
    assert.ok(bookOf('ICBC').every((q) => q.status === 'cancelled'));
    const kinds = await db()
      .selectFrom('message_log')
      .select(['direction', 'kind'])
      .where('ref_no', '=', id.slice(0, 32))
      .orderBy('id')
      .execute();
    assert.deepEqual(kinds[0], { direction: 'out', kind: 'quota_cancel' });

    await resend(id);
    const again = await answered(id);
    assert.deepEqual([again.bank_line_count, Number(again.bank_total_fen)], [lines, totalFen]);
    // Another notice for the same quotas: the bank has cancelled them already and says so.
    const other = await answered((await cancellationOf('ICBC')).id);
    assert.deepEqual(
      [other.status, other.bank_line_count, Number(other.bank_total_fen)],
      ['confirmed', 0, 0],
    );
    assert.match(other.answer_reason ?? '', /已注销/);
  });

  it('a restoration books the new year’s quotas at the bank and is confirmed with its totals', async () => {
    const lines = [
      {
        quotaId: `ED${year + 1}ICBCR01`,
        budgetUnitCode: '103001',
        subjectCode: '2050202',
        amountFen: 1_200_000,
      },
      {
        quotaId: `ED${year + 1}ICBCR02`,
        budgetUnitCode: '103002',
        subjectCode: '2050202',
        amountFen: 800_000,
      },
    ];
    const { id } = await fileNotice('ICBC', 'restoration', lines, year + 1);
    const n = await answered(id);
    assert.deepEqual([n.status, n.bank_line_count, Number(n.bank_total_fen)], ['confirmed', 2, 2_000_000]);
    assert.deepEqual(
      sandbox.banks
        .bank('ICBC')
        .yearEnd.quotas(year + 1)
        .map((q) => [q.quota_id, q.issued_fen, q.status]),
      lines.map((l) => [l.quotaId, l.amountFen, 'active']),
    );
  });

  it('faults: a bank refuses, another answers with other totals, a third stays silent until the fault ends', async () => {
    await sandbox.faults.inject({ fault: 'quota-notice-refused', bank: 'RCB' });
    const refused = await answered((await cancellationOf('RCB')).id);
    assert.deepEqual(
      [refused.status, refused.answer_reason],
      ['refused', '年终额度注销与恢复须经分行审核，暂不受理'],
    );
    await sandbox.faults.clear({ fault: 'quota-notice-refused', bank: 'RCB' });
    await resend(refused.notice_id);
    assert.equal((await answered(refused.notice_id)).status, 'confirmed');

    const differ = await sandbox.faults.inject({ fault: 'quota-totals-differ', bank: 'ABC' });
    const { id, totalFen } = await cancellationOf('ABC');
    const other = await answered(id);
    assert.equal(other.status, 'confirmed');
    assert.equal(Number(other.bank_total_fen), totalFen - Number(differ.details.amountFen));
    await sandbox.faults.clear({ fault: 'quota-totals-differ', bank: 'ABC' });

    await sandbox.faults.inject({ fault: 'quota-notice-silent', bank: 'CCB' });
    const silent = await cancellationOf('CCB');
    await waitFor('the notice to reach CCB', async () => (await notice(silent.id)).status === 'sent');
    for (let i = 0; i < 10; i++) sandbox.tick();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await notice(silent.id)).status, 'sent', 'no answer while the bank is silent');
    await sandbox.faults.clear({ fault: 'quota-notice-silent', bank: 'CCB' });
    const late = await answered(silent.id);
    assert.deepEqual([late.status, Number(late.bank_total_fen)], ['confirmed', silent.totalFen]);
  });

  it('the year-end scenario: a voucher unpaid, a receipt unregistered, a bank whose totals differ, one that does not answer', async () => {
    const result = await sandbox.scenario('year-end');
    assert.deepEqual(
      result.injected.map((f) => `${f.fault}/${f.bank}`),
      [
        'voucher-unpaid-at-close/ICBC',
        'receipt-unregistered/ABC',
        'quota-totals-differ/BOC',
        'quota-notice-silent/CCB',
      ],
    );
    const [unpaid] = result.injected[0]?.details.vouchers as string[];
    const v = await db()
      .selectFrom('vouchers')
      .selectAll()
      .where('voucher_no', '=', unpaid ?? '')
      .executeTakeFirstOrThrow();
    assert.equal(v.status, 'sent');
    assert.equal(
      sandbox.banks.ledger('ICBC').hasVoucher(v.voucher_no),
      false,
      'lost on the way: the bank never got it',
    );
    const unregistered = await db()
      .selectFrom('receipts')
      .select('receipt_no')
      .where('bank_code', '=', 'ABC')
      .where('registered', '=', 0)
      .execute();
    assert.ok(unregistered.length > 0);
    await sandbox.scenario('healthy');
  });

  it('the programs refuse new vouchers of a frozen year; the rest flow', async () => {
    const now = sandbox.clock.now();
    const date = localDate(now);
    const add = (voucherNo: string, fiscalYear: number) =>
      submitDirectVoucher(db(), { voucherNo, bank: 'RCB', fiscalYear, date, amountFen: 1_230_000, at: now });
    await db().updateTable('fiscal_years').set({ state: 'frozen' }).where('year', '=', year).execute();
    await db()
      .insertInto('fiscal_years')
      .values({ year: year + 1, state: 'open' })
      .execute();
    try {
      await add(`ZZ${year}RCBFROZEN01`, year);
      await add(`ZZ${year + 1}RCBOPEN0001`, year + 1);
      const voucher = (no: string) =>
        db().selectFrom('vouchers').selectAll().where('voucher_no', '=', no).executeTakeFirstOrThrow();
      const frozen = await waitFor('the frozen year’s voucher to be refused', async () => {
        const v = await voucher(`ZZ${year}RCBFROZEN01`);
        return v.status === 'rejected' ? v : undefined;
      });
      assert.equal(frozen.failure_code, 'E_YEAR_FROZEN');
      assert.match(frozen.failure_reason ?? '', new RegExp(`^${year} 年度已冻结`));
      assert.equal(sandbox.banks.ledger('RCB').hasVoucher(`ZZ${year}RCBFROZEN01`), false, 'never sent');
      await waitFor('the open year’s voucher to be sent', async () =>
        ['sent', 'accepted', 'paid'].includes((await voucher(`ZZ${year + 1}RCBOPEN0001`)).status),
      );
    } finally {
      await db().updateTable('fiscal_years').set({ state: 'open' }).where('year', '=', year).execute();
      await db()
        .deleteFrom('fiscal_years')
        .where('year', '=', year + 1)
        .execute();
    }
  });

  it('the clock crosses 31 December: the last day closes with its reports, the new year pays on its first working day', async () => {
    const eve = `${year}-12-31`;
    sandbox.clock.set(instantAt(eve, '17:05').toISOString());
    sandbox.tick();
    const reports = await waitFor('the reports of 31 December', async () => {
      const rows = await db()
        .selectFrom('bank_reports')
        .select('kind')
        .where('bank_code', '=', 'ICBC')
        .where('business_date', '=', eve)
        .execute();
      return rows.length === 3 ? rows : undefined;
    });
    assert.equal(reports.length, 3);
    // The first working day of the new year by the sandbox world's calendar (the holiday skipped).
    let firstDay = addDays(eve, 1);
    while (!isWorkday(firstDay)) firstDay = addDays(firstDay, 1);
    sandbox.clock.set(instantAt(firstDay, '09:00').toISOString());
    const voucherNo = `ZZ${firstDay.replaceAll('-', '')}ICBCNY01`;
    await submitDirectVoucher(db(), {
      voucherNo,
      bank: 'ICBC',
      fiscalYear: year + 1,
      date: firstDay,
      amountFen: 2_340_000,
      at: sandbox.clock.now(),
    });
    const paid = await waitFor(
      'the new year’s voucher to be paid',
      async () => {
        const v = await db()
          .selectFrom('vouchers')
          .selectAll()
          .where('voucher_no', '=', voucherNo)
          .executeTakeFirst();
        return v?.status === 'paid' ? v : undefined;
      },
      30_000,
    );
    assert.equal(localDate(new Date(paid.paid_at ?? '')), firstDay);
  });
});
