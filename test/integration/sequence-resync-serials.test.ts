import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openAuditDb } from '../../connectors/audit/database.ts';
import type { SequenceResyncResult } from '../../domain/runbooks/sequence-resync.types.ts';
import { addTestUsers, decide, signedBy, waitForGate } from '../support/approvals.ts';
import { addPendingVoucher, financeSerialOut } from '../support/ccb-serials.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';

let estate: TestEstate;

// One bank, with its real send/receive program: the status query and the vouchers travel the way
// they do at a site (treasury database → program → MQ → bank, and back).
before(async () => {
  estate = await startTestEstate({ banks: ['CCB'] });
  await addTestUsers(estate.site);
  await estate.startWorker();
});
after(async () => {
  await estate?.stop();
});

const db = () => estate.sandbox.treasury;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const financeOut = () => financeSerialOut(estate, 'CCB');

const addVoucher = (tag: string) => addPendingVoucher(estate, 'CCB', `R${tag}`, 56_700);

/** Waits until the bank has answered the voucher (any status but pending_send / sent). */
async function answered(voucherNo: string) {
  for (let i = 0; i < 200; i++) {
    const v = await db()
      .selectFrom('vouchers')
      .select(['status', 'serial_no', 'failure_code'])
      .where('voucher_no', '=', voucherNo)
      .executeTakeFirstOrThrow();
    if (!['pending_send', 'sent'].includes(v.status)) return v;
    await pause(100);
  }
  throw new Error(`${voucherNo} was never answered`);
}

function startResync(id: string) {
  return estate.client.workflow.start('sequenceResync', {
    taskQueue: estate.site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ bank: 'CCB', requestedBy: 'eng', scope: 'serials', verifySeconds: 30, answerSeconds: 30 }],
  });
}

describe('sequence resync, serials scope', () => {
  it("agrees the last serial with the bank's status answer and realigns finance's under approval", async () => {
    const f0 = await financeOut();
    await estate.sandbox.faults.inject({ fault: 'serial-mismatch', bank: 'CCB', delta: 3 });
    const refusedNo = await addVoucher('A');
    const refused = await answered(refusedNo);
    assert.equal(refused.failure_code, 'E_SERIAL', 'the bank refuses a voucher with the wrong serial');
    assert.equal(await financeOut(), f0 + 1);
    const bankLast = estate.sandbox.banks.ledger('CCB').lastSerialAccepted();
    assert.equal(bankLast, f0 + 3);

    const id = `sequence-resync/serials/CCB/test-${Date.now()}`;
    const handle = await startResync(id);
    const gate = await waitForGate(estate.client, id);
    assert.equal(gate.step, 'execute');
    assert.deepEqual(
      gate.plan.actions.map((a) => [a.kind, a.target, a.command]),
      [
        [
          'sql',
          'treasury',
          `UPDATE message_serials SET last_serial = ${bankLast}, updated_at = :now WHERE bank_code = 'CCB' AND direction = 'out' AND last_serial = ${f0 + 1}`,
        ],
      ],
    );
    const findings = gate.plan.findings.map((f) => f.zh).join('\n');
    assert.match(findings, new RegExp(`银行答复：最后接受序号 ${bankLast}`));
    assert.match(findings, /1 笔凭证因序号被银行拒绝/);
    assert.equal(await financeOut(), f0 + 1, 'nothing changes before the approval');

    await decide(
      estate.client,
      id,
      signedBy(estate.site, gate, 'wang', { reason: '与建行状态查询答复一致' }),
    );
    const result: SequenceResyncResult = await handle.result();
    assert.equal(result.outcome, 'realigned', result.why);
    assert.equal(await financeOut(), bankLast);
    assert.equal(result.serials?.before.financeOut, f0 + 1);
    assert.equal(result.serials?.bank?.lastSerialAccepted, bankLast);
    assert.equal(result.serials?.before.lastSent?.serial, f0 + 1);
    assert.equal(
      result.serials?.bank?.askedAbout,
      refusedNo,
      'the bank is asked about the last voucher sent',
    );
    assert.equal(result.serials?.bankAfter?.lastSerialAccepted, bankLast);
    assert.equal(result.verification?.ok, true);
    const questions = await db()
      .selectFrom('bank_queries')
      .select(['status', 'answer'])
      .where('bank_code', '=', 'CCB')
      .execute();
    assert.ok(questions.length >= 3 && questions.every((q) => q.status === 'answered'));

    const audit = await openAuditDb(estate.site.audit);
    try {
      const rows = await audit
        .selectFrom('audit_records')
        .select(['kind', 'payload'])
        .where('workflow_id', '=', id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        rows.map((r) => r.kind),
        ['run-started', 'plan', 'decision', 'proof-used', 'mutation', 'outcome'],
      );
      const mutation = JSON.parse(rows[4]!.payload) as { action: string; before: { financeOut: number } };
      assert.equal(mutation.action, gate.plan.actions[0]?.command);
      assert.equal(mutation.before.financeOut, f0 + 1);
    } finally {
      await audit.destroy();
    }

    // The next voucher carries the number the bank expects: its serial is accepted.
    const next = await answered(await addVoucher('B'));
    assert.equal(next.serial_no, bankLast + 1);
    assert.notEqual(next.failure_code, 'E_SERIAL');
    assert.equal(estate.sandbox.banks.ledger('CCB').lastSerialAccepted(), bankLast + 1);

    // Run again: the two sides agree now.
    const again: SequenceResyncResult = await (await startResync(`${id}-again`)).result();
    assert.equal(again.outcome, 'nothing-to-do');
    assert.deepEqual(again.plans, []);
  });
});
