/**
 * Failed voucher repair and resend against the sandbox: timed-out vouchers, base data out of sync
 * at the bank and malformed payee accounts repaired and resent through the approval gate and the
 * send/receive programs, each paid by the bank exactly once; a second run resends nothing; a
 * person fixes what no rule can; a dry run changes nothing; bad input is refused naming the field.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import { openAuditDb } from '../../connectors/audit/database.ts';
import type { VoucherResendResult } from '../../domain/runbooks/voucher-resend.types.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import {
  approveNext,
  assertNoDoublePayment,
  assertPaidOnce,
  failedVouchers,
  quick,
  resendSite,
  startResend,
  treasuryStatus,
} from '../support/voucher-resend.ts';
import { workingTodayCalendar } from '../support/open-all-day.ts';

let estate: TestEstate;
const calendar = workingTodayCalendar();

before(async () => {
  estate = await startTestEstate({ banks: ['ICBC', 'ABC', 'BOC'], edit: resendSite(calendar.file) });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
  calendar.remove();
});

const id = (bank: string, tag: string) => `voucher-resend/${bank}/${tag}-${Date.now()}`;

/** The span of time whose run ids share their first eight characters: 2^16 ms of their 48-bit clock. */
const runIdSpanMs = 65_536;

/** Waits, when less than `needed` is left of the current span, for the next one to begin. */
async function startOfRunIdSpan(needed: number): Promise<void> {
  const left = runIdSpanMs - (Date.now() % runIdSpanMs);
  if (left < needed) await new Promise((r) => setTimeout(r, left + 50));
}

