/**
 * The year-end rollover against the real dev server, the sandbox and its send/receive programs, in
 * compressed time (the freeze and opening a few seconds apart): pre-checks, both approvals, each
 * bank's quota cancellation and restoration confirmed with its own totals once, the vouchers
 * unpaid at close carried over, the new year opened with serials restarted at both ends; and bad
 * input refused naming the field before anything is recorded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { YearEndRolloverResult } from '../../domain/runbooks/year-end-rollover.types.ts';
import { localDate } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { rolloverFacts, startRollover, trafficSettled } from '../support/year-end.ts';

let estate: TestEstate;
let year: number;

before(async () => {
  estate = await startTestEstate({
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'year-end-rollover': { roles: ['comm-approver'] },
      };
    },
  });
  await addTestUsers(estate.site);
  await estate.startWorker();
  year = Number(localDate(estate.sandbox.clock.now()).slice(0, 4));
});
after(async () => {
  await estate?.stop();
});

async function refused(input: Record<string, unknown>, field: RegExp): Promise<void> {
  const handle = await startRollover(estate, `year-end-rollover/bad-${Date.now()}`, input);
  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'InvalidInput');
    assert.match(err.cause.message, field);
    return true;
  });
  const history = await handle.fetchHistory();
  const names = (history.events ?? []).flatMap(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
  );
  const reads = ['describeEstate', 'fiscalYearState', 'yearEndTimes'];
  assert.ok(
    names.every((n) => reads.includes(n)),
    `only reads before refusing: ${names.join()}`,
  );
}

describe('the year-end rollover', () => {
  it('refuses bad input naming the field, before any side effect', async () => {
    const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
    await refused(
      { fiscalYear: year - 1, freezeAt: at(5), openAt: at(60) },
      /input\.fiscalYear: \d+ is already closed/,
    );
    await refused(
      { fiscalYear: year, banks: ['ICBC', 'XYZ'], freezeAt: at(5), openAt: at(60) },
      /input\.banks\[1\]/,
    );
    await refused({ fiscalYear: year, freezeAt: at(60), openAt: at(5) }, /input\.openAt: the new year opens/);
  });

  it('rolls the year over: pre-checks, freeze, cancellation, carry-over, new year, opening, restoration', async () => {
    const banks = estate.site.banks.map((b) => b.code);
    await trafficSettled(estate.sandbox, year);
    const id = `year-end-rollover/${year}`;
    const freezeAt = new Date(Date.now() + 5_000).toISOString();
    const openAt = new Date(Date.now() + 25_000).toISOString();
    const handle = await startRollover(estate, id, { fiscalYear: year, freezeAt, openAt });

    const freeze = await waitForGate(estate.client, id);
    assert.equal(freeze.step, 'freeze');
    const notices = freeze.plan.actions.filter((a) => a.kind === 'message');
    assert.deepEqual(
      notices.map((a) => a.target),
      banks,
    );
    await decide(estate.client, id, signedBy(estate.site, freeze, 'wang'));

    const open = await waitForGate(estate.client, id);
    assert.equal(open.step, 'open');
    await decide(estate.client, id, signedBy(estate.site, open, 'li'));
    const result: YearEndRolloverResult = await handle.result();
    assert.equal(result.outcome, 'rolled-over');

    const facts = await rolloverFacts(estate, year);
    assert.deepEqual(facts.years, { [year]: 'closed', [year + 1]: 'open' });
    for (const bank of banks) {
      const mine = facts.notices.filter((n) => n.bank_code === bank);
      assert.deepEqual(
        mine.map((n) => [n.kind, n.status, n.bank_line_count, Number(n.bank_total_fen)]),
        mine.map((n) => [n.kind, 'confirmed', n.line_count, Number(n.total_fen)]),
      );
      assert.deepEqual(mine.map((n) => n.kind).sort(), ['cancellation', 'restoration'], bank);
      assert.deepEqual(facts.bankAnswers(bank), { cancellation: 1, restoration: 1 });
      assert.ok(facts.bankRestarted(bank, year + 1), `${bank} restarted its serials for ${year + 1}`);
    }
    assert.equal(facts.openQuotas(year), 0, 'no quota of the old year is left active');
    assert.equal(
      facts.issued(year + 1),
      result.restorations.reduce((t, r) => t + r.expected.totalFen, 0),
    );
    assert.equal(facts.unpaid(), 0, 'every voucher unpaid at close was carried over');
    assert.deepEqual(
      result.cancellations.map((c) => c.outcome),
      banks.map(() => 'confirmed'),
    );
  });
});
