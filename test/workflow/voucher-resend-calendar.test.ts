/**
 * The resend's waiting logic on Temporal's time-skipping test server: a voucher that timed out
 * after the bank's close is resent at the opening of the next working day by the Chinese
 * calendar (chinese-days' data for 2026: the Spring Festival with its make-up Saturday 2026-02-14,
 * the Mid-Autumn/National Day holiday with its make-up Saturday 2026-10-10), never before — or
 * in a bank's extended hours (延时服务) that a calendar file dropped in on the day declares — and
 * only while its approval is young enough: a window beyond the approval's age is not waited for,
 * the batch hands back for a new plan and a new approval. The server starts on the Friday evening
 * before the Spring Festival and jumps days in milliseconds. The calendar activity is the real
 * one; the treasury and bank side are typed fakes (no worker guard: the proof is not checked here).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { records, writes } from '../../activities/activity-kinds.ts';
import type { createAuditActivities } from '../../activities/audit.ts';
import type { createBankQuestionActivities } from '../../activities/bank-questions.ts';
import { createCalendarActivities } from '../../activities/calendar.ts';
import { createControlActivities } from '../../activities/control.ts';
import type { createNotifyActivities } from '../../activities/notify.ts';
import type { createVoucherActivities } from '../../activities/vouchers.ts';
import { createSiteCalendar } from '../../connectors/calendar/site-calendar.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import { refOf, type BankQuestion } from '../../domain/bank-questions.ts';
import { listPart } from '../../domain/runbooks/voucher-resend.plan.ts';
import type { BatchResult, ResendBatchInput } from '../../domain/runbooks/voucher-resend.types.ts';
import { defaultSiteFile, loadSite } from '../../temporal.config.ts';
import { voucherResendBatch } from '../../workflows/voucher-resend-batch.ts';
import { startTimeSkipping, type TimeSkipping } from '../support/time-skipping.ts';
import { testWorkflowBundle } from '../support/test-build.ts';

type Vouchers = ReturnType<typeof createVoucherActivities>;
type BankQuestions = ReturnType<typeof createBankQuestionActivities>;
type Control = ReturnType<typeof createControlActivities>;

const site = loadSite(defaultSiteFile);
const taskQueue = `resend-calendar-${Date.now()}`;
const start = '2026-02-13T18:00:00+08:00';
const calendarDir = mkdtempSync(join(tmpdir(), 'jincai-resend-calendar-'));

let timeSkipping: TimeSkipping;
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

/** What the fakes saw: when (server time) each voucher was put back for sending. */
const requeuedAt = new Map<string, number>();
const rows = new Map<string, { status: string; updatedAt: string }>();

const statesOf = (voucherNos: string[]) =>
  voucherNos.map((no) => ({
    voucherNo: no,
    status: rows.get(no)?.status ?? 'missing',
    updatedAt: rows.get(no)?.updatedAt ?? '',
    failureCode: null,
  }));

const vouchers: Pick<
  Vouchers,
  | 'inspectFailedVouchers'
  | 'voucherStates'
  | 'awaitSettledVoucherStates'
  | 'requeueVouchers'
  | 'alignVoucherStatus'
> = {
  inspectFailedVouchers: async ({ voucherNos }) =>
    (voucherNos ?? []).map((no) => ({
      voucherNo: no,
      amountFen: 1_288_000,
      status: 'timed_out',
      businessDate: rows.get(no)?.updatedAt.slice(0, 10) ?? '',
      updatedAt: rows.get(no)?.updatedAt ?? '',
      sentAt: rows.get(no)?.updatedAt ?? null,
      failureCode: 'E_OUT_OF_WINDOW',
      payeeId: 'PA000001',
      payee: { name: '县**********司', account: '****8800' },
      staleBaseData: [],
      fields: { ok: true },
      ruleSet: 'standard',
      voiding: false,
    })),
  voucherStates: async ({ voucherNos }) => statesOf(voucherNos),
  // The requeued vouchers are accepted at once: settled at the first look.
  awaitSettledVoucherStates: async ({ voucherNos }) => statesOf(voucherNos),
  requeueVouchers: writes(async ({ vouchers: vs }) =>
    vs.map((v) => {
      requeuedAt.set(v.voucherNo, Context.current().info.currentAttemptScheduledTimestampMs);
      rows.set(v.voucherNo, { status: 'accepted', updatedAt: new Date().toISOString() });
      return { voucherNo: v.voucherNo, changed: true, status: 'pending_send' };
    }),
  ),
  alignVoucherStatus: writes(async () => {
    throw new Error('nothing should be aligned');
  }),
};