describe('voucher resend', () => {
  it('repairs and resends timed-out, base-data and malformed vouchers; each paid once; a second run resends nothing', async () => {
    const { faults } = estate.sandbox;
    const late = (await faults.inject({ fault: 'voucher-timed-out', bank: 'ICBC', count: 3 })).details
      .vouchers as string[];
    const stale = (await faults.inject({ fault: 'base-data-out-of-sync', bank: 'ICBC' })).details
      .vouchers as string[];
    const malformed = (await faults.inject({ fault: 'malformed-voucher', bank: 'ICBC', count: 2 })).details
      .vouchers as string[];
    await failedVouchers(estate.sandbox, 'ICBC', [...stale, ...malformed]);
    const ours = [...late, ...stale, ...malformed];

    const first = id('ICBC', 'first');
    const handle = await startResend(estate.client, estate.site, first, {
      bank: 'ICBC',
      requestedBy: 'eng',
      ...quick,
    });
    const gate = await approveNext(estate.client, estate.site, first);
    assert.equal(gate.step, 'resend');
    const planned = gate.plan.vouchers?.map((v) => v.voucherNo) ?? [];
    for (const no of ours) assert.ok(planned.includes(no), `${no} should be in the plan`);
    for (const v of gate.plan.vouchers ?? []) {
      assert.match(v.payeeAccount ?? '', /^\*\*\*\*.{0,4}$/, 'payee accounts are masked');
      assert.match(v.payeeName ?? '', /^.\*+$/, 'payee names are masked');
    }
    assert.ok(
      gate.plan.findings.some((f) => f.zh.startsWith('凭证要素校验规则：standard（')),
      'the plan names the rule set the fields were checked with',
    );
    const commands = gate.plan.actions.map((a) => a.command);
    assert.ok(
      commands.some((c) => c.startsWith('base_data payee_account')),
      'the plan pushes base data',
    );
    assert.ok(
      commands.some((c) => c.startsWith('UPDATE payee_accounts SET account_no')),
      'the plan normalises',
    );

    const result: VoucherResendResult = await handle.result();
    assert.ok(['completed', 'completed-with-holds'].includes(result.outcome), result.outcome);
    const byNo = new Map(result.vouchers.map((v) => [v.voucherNo, v]));
    for (const no of ours)
      assert.equal(byNo.get(no)?.outcome, 'accepted', `${no}: ${JSON.stringify(byNo.get(no))}`);
    assert.deepEqual(
      result.baseDataPushed.map((p) => [p.kind, p.acked]),
      [['payee_account', true]],
    );
    assert.equal(result.fixesApplied, 2);
    assertPaidOnce(estate.sandbox, 'ICBC', ours);
    assertNoDoublePayment(estate.sandbox, 'ICBC');
    const statuses = await treasuryStatus(estate.sandbox, ours);
    assert.ok(
      ours.every((no) => ['accepted', 'paid'].includes(statuses[no] ?? '')),
      JSON.stringify(statuses),
    );

    // The audit trail holds the plan, the decision and the resend with what changed.
    const db = await openAuditDb(estate.site.audit);
    try {
      const kinds = await db
        .selectFrom('audit_records')
        .select(['kind', 'workflow_id', 'payload'])
        .where('workflow_id', 'like', `${first}%`)
        .execute();
      for (const k of ['run-started', 'plan', 'decision', 'mutation', 'outcome'])
        assert.ok(
          kinds.some((r) => r.kind === k),
          `audit has a ${k} record`,
        );
      const requeue = kinds.filter((r) => r.kind === 'mutation' && r.payload.includes('pending_send'));
      assert.ok(requeue.length >= 1);
      const accounts = await estate.sandbox.treasury
        .selectFrom('vouchers as v')
        .innerJoin('payee_accounts as p', 'p.id', 'v.payee_account_id')
        .select(['p.account_no', 'p.account_name'])
        .where('v.voucher_no', 'in', ours)
        .execute();
      const plain = accounts.flatMap((a) => [a.account_no, a.account_name]);
      const leaks = [...kinds.map((r) => r.payload), JSON.stringify(result)].filter((text) =>
        plain.some((p) => text.includes(p)),
      );
      assert.deepEqual(leaks, [], 'no payee account number or name in the audit trail or the result');
    } finally {
      await db.destroy();
    }

    // Once more: nothing the bank has not got is left, so nothing is resent.
    const second = await startResend(estate.client, estate.site, id('ICBC', 'again'), {
      bank: 'ICBC',
      requestedBy: 'eng',
      ...quick,
    });
    const again: VoucherResendResult = await second.result();
    assert.ok(['nothing-to-do', 'held'].includes(again.outcome), again.outcome);
    assert.equal(again.counts.accepted ?? 0, 0);
    assertPaidOnce(estate.sandbox, 'ICBC', ours);
  });

  it('a second run under the same id, started within the same minute, pushes the base data the bank lacks again', async (t) => {
    const { faults, treasury } = estate.sandbox;
    const lagging = async () => {
      const stale = (await faults.inject({ fault: 'base-data-out-of-sync', bank: 'ABC' })).details
        .vouchers as string[];
      await failedVouchers(estate.sandbox, 'ABC', stale);
      return stale;
    };
    // Run ids are time-based (UUIDv7): runs started within the same 65.5 s share their first eight
    // characters. Both runs start within one such span here, as a reset or a quick second run would.
    await startOfRunIdSpan(30_000);
    const runId = id('ABC', 'twice');
    const runs: { runId: string; stale: string[]; result: VoucherResendResult }[] = [];
    for (const round of [1, 2]) {
      const stale = await lagging();
      const handle = await startResend(estate.client, estate.site, runId, {
        bank: 'ABC',
        requestedBy: 'eng',
        voucherNos: stale,
        ...quick,
      });
      await approveNext(estate.client, estate.site, runId);
      const result: VoucherResendResult = await handle.result();
      runs.push({ runId: handle.firstExecutionRunId, stale, result });
      const byNo = new Map(result.vouchers.map((v) => [v.voucherNo, v.outcome]));
      assert.deepEqual(
        stale.map((no) => byNo.get(no)),
        ['accepted', 'accepted'],
        `run ${round}: ${JSON.stringify(result.vouchers)}`,
      );
      assert.deepEqual(
        result.baseDataPushed.map((p) => [p.kind, p.acked]),
        [['payee_account', true]],
      );
      assertPaidOnce(estate.sandbox, 'ABC', stale);
    }
    const pushes = await treasury
      .selectFrom('base_data_pushes')
      .select(['push_id', 'status'])
      .where('bank_code', '=', 'ABC')
      .where('push_id', 'like', `${runId}#%`)
      .execute();
    assert.equal(pushes.length, 2, `one push per run: ${JSON.stringify(pushes)}`);
    assert.ok(pushes.every((p) => p.status === 'acked'));
    // On a loaded machine the first run can outlast the span: then the ids differ, and the case
    // still holds, only without the hazard it is about.
    const [first, second] = runs.map((r) => r.runId.slice(0, 8));
    t.diagnostic(`run ids begin ${first} and ${second}${first === second ? ' (alike)' : ''}`);
  });

  it('asks a person about a payee record no rule can fix, then resends once it is corrected', async () => {
    const { treasury } = estate.sandbox;
    const [bad] = (await estate.sandbox.faults.inject({ fault: 'malformed-voucher', bank: 'BOC', count: 1 }))
      .details.vouchers as string[];
    const voucher = await treasury
      .selectFrom('vouchers')
      .select('payee_account_id')
      .where('voucher_no', '=', bad as string)
      .executeTakeFirstOrThrow();
    // Letters in the account number: no normalisation can make it valid.
    await treasury
      .updateTable('payee_accounts')
      .set({ account_no: '6222O2O1 1OOO88' })
      .where('id', '=', voucher.payee_account_id)
      .execute();
    await failedVouchers(estate.sandbox, 'BOC', [bad as string]);

    const run = id('BOC', 'manual');
    const handle = await startResend(estate.client, estate.site, run, {
      bank: 'BOC',
      requestedBy: 'eng',
      voucherNos: [bad as string],
      ...quick,
    });
    const ask = await waitForGate(estate.client, run);
    assert.equal(ask.step, 'fix-fields');
    assert.ok(ask.plan.findings.some((f) => f.zh.includes(bad as string) && f.zh.includes('收款人账号')));
    // The person corrects the record in the base-data system, then says so.
    await treasury
      .updateTable('payee_accounts')
      .set({ account_no: '6222020110008800' })
      .where('id', '=', voucher.payee_account_id)
      .execute();
    await decide(
      estate.client,
      run,
      signedBy(estate.site, ask, 'wang', { reason: '已在基础资料系统修正账号' }),
    );
    const resend = await approveNext(estate.client, estate.site, run);
    assert.equal(resend.step, 'resend');
    assert.deepEqual(
      resend.plan.vouchers?.map((v) => v.voucherNo),
      [bad],
    );
    const result: VoucherResendResult = await handle.result();
    assert.equal(result.outcome, 'completed');
    assertPaidOnce(estate.sandbox, 'BOC', [bad as string]);
  });

  it('a dry run plans and changes nothing', async () => {
    const late = (await estate.sandbox.faults.inject({ fault: 'voucher-timed-out', bank: 'ABC', count: 2 }))
      .details.vouchers as string[];
    const result: VoucherResendResult = await estate.client.workflow.execute('voucherResend', {
      taskQueue: estate.site.temporal.taskQueues.runbooks,
      workflowId: id('ABC', 'dry'),
      args: [{ bank: 'ABC', requestedBy: 'eng', dryRun: true, voucherNos: late, ...quick }],
    });
    assert.equal(result.outcome, 'planned');
    assert.deepEqual(result.plan?.vouchers?.map((v) => v.voucherNo).sort(), [...late].sort());
    assert.deepEqual(Object.values(await treasuryStatus(estate.sandbox, late)), ['timed_out', 'timed_out']);
    for (const no of late) assert.equal(estate.sandbox.banks.ledger('ABC').payCount(no), 0);
  });

  it('refuses bad input naming the field, before anything happens', async () => {
    for (const [args, field] of [
      [{ bank: 'XYZ', requestedBy: 'eng' }, 'input.bank'],
      [{ bank: 'ICBC', requestedBy: 'eng', batchSize: 5 }, 'input.batchSize'],
      [{ bank: 'ICBC', requestedBy: 'eng', voucherNos: ['bad no'] }, 'input.voucherNos[0]'],
      [{ bank: 'ICBC' }, 'input.requestedBy'],
    ] as const) {
      await assert.rejects(
        estate.client.workflow.execute('voucherResend', {
          taskQueue: estate.site.temporal.taskQueues.runbooks,
          workflowId: id('ICBC', 'bad'),
          args: [args],
        }),
        (err: unknown) => {
          assert.ok(err instanceof WorkflowFailedError);
          assert.ok(err.cause instanceof ApplicationFailure);
          assert.equal(err.cause.type, 'InvalidInput');
          assert.ok(err.cause.message.includes(field), `${err.cause.message} should name ${field}`);
          return true;
        },
      );
    }
  });

  it('a run reset at its gate replays the batches it started before the reset and asks again', async () => {
    const late = (await estate.sandbox.faults.inject({ fault: 'voucher-timed-out', bank: 'BOC', count: 1 }))
      .details.vouchers as string[];
    const runId = id('BOC', 'reset');
    const handle = await startResend(estate.client, estate.site, runId, {
      bank: 'BOC',
      requestedBy: 'eng',
      voucherNos: late,
      ...quick,
    });
    assert.equal((await waitForGate(estate.client, runId)).step, 'resend');
    const events = (await handle.fetchHistory()).events ?? [];
    const diagnosed = events.filter((e) => e.childWorkflowExecutionCompletedEventAttributes).length;
    assert.ok(diagnosed > 0, 'the batches were diagnosed before the reset point');
    const reset = await estate.client.workflowService.resetWorkflowExecution({
      namespace: estate.site.temporal.namespace,
      workflowExecution: { workflowId: runId, runId: handle.firstExecutionRunId },
      workflowTaskFinishEventId: events.filter((e) => e.workflowTaskCompletedEventAttributes).at(-1)?.eventId,
      reason: 'test: reset at the gate',
      requestId: randomUUID(),
    });
    // The reset run replays its children's starts with the ids it gave them, then waits at its gate.
    const again = await waitForGate(estate.client, runId);
    assert.equal(again.runId, reset.runId);
    assert.equal(again.step, 'resend');
    const resetRun = estate.client.workflow.getHandle(runId, reset.runId ?? '');
    const failedTasks = ((await resetRun.fetchHistory()).events ?? []).filter(
      (e) => e.workflowTaskFailedEventAttributes?.cause !== undefined,
    );
    assert.deepEqual(
      failedTasks.map((e) => e.workflowTaskFailedEventAttributes?.cause),
      [proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW],
      'no workflow task failed on replay',
    );
    await resetRun.terminate('test: done');
  });
});
