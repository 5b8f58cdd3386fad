/**
 * The operator's hand on the year-end rollover, end to end on the dev server and the sandbox. A bank
 * whose books differ from finance's answers its cancellation with other totals: the wait for the
 * answers pauses. A skip needs a reason and a role the site allows, never the requester's; skipped,
 * the run goes on with the bank's own totals. The same bank restores a line fewer (a budget unit it
 * does not have): the wait pauses again, and an abort — a reason and the operator's role — ends the
 * run with its report. The rollover registers no compensation (what it changed stays, and the report
 * says where it stopped), so none runs; each bank still decided one cancellation and one restoration.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { HandRefusalReason } from '../../domain/approvals/hand-decision.ts';
import { localDate } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { decideStep, handBy, handRefusedWithoutTrace, waitForPause } from '../support/hand.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { rolloverFacts, startRollover, trafficSettled } from '../support/year-end.ts';

const banks = ['ICBC', 'ABC', 'BOC'];
const calendar = workingTodayCalendar();
let estate: TestEstate;

before(async () => {
  estate = await startTestEstate({ banks, edit: openAllDay(calendar.file, 'year-end-rollover') });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
  calendar.remove();
});

test('a bank whose totals differ: skipped at its cancellation with a reason, aborted at its restoration', async () => {
  const { client, site } = estate;
  const year = Number(localDate(estate.sandbox.clock.now()).slice(0, 4));
  await trafficSettled(estate.sandbox, year);
  await estate.sandbox.faults.inject({ fault: 'quota-totals-differ', bank: 'BOC' });
  const id = `year-end-rollover/${year}/hand`;
  const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  const handle = await startRollover(estate, id, { fiscalYear: year, freezeAt: at(3), openAt: at(20) });
  const refused = (signed: unknown, reason: HandRefusalReason) =>
    handRefusedWithoutTrace(client, id, signed, reason);

  await decide(client, id, signedBy(site, await waitForGate(client, id), 'wang'));
  const cancellations = await waitForPause(client, id, 'await-cancellations');
  assert.match(cancellations.trouble.message, /BOC/);
  assert.match(cancellations.skipMeans?.zh ?? '', /银行确认的额度注销金额/);
  await refused(handBy(site, cancellations, 'eng', 'skip'), 'self-skip');
  await refused(handBy(site, cancellations, 'ops', 'skip'), 'not-allowed');
  await refused(handBy(site, cancellations, 'wang', 'skip', { reason: '' }), 'reason-required');
  await decideStep(
    client,
    id,
    handBy(site, cancellations, 'wang', 'skip', { reason: '中国银行核对：差额为一笔未回传的支付，另行调账' }),
  );

  await decide(client, id, signedBy(site, await waitForGate(client, id), 'li'));
  const restorations = await waitForPause(client, id, 'await-restorations');
  assert.match(restorations.trouble.message, /BOC/);
  await refused(handBy(site, restorations, 'wang', 'abort'), 'not-allowed');
  await decideStep(
    client,
    id,
    handBy(site, restorations, 'ops', 'abort', { reason: '中国银行缺少预算单位，人工处理' }),
  );
  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
    assert.equal(err.cause.type, 'RunAborted');
    const [ended] = (err.cause.details ?? []) as { compensations: unknown[]; report: { markdown: string } }[];
    assert.deepEqual(ended?.compensations, []);
    assert.match(readFileSync(ended?.report.markdown ?? '', 'utf8'), /中国银行缺少预算单位，人工处理/);
    return true;
  });

  const facts = await rolloverFacts(estate, year);
  assert.deepEqual(facts.years, { [year]: 'closed', [year + 1]: 'open' }, 'what the run changed stays');
  for (const bank of banks)
    assert.deepEqual(facts.bankAnswers(bank), { cancellation: 1, restoration: 1 }, bank);
  const differing = facts.notices
    .filter((n) => n.bank_line_count !== n.line_count || Number(n.bank_total_fen) !== Number(n.total_fen))
    .map((n) => [n.bank_code, n.kind])
    .sort((a, b) => String(a).localeCompare(String(b)));
  assert.deepEqual(differing, [
    ['BOC', 'cancellation'],
    ['BOC', 'restoration'],
  ]);
});
