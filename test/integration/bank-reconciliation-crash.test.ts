/**
 * Bank reconciliation of a 1,000,000-line bank-day (GBK fixed-width, in payment order, so the
 * statement is sorted into runs first) with its worker killed (kill -9) while it parses the
 * statement, on a worker process of its own (test/support/worker-lane.ts): the comparison takes up
 * from the last checkpoint it heartbeat — not from the start — and its result and its difference
 * file equal an uninterrupted run's.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BankReconciliationResult } from '../../domain/runbooks/bank-reconciliation.types.ts';
import { writeGeneratedDay } from '../../sandbox/statements/generated-day.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { WorkerLane } from '../support/worker-lane.ts';

let estate: TestEstate;
let lane: WorkerLane;
// A working day long past: the sandbox's own vouchers are all of recent days.
const date = '2026-03-03';
const lines = 1_000_000;

before(async () => {
  estate = await startTestEstate({ banks: ['ABC'], programs: false });
  const treasuryPath = (estate.site.treasury as { sqlite: { path: string } }).sqlite.path;
  await writeGeneratedDay({ desk: estate.sandbox.statements, treasuryPath }, 'ABC', {
    date,
    lines,
    seed: 20260303,
    order: 'payment',
    differences: { onlyAtFinance: 3, onlyAtBank: 3, amountDiffers: 3, statusDiffers: 3, duplicates: 3 },
  });
  lane = new WorkerLane(estate, 'recon', { killTimeoutMs: 300_000 });
  await lane.start();
});
after(async () => {
  await lane?.close();
  await estate?.stop();
});

const safe = (id: string) => id.replace(/[^A-Za-z0-9._-]+/g, '_');

async function reconcile(workflowId: string): Promise<BankReconciliationResult> {
  const handle = await lane.startWorkflow('bankReconciliation', workflowId, {
    bank: 'ABC',
    requestedBy: 'eng',
    date,
    dryRun: true,
  });
  return handle.result();
}

test('killed mid-parse of a million lines, the comparison resumes and equals an uninterrupted run', async () => {
  const killed = `bank-reconciliation/ABC/payment-detail/${date}/crash-${Date.now()}`;
  const runs = join(estate.site.statements!.workDir!, safe(killed), `payment-detail-${date}`, 'runs');
  const running = reconcile(killed);
  // Three sorted runs spilled: 300,000 lines parsed, and a checkpoint heartbeat since (at most 2 s old).
  let spilledAt = 0;
  await lane.killWhen('the statement being parsed, a checkpoint sent', () => {
    const spilled = existsSync(runs) ? readdirSync(runs).filter((f) => f.endsWith('.tsv')).length : 0;
    if (spilled >= 3 && spilledAt === 0) spilledAt = Date.now();
    return spilledAt > 0 && Date.now() - spilledAt > 2500;
  });
  const resumed = await running;
  const whole = await reconcile(`bank-reconciliation/ABC/payment-detail/${date}/whole-${Date.now()}`);

  const a = resumed.days[0]!.compared!;
  const b = whole.days[0]!.compared!;
  assert.ok(a.resumedAt, 'the retried attempt took up from a checkpoint');
  assert.ok(a.resumedAt.phase === 'sort' || a.resumedAt.phase === 'merge-runs', a.resumedAt.phase);
  assert.ok(a.resumedAt.bankLines >= 100_000, `resumed after ${a.resumedAt.bankLines} lines`);
  assert.equal(b.resumedAt, undefined);
  assert.equal(a.sorted, true);
  assert.equal(
    a.totals.bank.count,
    lines + 3 - 3,
    'a million lines, less those only at finance, plus the duplicates',
  );
  assert.deepEqual(a.counts, {
    'only-at-finance': 3,
    'only-at-bank': 3,
    'amount-differs': 3,
    'status-differs': 3,
    duplicate: 3,
  });
  const { resumedAt: _r, differenceFile: fa, differenceLog: la, ...resultA } = a;
  const { differenceFile: fb, differenceLog: lb, ...resultB } = b;
  assert.deepEqual(resultA, resultB);
  assert.deepEqual(readFileSync(fa), readFileSync(fb), 'the same difference file');
  assert.equal(readFileSync(la, 'utf8'), readFileSync(lb, 'utf8'));
  assert.deepEqual(lane.kills, ['the statement being parsed, a checkpoint sent']);
});