/** The questions filed, each answered at once. */
const asked = new Map<string, BankQuestion>();
const questions: BankQuestions = {
  askBank: writes(async ({ questions: qs }) => {
    for (const q of qs) asked.set(q.queryId, q);
    return { filed: qs.length };
  }),
  countAnswers: async ({ prefix }) => {
    const n = [...asked.keys()].filter((id) => id.startsWith(prefix)).length;
    return { filed: n, sent: n, answered: n };
  },
  // The bank booked the late voucher as rejected (E_OUT_OF_WINDOW): no payable record.
  readAnswers: async ({ prefix }) =>
    [...asked.values()]
      .filter((q) => q.queryId.startsWith(prefix))
      .map((q) => ({
        queryId: q.queryId,
        answeredAt: new Date().toISOString(),
        voucherNo: refOf(q),
        known: true,
        status: 'rejected',
      })),
};

// The real estate description of the committed site, with this test's task queue.
const control: Pick<Control, 'describeEstate'> = {
  describeEstate: async () => ({
    ...(await createControlActivities({ site }).describeEstate()),
    taskQueues: { runbooks: taskQueue, comm: taskQueue, db: taskQueue },
  }),
};
const audit: ReturnType<typeof createAuditActivities> = {
  appendAudit: records(async () => ({ seq: 1, hash: '0' })),
};
const notify: ReturnType<typeof createNotifyActivities> = { notify: records(async () => undefined) };

before(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  timeSkipping = await startTimeSkipping({ initialTime: start });
  env = timeSkipping.env;
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await testWorkflowBundle('runbooks'),
    activities: {
      ...vouchers,
      ...questions,
      ...control,
      ...audit,
      ...notify,
      ...createCalendarActivities({ site, calendar: createSiteCalendar({ files: [], dir: calendarDir }) }),
    },
  });
  running = worker.run();
});
after(async () => {
  worker?.shutdown();
  await running;
  await timeSkipping?.teardown();
  rmSync(calendarDir, { recursive: true, force: true });
});

/** Moves the server's clock forward to `iso` (it never goes back). */
async function clockTo(iso: string): Promise<void> {
  const ms = Date.parse(iso) - (await env.currentTimeMs());
  assert.ok(ms >= 0, `the test server is already past ${iso}`);
  if (ms > 0) await env.sleep(ms);
}

/** Runs one approved batch with the timed-out voucher, as its parent starts it, and waits for it. */
async function resendTimedOut(
  voucherNo: string,
  timedOutAt: string,
  approvalHoldsMs = 30 * 86_400_000,
): Promise<BatchResult> {
  const updatedAt = new Date(timedOutAt).toISOString();
  rows.set(voucherNo, { status: 'timed_out', updatedAt });
  const now = await env.currentTimeMs();
  const input: ResendBatchInput = {
    bank: 'ICBC',
    runKey: `voucher-resend/ICBC/test#${voucherNo}`,
    batch: 1,
    round: 1,
    voucherNos: [voucherNo],
    since: '2026-01-01',
    staleSentBefore: updatedAt,
    answerWaitSeconds: 60,
    askRounds: 2,
    verifySeconds: 120,
    sampleSize: 10,
    detail: true,
    proof: undefined,
    approvedOn: {
      gateId: 'resend-1',
      planDigest: planDigest({ title: 'resend' }),
      approvedBy: [{ user: 'wang', role: 'finance-approver' }],
    },
    actBy: new Date(now + approvalHoldsMs).toISOString(),
    expected: {
      resendDigest: planDigest([{ voucherNo, amountFen: 1_288_000, status: 'timed_out', updatedAt }]),
      alignDigest: planDigest([]),
    },
    lists: {
      resend: { parts: [listPart([{ voucherNo }])], index: 0 },
      align: { parts: [listPart([])], index: 0 },
    },
    blockedKinds: [],
  };
  const handle = await env.client.workflow.start(voucherResendBatch, {
    taskQueue,
    workflowId: `voucher-resend/ICBC/calendar-${voucherNo}`,
    args: [input],
  });
  return handle.result();
}

function assertResentAt(result: BatchResult, voucherNo: string, opening: string): void {
  const at = requeuedAt.get(voucherNo);
  assert.ok(at !== undefined, `${voucherNo} was not resent`);
  const open = Date.parse(opening);
  assert.ok(
    at >= open,
    `${voucherNo} resent at ${new Date(at).toISOString()}, before the window opened at ${opening}`,
  );
  assert.ok(
    at < open + 60_000,
    `${voucherNo} resent at ${new Date(at).toISOString()}, not at the opening ${opening}`,
  );
  assert.equal(result.windowOpenedAt !== undefined && Date.parse(result.windowOpenedAt) >= open, true);
  assert.deepEqual(
    result.results.map((r) => [r.voucherNo, r.outcome]),
    [[voucherNo, 'accepted']],
  );
}

