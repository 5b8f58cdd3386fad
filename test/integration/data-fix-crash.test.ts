/**
 * A data fix and its undo with the worker killed (kill -9) at each step boundary, on a worker lane
 * of its own (test/support/worker-lane.ts): while the fix waits at its gate; once its transaction
 * has committed and before Temporal has heard of it; once the undo's transaction has committed and
 * before Temporal has heard of it. After every kill the fix's rows are all as before or all as after
 * (never half a fix); each run completes, the journal holds the fix once, each change is audited
 * once, and the undo puts every row back as it was.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DataFixResult, DataFixUndoResult } from '../../domain/runbooks/data-fix.types.ts';
import { decide, signedBy, waitForGate } from '../support/approvals.ts';
import { rowsNow, startDataFixEstate } from '../support/data-fix.ts';
import type { TestEstate } from '../support/estate.ts';
import { auditPayloads, WorkerLane } from '../support/worker-lane.ts';

let estate: TestEstate;
let lane: WorkerLane | undefined;
let vouchers: string[] = [];

/** The fix's vouchers all in one status: never half a fix. */
async function wholeOrNothing(): Promise<void> {
  const statuses = new Set((await rowsNow(estate, 'vouchers', 'voucher_no', vouchers)).map((r) => r.status));
  assert.equal(statuses.size, 1, `half a fix: ${[...statuses].join(', ')}`);
}

before(async () => {
  estate = await startDataFixEstate();
  lane = new WorkerLane(estate, 'datafix', { afterKill: wholeOrNothing });
  await lane.start();
});
after(async () => {
  await lane?.close();
  await estate?.stop();
});

const journal = (fixId: string) =>
  estate.sandbox.treasury.selectFrom('data_fix_journal').selectAll().where('fix_id', '=', fixId).execute();

/** Starts `type` on the lane as eng; returns its id, its result and its gate once it asks. */
async function started<R>(type: 'dataFix' | 'dataFixUndo', id: string, input: Record<string, unknown>) {
  const handle = await (lane as WorkerLane).startWorkflow(
    type,
    id,
    { requestedBy: 'eng', reason: '测试工单', ...input },
    { workflowTaskTimeout: '4 seconds' },
  );
  return { result: handle.result() as Promise<R>, gate: await waitForGate(estate.client, id) };
}

test('killed at every step boundary of a fix and of its undo: never half a fix, nothing twice, every row back', async () => {
  const w = lane as WorkerLane;
  vouchers = (
    (await estate.sandbox.faults.inject({ fault: 'voucher-unpaid-at-close', bank: 'ICBC', count: 3 }))
      .details as {
      vouchers: string[];
    }
  ).vouchers;
  const before = await rowsNow(estate, 'vouchers', 'voucher_no', vouchers);
  const fixId = `data-fix/voucher-status/crash-${Date.now()}`;
  const fix = await started<DataFixResult>('dataFix', fixId, {
    fix: 'voucher-status',
    params: { voucherNos: vouchers, from: 'sent', to: 'timed_out' },
  });
  await w.killWhen('the fix waiting at its gate', () => true);
  // Held from the decision on: the change may run and report before the decision's call returns.
  w.holdReports(1000);
  await decide(estate.client, fixId, signedBy(estate.site, fix.gate, 'wang'));
  const fixIdOf = () => fix.gate.plan.title.zh.match(/DF\d{8}-[0-9a-f]{8}/)?.[0] as string;
  await w.killWhen('the fix committed', async () => (await journal(fixIdOf())).length === 1);
  const fixed = await fix.result;
  assert.equal(fixed.outcome, 'fixed', JSON.stringify(fixed.moved));
  assert.equal(fixed.applied?.outcome, 'already', 'the retried change found its own transaction done');
  assert.equal((await journal(fixed.fixId)).length, 1);
  assert.equal((await auditPayloads(estate.site, fixId)).length, 1, 'the change audited once');

  const undoId = `data-fix-undo/${fixed.fixId}`;
  const undo = await started<DataFixUndoResult>('dataFixUndo', undoId, { fixId: fixed.fixId });
  w.holdReports(1000);
  await decide(estate.client, undoId, signedBy(estate.site, undo.gate, 'wang'));
  await w.killWhen('the undo committed', async () => (await journal(fixed.fixId))[0]?.undone_at !== null);
  const undone = await undo.result;
  assert.equal(undone.outcome, 'undone', JSON.stringify(undone.moved));
  assert.deepEqual(
    await rowsNow(estate, 'vouchers', 'voucher_no', vouchers),
    before,
    'every row as before the fix',
  );
  assert.equal((await auditPayloads(estate.site, undoId)).length, 1, 'the undo audited once');
  assert.deepEqual(w.kills, ['the fix waiting at its gate', 'the fix committed', 'the undo committed']);
});
