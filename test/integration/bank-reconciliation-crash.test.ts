/**
 * Bank reconciliation of a 1,000,000-line bank-day (BOC, UTF-8 delimited) with its worker killed
 * (kill -9) while it reads the statement, on a worker process of its own
 * (test/support/worker-lane.ts): the kill lands once Temporal holds a checkpoint from the middle of
 * the merge (read from the run's pending activity; a run that ends before one is held is started
 * again); the retried comparison takes up from it — not
 * from the start — and its result and difference file equal an uninterrupted comparison's of the
 * same files.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { financeUnitNames, writeFinanceExtract } from '../../connectors/statements/finance-extract.ts';
import { createFolderExchange } from '../../connectors/statements/folder-exchange.ts';
import { reconcileFiles, type ReconcileCheckpoint } from '../../connectors/statements/reconcile.ts';
import type { BankReconciliationResult } from '../../domain/runbooks/bank-reconciliation.types.ts';
import { writeGeneratedDay } from '../../sandbox/statements/generated-day.ts';
import { bankStatementFormat } from '../../temporal.config.ts';
import { startTestEstate, type TestEstate } from '../support/estate.ts';
import { WorkerLane } from '../support/worker-lane.ts';

let estate: TestEstate;
let lane: WorkerLane;
// A working day long past: the sandbox's own vouchers are all of recent days.
const date = '2026-03-03';
const lines = 1_000_000;

before(async () => {
  estate = await startTestEstate({ banks: ['BOC'], programs: false });
  const treasuryPath = (estate.site.treasury as { sqlite: { path: string } }).sqlite.path;
  await writeGeneratedDay({ desk: estate.sandbox.statements, treasuryPath }, 'BOC', {
    date,
    lines,
    seed: 20260303,
    differences: { onlyAtFinance: 3, onlyAtBank: 3, amountDiffers: 3, statusDiffers: 3, duplicates: 3 },
  });
  lane = new WorkerLane(estate, 'recon', { killTimeoutMs: 600_000 });
  await lane.start();
});
after(async () => {
  await lane?.close();
  await estate?.stop();
});

/** The bank lines the comparison's last checkpoint Temporal holds had merged (0: none from the merge yet). */
async function checkpointedLines(workflowId: string): Promise<number> {
  const { raw } = await estate.client.workflow.getHandle(workflowId).describe();
  const details = raw.pendingActivities?.[0]?.heartbeatDetails?.payloads;
  if (!details?.length) return 0;
  const c = await decodeFromPayloadsAtIndex<{ reconcile?: ReconcileCheckpoint }>(
    estate.client.options.loadedDataConverter,
    0,
    details,
  );
  return c.reconcile?.phase === 'merge' ? c.reconcile.position.state.totals.bank.count : 0;
}

/** A run that ended before Temporal held a checkpoint from the middle of its merge. */
class RanThrough extends Error {}

/**
 * Starts the comparison and kills its worker once Temporal holds a checkpoint from the middle of
 * the merge. The merge of a million lines takes a few seconds and the worker sends its heartbeats
 * at most one a second, so a run may end before one from the middle is held: such a run is started
 * again under a new id, up to `attempts` times in all.
 */
async function startAndKillMidMerge(attempts: number) {
  for (let attempt = 1; ; attempt++) {
    const id = `bank-reconciliation/BOC/payment-detail/${date}/crash-${Date.now()}`;
    const handle = await lane.startWorkflow('bankReconciliation', id, {
      bank: 'BOC',
      requestedBy: 'eng',
      date,
      dryRun: true,
    });
    try {
      await lane.killWhen(
        'a checkpoint from the middle of the merge held',
        async () => {
          const merged = await checkpointedLines(id).catch(() => 0);
          if (merged > 0 && merged < lines) return true;
          const { status } = await handle.describe();
          if (status.name !== 'RUNNING') throw new RanThrough(`${id} ended ${status.name} before a kill`);
          return false;
        },
        { pollMs: 200 }, // Temporal is asked five times a second
      );
      return handle;
    } catch (err) {
      if (!(err instanceof RanThrough) || attempt === attempts) throw err;
    }
  }
}

test('killed mid-parse of a million lines, the comparison resumes and equals an uninterrupted one', async () => {
  const handle = await startAndKillMidMerge(4);
  const result: BankReconciliationResult = await handle.result();
  const a = result.days[0]!.compared!;
  assert.ok(a.resumedAt, 'the retried attempt took up from a checkpoint');
  assert.equal(a.resumedAt.phase, 'merge');
  assert.ok(
    a.resumedAt.bankLines > 0 && a.resumedAt.bankLines < lines,
    `resumed at ${a.resumedAt.bankLines}`,
  );
  assert.deepEqual(a.counts, {
    'only-at-finance': 3,
    'only-at-bank': 3,
    'amount-differs': 3,
    'status-differs': 3,
    duplicate: 3,
  });

  // The same files compared in one go.
  const work = join(estate.dir, 'uninterrupted');
  mkdirSync(work, { recursive: true });
  const finance = join(work, 'finance.tsv');
  await writeFinanceExtract(
    estate.sandbox.treasury,
    { bank: 'BOC', kind: 'payment-detail', beginDate: date, endDate: date },
    finance,
  );
  const arrived = await createFolderExchange(estate.site.statements!.exchangeDir).arrived(
    'BOC',
    'payment-detail',
    date,
  );
  const b = await reconcileFiles({
    kind: 'payment-detail',
    format: bankStatementFormat(estate.site.banks[0]!),
    statementFiles: arrived.files,
    financeFile: finance,
    financeUnitNames: await financeUnitNames(estate.sandbox.treasury),
    differenceFile: join(work, 'differences.csv'),
    workDir: join(work, 'runs'),
    sampleSize: 100,
  });
  const { resumedAt: _r, differenceFile, differenceLog: _l, ...resumed } = a;
  const { totals, counts, differences, sample, statement, statementTotalsAgree, sorted } = b;
  assert.deepEqual(resumed, { totals, counts, differences, sample, statement, statementTotalsAgree, sorted });
  assert.deepEqual(
    readFileSync(differenceFile),
    readFileSync(join(work, 'differences.csv')),
    'the same difference file',
  );
  assert.deepEqual(lane.kills, ['a checkpoint from the middle of the merge held']);
});