test('timed out on the Friday before the Spring Festival: resent at 08:30 on the make-up Saturday', async () => {
  const now = await env.currentTimeMs();
  assert.ok(
    now - Date.parse(start) < 60_000,
    `the server should start at ${start}, not ${new Date(now).toISOString()}`,
  );
  const result = await resendTimedOut('ZZ20260213ICBCT0001', '2026-02-13T17:02:00+08:00');
  assertResentAt(result, 'ZZ20260213ICBCT0001', '2026-02-14T08:30:00+08:00');
});

test('timed out on that make-up Saturday evening: waits out the holiday, resent on Tuesday 2026-02-24', async () => {
  await clockTo('2026-02-14T17:30:00+08:00');
  const result = await resendTimedOut('ZZ20260214ICBCT0002', '2026-02-14T17:05:00+08:00');
  assertResentAt(result, 'ZZ20260214ICBCT0002', '2026-02-24T08:30:00+08:00');
});

test('timed out the evening before National Day: resent when the holiday ends, 2026-10-08', async () => {
  await clockTo('2026-09-30T17:10:00+08:00');
  const result = await resendTimedOut('ZZ20260930ICBCT0003', '2026-09-30T17:03:00+08:00');
  assertResentAt(result, 'ZZ20260930ICBCT0003', '2026-10-08T08:30:00+08:00');
});

test('timed out on the Friday after National Day: resent on the make-up Saturday 2026-10-10', async () => {
  await clockTo('2026-10-09T17:30:00+08:00');
  const result = await resendTimedOut('ZZ20261009ICBCT0004', '2026-10-09T17:01:00+08:00');
  assertResentAt(result, 'ZZ20261009ICBCT0004', '2026-10-10T08:30:00+08:00');
});

test('inside the window: resent at once, no wait', async () => {
  await clockTo('2026-10-12T10:00:00+08:00');
  const result = await resendTimedOut('ZZ20261012ICBCT0005', '2026-10-09T17:01:00+08:00');
  assertResentAt(result, 'ZZ20261012ICBCT0005', '2026-10-12T10:00:00+08:00');
});

test('timed out on a Friday evening, the bank agreed to Saturday morning hours: resent at 09:00 on Saturday', async () => {
  await clockTo('2026-12-25T17:30:00+08:00');
  writeFileSync(
    join(calendarDir, 'year-end.yaml'),
    'extendedHours:\n  - { date: "2026-12-26", banks: [ICBC], open: "09:00", close: "12:00", reason: 年终延时服务 }\n',
  );
  const result = await resendTimedOut('ZZ20261225ICBCT0006', '2026-12-25T17:05:00+08:00');
  assertResentAt(result, 'ZZ20261225ICBCT0006', '2026-12-26T09:00:00+08:00');
  assert.equal(result.windowExtended, '年终延时服务');
});

test('an approval that would age before the window opens is not waited on: the batch asks for a new plan', async () => {
  await clockTo('2026-12-28T17:30:00+08:00');
  const result = await resendTimedOut('ZZ20261228ICBCT0008', '2026-12-28T17:05:00+08:00', 3_600_000);
  assert.equal(requeuedAt.has('ZZ20261228ICBCT0008'), false, 'nothing resent on an aged approval');
  assert.equal(result.replan?.why, 'approval-aged');
  assert.ok(result.replan?.opensAt, 'the batch says when the window opens');
  assert.deepEqual(
    result.results.map((r) => [r.voucherNo, r.outcome]),
    [['ZZ20261228ICBCT0008', 'held']],
  );
});

test('timed out on New Year’s Eve with 2027 not declared: refused naming the year and the fix, nothing resent', async () => {
  await clockTo('2026-12-31T17:30:00+08:00');
  const failed = await resendTimedOut('ZZ20261231ICBCT0007', '2026-12-31T17:05:00+08:00').then(
    () => assert.fail('the batch must not guess whether 1 January 2027 is a working day'),
    (err: unknown) => err,
  );
  assert.ok(failed instanceof WorkflowFailedError);
  assert.ok(failed.cause instanceof ApplicationFailure);
  assert.equal(failed.cause.type, 'CalendarYearUnknown');
  assert.equal(failed.cause.nonRetryable, true);
  assert.match(
    failed.cause.message,
    /^ICBC: cannot tell when the business window opens: .*no data for 2027 \(asked about 2027-01-01\): declare 2027's/,
  );
  assert.equal(requeuedAt.has('ZZ20261231ICBCT0007'), false);
});
