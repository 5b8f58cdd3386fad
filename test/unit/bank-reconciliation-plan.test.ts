/**
 * Bank reconciliation's pure judgements and its input: a range over 31 days or backwards refused
 * naming `to`, a range without its first day naming `date`; a day agreed only when nothing differs
 * and the statement's own totals hold; the standing result a day leaves; the plan's actions (the
 * receipts' SQL, the runbooks to start); how the days end together. And the day a run without a
 * date reconciles: today once the bank has closed on a working day, else the working day before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStatementActivities } from '../../activities/statements/index.ts';
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { checkInput } from '../../domain/errors.ts';
import {
  daysOutcome,
  fixesPlan,
  judgeCompared,
  standingOf,
} from '../../domain/runbooks/bank-reconciliation.plan.ts';
import {
  bankReconciliationInputSchema,
  type ComparedDay,
  type DayReconciliation,
} from '../../domain/runbooks/bank-reconciliation.types.ts';
import { defaultSiteFile, loadSite } from '../../temporal.config.ts';

const compared = (over: Partial<ComparedDay> = {}): ComparedDay => ({
  totals: { finance: { count: 10, amountFen: 1000 }, bank: { count: 10, amountFen: 1000 } },
  counts: { 'only-at-finance': 0, 'only-at-bank': 0, 'amount-differs': 0, 'status-differs': 0, duplicate: 0 },
  differences: 0,
  sample: [],
  statementTotalsAgree: true,
  sorted: false,
  differenceFile: '/r/bank-reconciliation/differences/x.csv',
  differenceLog: '/r/bank-reconciliation/differences/x.jsonl',
  ...over,
});

describe('bank reconciliation input', () => {
  const base = { bank: 'ABC', requestedBy: 'zhang.san' };
  const problems = (input: object) => {
    const checked = checkInput(bankReconciliationInputSchema, { ...base, ...input });
    return checked.ok ? [] : checked.problems;
  };
  it('takes a day or a range of at most 31 days', () => {
    assert.deepEqual(problems({ date: '2026-11-01', to: '2026-12-01' }), []);
    assert.match(
      problems({ date: '2026-11-01', to: '2026-12-02' }).join(),
      /input\.to: the range is 32 days/,
    );
    assert.match(
      problems({ date: '2026-11-02', to: '2026-11-01' }).join(),
      /input\.to: 2026-11-01 is before/,
    );
    assert.match(problems({ to: '2026-11-01' }).join(), /input\.date: a range needs its first day/);
    assert.match(problems({ kind: 'daily' }).join(), /input\.kind/);
  });
});

describe('bank reconciliation judgements', () => {
  it('agrees only when nothing differs and the statement adds up', () => {
    assert.equal(judgeCompared(compared()).outcome, 'agreed');
    assert.equal(judgeCompared(compared({ differences: 1 })).outcome, 'differs');
    assert.equal(judgeCompared(compared({ statementTotalsAgree: false })).outcome, 'differs');
  });

  it('leaves a standing result for a compared or unreadable day, none for a missing statement', () => {
    const run = { workflowId: 'w', at: '2026-11-27T10:00:00.000Z' };
    const day = (d: Partial<DayReconciliation>): DayReconciliation => ({
      date: '2026-11-26',
      outcome: 'agreed',
      why: '',
      requested: [],
      ...d,
    });
    assert.equal(standingOf(day({ compared: compared() }), run)?.result, 'agreed');
    const unreadable = standingOf(
      day({ outcome: 'unreadable', fault: { problem: 'encoding', source: 'f.txt', message: 'bad byte' } }),
      run,
    );
    assert.equal(unreadable?.result, 'unreadable');
    assert.match(unreadable?.problem ?? '', /对账单编码损坏（f\.txt）/);
    assert.equal(standingOf(day({ outcome: 'statement-missing' }), run), undefined);
  });

  it('ends incomplete when a statement is missing or unreadable, else differs or agrees', () => {
    const d = (outcome: DayReconciliation['outcome']): DayReconciliation => ({
      date: '2026-11-26',
      outcome,
      why: '',
      requested: [],
    });
    assert.equal(daysOutcome([d('agreed'), d('statement-missing')]).outcome, 'incomplete');
    assert.equal(daysOutcome([d('agreed'), d('differs')]).outcome, 'differs');
    assert.equal(daysOutcome([d('agreed'), d('not-a-working-day')]).outcome, 'agreed');
  });

  it('plans the receipts as SQL and each runbook to start as its own action', () => {
    const plan = fixesPlan({
      bank: { code: 'ABC', name: '中国农业银行' },
      receipts: [
        {
          mutation: {
            kind: 'register-receipt',
            receiptNo: 'R1',
            voucherNo: 'V1',
            paidAt: 'x',
            markPaid: true,
          },
          sql: ['UPDATE receipts SET registered = 1'],
        },
      ],
      starts: [
        {
          runbook: 'voucher-resend',
          workflowType: 'voucherResend',
          workflowId: 'voucher-resend/ABC/2026-11-27',
          input: { bank: 'ABC' },
          differences: 2,
        },
      ],
      findings: [],
    });
    assert.deepEqual(
      plan.actions.map((a) => [a.kind, a.target]),
      [
        ['sql', 'treasury'],
        ['runbook', 'voucher-resend'],
      ],
    );
    assert.match(plan.actions[1]!.command, /^start voucherResend voucher-resend\/ABC\/2026-11-27 /);
  });
});

describe('the statement a run without a date reconciles', () => {
  const site = loadSite(defaultSiteFile);
  const setupAt = (iso: string) =>
    createStatementActivities({
      db: {} as never,
      site,
      calendar: createSiteCalendar(site.calendar),
      now: () => new Date(iso),
    }).statementSetup({ bank: 'ABC', kind: 'payment-detail' });
  it("is today's once the bank has closed on a working day, else the working day before's", async () => {
    // Friday 2026-11-27: at 16:00 (before the 17:00 close) Thursday's; at 17:30 Friday's.
    assert.equal((await setupAt('2026-11-27T08:00:00Z')).days[0]?.date, '2026-11-26');
    assert.equal((await setupAt('2026-11-27T09:30:00Z')).days[0]?.date, '2026-11-27');
    // Saturday: Friday's.
    assert.equal((await setupAt('2026-11-28T09:30:00Z')).days[0]?.date, '2026-11-27');
  });
});
