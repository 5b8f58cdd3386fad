/**
 * No double payment, shown under faults (the resend runbook's main acceptance test). Four cases
 * run at once, one bank each. Three run on a worker lane of their own (test/support/worker-lane.ts)
 * whose worker process is killed with SIGKILL at the runbook's step boundaries in turn, chosen by
 * watching the treasury database and the bank: status queries asked, waiting at the gate,
 * finance's status corrected, payee fields normalised, base data pushed, the bank asked again
 * before the resend, vouchers requeued, the bank's acceptance in but not yet finance's status
 * (its ack and receipt lost), the finance side corrected. A status answer is lost once as well.
 * After every kill no voucher is paid twice; at the end the bank's own books show every voucher
 * paid exactly once and none lost. The fourth case, on the estate's own worker, starts a resend
 * twice: the workflow id refuses one start, the lock the other, and a run after the first has
 * ended resends nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { VoucherResendResult } from '../../domain/runbooks/voucher-resend.types.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import {
  approveNext,
  assertNoDoublePayment,
  assertPaidOnce,
  failedVouchers,
  paidButUnanswered,
  resendSite,
  startResend,
  treasuryStatus,
} from '../support/voucher-resend.ts';
import { workingTodayCalendar } from '../support/open-all-day.ts';
import { WorkerLane } from '../support/worker-lane.ts';

let estate: TestEstate;
const calendar = workingTodayCalendar();
const lanes: WorkerLane[] = [];
// Long enough for a worker restart to fit inside one round of questions.
const timing = { answerWaitSeconds: 10, askRounds: 4, ackWaitSeconds: 60, verifySeconds: 12 };

before(async () => {
  estate = await startTestEstate({ edit: resendSite(calendar.file) });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  for (const lane of lanes) await lane.close();
  await estate?.stop();
  calendar.remove();
});

/** A worker lane for one bank's case: whenever its worker is killed, no voucher of the bank is paid twice. */
function bankLane(bank: string, tag: string): WorkerLane {
  const lane = new WorkerLane(estate, tag, {
    afterKill: () => assertNoDoublePayment(estate.sandbox, bank),
  });
  lanes.push(lane);
  return lane;
}

const resend = (lane: WorkerLane, bank: string, id: string, voucherNos: string[]) =>
  lane.startWorkflow('voucherResend', id, { bank, requestedBy: 'eng', voucherNos, ...timing });

const questionsAbout = async (bank: string, voucherNos: string[]) =>
  (
    await estate.sandbox.treasury
      .selectFrom('bank_queries')
      .select('query_id')
      .where('bank_code', '=', bank)
      .where('ref_no', 'in', voucherNos)
      .execute()
  ).length;
const programDown = (bank: string) => estate.sandbox.programs.kill(bank, 'SIGKILL');
const programUp = async (bank: string) => void (await estate.sandbox.programs.start(bank));
const statusOf = async (no: string) => (await treasuryStatus(estate.sandbox, [no]))[no];

