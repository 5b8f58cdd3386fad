/**
 * The bank-side checks with their worker killed (kill -9), two cases at once, each on a worker
 * process of its own (test/support/worker-lane.ts), the send/receive programs running:
 * - refund tracking, killed after approval the moment the refund request the bank never got was
 *   put back in the send queue, before the worker could report it: the step runs again once the
 *   request has gone out and the bank has answered it. Every refund ends as the bank's books say,
 *   each change is audited once, each refund was asked about once, and the request went to the
 *   bank once more — not twice.
 * - the daily report check, killed once its resend requests went out. The reports arrive, and the
 *   bank was asked once for each.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageKind } from '../../connectors/treasury/schema.ts';
import { queryPrefix } from '../../domain/bank-questions.ts';
import type { DailyReportCheckResult } from '../../domain/runbooks/daily-report-check.types.ts';
import type { RefundTrackingResult } from '../../domain/runbooks/refund-tracking.types.ts';
import { localDate, previousWorkday } from '../../sandbox/calendar.ts';
import { decide, signedBy, waitForGate } from '../support/approvals.ts';
import { crashEstate } from '../support/crash-cases.ts';
import type { WorkerLane } from '../support/worker-lane.ts';
import { activityRuns, auditKinds, auditPayloads } from '../support/worker-lane.ts';

const { estate, runCases } = crashEstate({ banks: ['ICBC', 'ABC'], runbooks: ['refund-tracking'] });

const db = () => estate().sandbox.treasury;
const today = () => localDate(new Date(), 'Asia/Shanghai');

/** How many messages of `kind` finance's program sent the bank about each of `refs`. */
async function sentAbout(bank: string, kind: MessageKind, refs: string[]): Promise<number[]> {
  const rows = await db()
    .selectFrom('message_log')
    .select('ref_no')
    .where('bank_code', '=', bank)
    .where('direction', '=', 'out')
    .where('kind', '=', kind)
    .where('ref_no', 'in', refs)
    .execute();
  return refs.map((r) => rows.filter((m) => m.ref_no === r).length);
}

async function refundKilledWhileApplying(l: WorkerLane, starting: Promise<void>): Promise<string> {
  const fault = await estate().sandbox.faults.inject({ fault: 'refund-unmatched', bank: 'ICBC' });
  const d = fault.details as Record<'matchable' | 'lostNotice' | 'notReceived' | 'amountDiffers', [string]>;
  const [[matchable], [lostNotice], [notReceived], [amountDiffers]] = [
    d.matchable,
    d.lostNotice,
    d.notReceived,
    d.amountDiffers,
  ];
  await starting;
  const id = `refund-tracking/ICBC/${today()}/crash-${Date.now()}`;
  const handle = await l.startWorkflow('refundTracking', id, {
    bank: 'ICBC',
    requestedBy: 'eng',
    answerWaitSeconds: 30,
    verifySeconds: 30,
  });
  const gate = await waitForGate(estate().client, id);
  assert.equal(gate.plan.actions.length, 3, JSON.stringify(gate.plan.actions, null, 2));
  // Kill the worker the moment the request the bank never got is put back for the program to
  // send, before Temporal hears of it: the step runs again once the bank has answered the request.
  const refundRow = (no: string) =>
    db()
      .selectFrom('refunds')
      .select(['status', 'sent_at'])
      .where('refund_no', '=', no)
      .executeTakeFirstOrThrow();
  const lost = await refundRow(notReceived);
  l.holdReports();
  await decide(estate().client, id, signedBy(estate().site, gate, 'wang', { reason: '已核对' }));
  await l.killWhen('the lost refund request requeued', async () => {
    const row = await refundRow(notReceived);
    return row.status !== lost.status || row.sent_at !== lost.sent_at;
  });

  const result: RefundTrackingResult = await handle.result();
  await l.stop();
  assert.equal(result.outcome, 'partly-settled', result.why);
  const byNo = Object.fromEntries(result.decisions.map((x) => [x.refundNo, x]));
  assert.equal(byNo[matchable]?.action, 'match-refund');
  assert.equal(byNo[lostNotice]?.action, 'confirm-refund');
  assert.equal(byNo[notReceived]?.action, 'resend-refund');
  assert.equal(byNo[amountDiffers]?.reason, 'amount-differs');

  const rows = await db()
    .selectFrom('refunds as f')
    .leftJoin('vouchers as v', 'v.voucher_no', 'f.voucher_no')
    .select(['f.refund_no', 'f.status', 'v.status as voucher'])
    .where('f.refund_no', 'in', [matchable, lostNotice, notReceived, amountDiffers])
    .execute();
  const state = Object.fromEntries(rows.map((r) => [r.refund_no, `${r.status}/${r.voucher ?? '-'}`]));
  assert.deepEqual(state, {
    [matchable]: 'matched/refunded',
    [lostNotice]: 'matched/refunded',
    [notReceived]: 'matched/refunded',
    [amountDiffers]: 'unmatched/-',
  });

  // Each change audited once, its statements naming its refund; the resend, run again, found done.
  const audited = await auditPayloads<{ action: string; alreadyDone: boolean }>(estate().site, id);
  const about = (refundNo: string) => audited.filter((m) => m.action.includes(refundNo));
  assert.equal(audited.length, 3, 'each change audited once');
  for (const no of [matchable, lostNotice, notReceived]) assert.equal(about(no).length, 1, no);
  assert.equal(about(notReceived)[0]?.alreadyDone, true, 'the resend, run again, found it done');
  const kinds = await auditKinds(estate().site, id);
  assert.deepEqual(
    kinds.filter((k) => k !== 'mutation'),
    ['run-started', 'plan', 'decision', 'proof-used', 'escalation', 'outcome'],
  );

  // One question per refund, filed once and sent once; the lost request sent once more, not twice.
  const asked = await db()
    .selectFrom('bank_queries')
    .select(['ref_no', 'query_id'])
    .where('bank_code', '=', 'ICBC')
    .where('query_id', 'like', `${queryPrefix(`${id}/${handle.firstExecutionRunId}`, 'refunds', 1)}%`)
    .execute();
  const refunds = [matchable, lostNotice, notReceived, amountDiffers];
  assert.deepEqual(asked.map((q) => q.ref_no).sort(), [...refunds].sort());
  assert.deepEqual(await sentAbout('ICBC', 'status_query', refunds), [1, 1, 1, 1]);
  assert.deepEqual(await sentAbout('ICBC', 'refund_request', [notReceived]), [1]);
  const runs = await activityRuns(estate().client, id);
  assert.equal(runs.scheduled.get('applyMutation'), 3);
  assert.ok(runs.retried.includes('applyMutation'), 'the killed step ran again after its commit');
  return `refunds: ran again after the kill: ${runs.retried.join(', ') || 'nothing'}`;
}