async function laneTimedOutAndAligned(): Promise<void> {
  // Two vouchers sent after the close; one the bank paid though finance never heard; one lost answer.
  const lane = bankLane('ICBC', 'icbc');
  const { faults } = estate.sandbox;
  const late = (await faults.inject({ fault: 'voucher-timed-out', bank: 'ICBC', count: 2 })).details
    .vouchers as string[];
  const paid = await paidButUnanswered(estate.sandbox, 'ICBC');
  await faults.inject({ fault: 'answer-lost', bank: 'ICBC', answer: 'status_answer', count: 1 });
  const ours = [...late, paid];
  await lane.start();
  await programDown('ICBC');
  const id = `voucher-resend/ICBC/crash-${Date.now()}`;
  const handle = await resend(lane, 'ICBC', id, ours);

  await lane.killWhen(
    'status queries asked',
    async () => (await questionsAbout('ICBC', ours)) >= ours.length,
    { meanwhile: () => programUp('ICBC') },
  );
  await waitForGate(estate.client, id);
  await lane.killWhen('waiting at the gate', () => true);
  await programDown('ICBC');
  const gate = await waitForGate(estate.client, id);
  assert.deepEqual(
    gate.plan.vouchers?.map((v) => v.voucherNo).sort(),
    [...late].sort(),
    'only what the bank lacks',
  );
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  // The execution asks the bank again before it changes anything: the program carries its questions.
  await programUp('ICBC');
  await lane.killWhen(
    'finance status corrected for the paid voucher',
    async () => (await statusOf(paid)) === 'accepted',
  );
  await lane.killWhen(
    'vouchers requeued for the resend',
    async () => (await statusOf(late[0] as string)) !== 'timed_out',
  );

  const result: VoucherResendResult = await handle.result();
  await lane.stop();
  assert.equal(result.outcome, 'completed', JSON.stringify(result.vouchers));
  assert.deepEqual(
    Object.fromEntries(result.vouchers.map((v) => [v.voucherNo, v.outcome])),
    Object.fromEntries([...late.map((no) => [no, 'accepted']), [paid, 'aligned']]),
  );
  assert.equal(estate.sandbox.banks.stopLosingAnswers('ICBC'), 1, 'one status answer was lost');
  assertPaidOnce(estate.sandbox, 'ICBC', ours);
  assertNoDoublePayment(estate.sandbox, 'ICBC');
  assert.equal(lane.kills.length, 4);
}

async function laneBaseDataAndFields(): Promise<void> {
  const lane = bankLane('ABC', 'abc');
  const { faults, treasury } = estate.sandbox;
  const stale = (await faults.inject({ fault: 'base-data-out-of-sync', bank: 'ABC' })).details
    .vouchers as string[];
  const malformed = (await faults.inject({ fault: 'malformed-voucher', bank: 'ABC', count: 1 })).details
    .vouchers as string[];
  const ours = [...stale, ...malformed];
  await failedVouchers(estate.sandbox, 'ABC', ours);
  const payee = await treasury
    .selectFrom('vouchers')
    .select('payee_account_id')
    .where('voucher_no', '=', malformed[0] as string)
    .executeTakeFirstOrThrow();
  await lane.start();
  const id = `voucher-resend/ABC/crash-${Date.now()}`;
  const handle = await resend(lane, 'ABC', id, ours);
  const gate = await waitForGate(estate.client, id);
  await programDown('ABC');
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));

  await lane.killWhen('payee account normalised', async () => {
    const row = await treasury
      .selectFrom('payee_accounts')
      .select('account_no')
      .where('id', '=', payee.payee_account_id)
      .executeTakeFirst();
    return /^\d+$/.test(row?.account_no ?? '');
  });
  await lane.killWhen(
    'base-data update requested, not yet acknowledged',
    async () =>
      (
        await treasury
          .selectFrom('base_data_pushes')
          .select('status')
          .where('bank_code', '=', 'ABC')
          .execute()
      ).some((p) => p.status === 'pending_send'),
    { meanwhile: () => programUp('ABC') },
  );
  await lane.killWhen(
    'the bank asked again just before the resend',
    async () => (await questionsAbout('ABC', ours)) > ours.length,
  );
  await lane.killWhen(
    'vouchers requeued for the resend',
    async () => (await statusOf(stale[0] as string)) !== 'rejected',
  );

  const result: VoucherResendResult = await handle.result();
  await lane.stop();
  assert.equal(result.outcome, 'completed', JSON.stringify(result.vouchers));
  assert.deepEqual(
    result.baseDataPushed.map((p) => [p.kind, p.acked]),
    [['payee_account', true]],
  );
  assert.equal(result.fixesApplied, 1);
  assertPaidOnce(estate.sandbox, 'ABC', ours);
  assertNoDoublePayment(estate.sandbox, 'ABC');
}

async function laneAcceptedButUnheard(): Promise<void> {
  // The bank accepts and pays the resent vouchers, but their acks and receipts are lost: the
  // worker dies between the bank's acceptance and finance's status update, and again after it.
  const lane = bankLane('BOC', 'boc');
  const { faults } = estate.sandbox;
  const late = (await faults.inject({ fault: 'voucher-timed-out', bank: 'BOC', count: 2 })).details
    .vouchers as string[];
  await lane.start();
  const id = `voucher-resend/BOC/crash-${Date.now()}`;
  const handle = await resend(lane, 'BOC', id, late);
  const gate = await waitForGate(estate.client, id);
  await faults.inject({ fault: 'answer-lost', bank: 'BOC', answer: 'voucher_ack', count: 2 });
  await faults.inject({ fault: 'answer-lost', bank: 'BOC', answer: 'receipt', count: 2 });
  await decide(estate.client, id, signedBy(estate.site, gate, 'wang'));
  const ledger = estate.sandbox.banks.ledger('BOC');
  await lane.killWhen('paid by the bank, still `sent` at finance', async () => {
    const statuses = await treasuryStatus(estate.sandbox, late);
    return late.every((no) => ledger.payCount(no) === 1 && statuses[no] === 'sent');
  });
  await lane.killWhen('finance status corrected from the bank’s answer', async () => {
    const statuses = await treasuryStatus(estate.sandbox, late);
    return late.every((no) => statuses[no] === 'accepted');
  });
  const result: VoucherResendResult = await handle.result();
  await lane.stop();
  await faults.clear({ fault: 'answer-lost', bank: 'BOC' });
  assert.equal(result.outcome, 'completed', JSON.stringify(result.vouchers));
  assert.ok(
    result.vouchers.every((v) => v.outcome === 'accepted' && v.detail?.includes('回执')),
    JSON.stringify(result.vouchers),
  );
  assertPaidOnce(estate.sandbox, 'BOC', late);
  assertNoDoublePayment(estate.sandbox, 'BOC');
}

async function laneStartedTwice(): Promise<void> {
  const { faults } = estate.sandbox;
  const late = (await faults.inject({ fault: 'voucher-timed-out', bank: 'CCB', count: 2 })).details
    .vouchers as string[];
  const site = estate.site;
  const id = `voucher-resend/CCB/twice-${Date.now()}`;
  const input = { bank: 'CCB', requestedBy: 'eng', voucherNos: late, ...timing };
  const first = await startResend(estate.client, site, id, input);
  await waitForGate(estate.client, id);

  // The same id while it runs: Temporal refuses the start.
  await assert.rejects(startResend(estate.client, site, id, input), WorkflowExecutionAlreadyStartedError);
  // Another id for the same bank: the lock refuses it before it changes anything.
  await assert.rejects(
    estate.client.workflow.execute('voucherResend', {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId: `${id}-other`,
      args: [input],
    }),
    (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'ResourceLocked');
      assert.ok(err.cause.message.includes('lock/vouchers/CCB'));
      return true;
    },
  );
  await approveNext(estate.client, site, id);
  const done: VoucherResendResult = await first.result();
  assert.equal(done.outcome, 'completed');
  assertPaidOnce(estate.sandbox, 'CCB', late);

  // The same id again, after the first has ended: nothing left that the bank lacks.
  const again: VoucherResendResult = await (await startResend(estate.client, site, id, input)).result();
  assert.equal(again.outcome, 'nothing-to-do');
  assert.equal(again.found, 0);
  assertPaidOnce(estate.sandbox, 'CCB', late);
  assertNoDoublePayment(estate.sandbox, 'CCB');
}

test('killed at every step boundary, a lost answer, started twice: every voucher paid exactly once, none lost', async () => {
  const lanes = await Promise.allSettled([
    laneTimedOutAndAligned(),
    laneBaseDataAndFields(),
    laneAcceptedButUnheard(),
    laneStartedTwice(),
  ]);
  const failures = lanes.flatMap((l, i) =>
    l.status === 'rejected' ? [`lane ${i + 1}: ${String(l.reason?.stack ?? l.reason)}`] : [],
  );
  assert.deepEqual(failures, []);
});