async function dailyReportKilledAfterTheRequest(l: WorkerLane, starting: Promise<void>): Promise<string> {
  const date = previousWorkday(today());
  const missing = ['daily_report', 'payment_list'] as const;
  await estate().sandbox.faults.inject({
    fault: 'daily-report-missing',
    bank: 'ABC',
    date,
    reports: [...missing],
    held: false,
  });

  await starting;
  const id = `daily-report-check/ABC/${date}/crash-${Date.now()}`;
  const handle = await l.startWorkflow('dailyReportCheck', id, {
    bank: 'ABC',
    requestedBy: 'eng',
    date,
    waitSeconds: 40,
  });
  // Query ids name the run (ask-bank.ts): this run's, as the workflow derives them.
  const prefix = queryPrefix(`${id}/${handle.firstExecutionRunId}`, 'report-resend');
  const requests = () =>
    db()
      .selectFrom('bank_queries')
      .select(['ref_no', 'status'])
      .where('bank_code', '=', 'ABC')
      .where('query_id', 'like', `${prefix}%`)
      .execute();
  await l.killWhen('the resend requests went out', async () => {
    const rows = await requests();
    return rows.length === missing.length && rows.every((r) => r.status !== 'pending_send');
  });

  const result: DailyReportCheckResult = await handle.result();
  await l.stop();
  assert.equal(result.outcome, 'received-after-resend', result.why);
  assert.ok(result.after.every((p) => p.present));
  assert.ok(result.requested.every((r) => r.answer?.resent === true && r.answer.reportDate === date));

  const refs = missing.map((k) => `${k}:${date}`);
  assert.deepEqual((await requests()).map((r) => r.ref_no).sort(), [...refs].sort(), 'filed once each');
  assert.deepEqual(await sentAbout('ABC', 'status_query', refs), [1, 1], 'sent to the bank once each');
  const reports = await db()
    .selectFrom('bank_reports')
    .select('kind')
    .where('bank_code', '=', 'ABC')
    .where('business_date', '=', date)
    .execute();
  assert.deepEqual(reports.map((r) => r.kind).sort(), ['daily_report', 'payment_list', 'recon_file']);
  const audited = await auditPayloads<{ action: string; before: { kind: string } }>(
    estate().site,
    id,
    'bank-request',
  );
  assert.deepEqual(
    audited.map((m) => `${m.action}:${m.before.kind}`),
    missing.map((k) => `request-report-resend:${k}`),
  );
  const runs = await activityRuns(estate().client, id);
  return `reports: ran again after the kill: ${runs.retried.join(', ') || 'nothing'}`;
}

test('killed while applying the refund changes / after the report resend request: settled, nothing twice', (t) =>
  // The refunds case has the longer road: its worker starts first.
  runCases(t, { refunds: refundKilledWhileApplying, reports: dailyReportKilledAfterTheRequest }));
