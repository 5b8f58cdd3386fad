/**
 * Data fixes under test: an estate whose approvers of a fix and of its undo are the test's comm
 * approvers, a fix or an undo started as an engineer and approved as wang would — or looked at
 * while it waits — and the rows of a fix's table as they are, whole, to compare.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { readFixRows } from '../../connectors/treasury/data-fix-store.ts';
import type { FixTable, Row } from '../../domain/data-fixes/fix-tables.ts';
import type { DataFixResult, DataFixUndoResult } from '../../domain/runbooks/data-fix.types.ts';
import { addTestUsers, decide, gateUnlessEnded, signedBy, type WaitingGate } from './approvals.ts';
import { startTestEstate, type TestEstate } from './estate.ts';

export async function startDataFixEstate(): Promise<TestEstate> {
  const estate = await startTestEstate({
    banks: ['ICBC', 'ABC'],
    edit: (raw) => {
      (raw.approvals as Record<string, unknown>).runbooks = {
        'data-fix': { roles: ['comm-approver'] },
        'data-fix-undo': { roles: ['comm-approver'] },
      };
    },
  });
  await addTestUsers(estate.site);
  return estate;
}

let runs = 0;

export interface Started<R> {
  id: string;
  handle: WorkflowHandle;
  result: Promise<R>;
  /** The gate once the run asks, or undefined when it ends without asking. */
  gate: Promise<WaitingGate | undefined>;
}

/** Starts `data-fix` (or `data-fix-undo`) as eng, on the estate's queue or `taskQueue`. */
export async function startFix<R extends DataFixResult | DataFixUndoResult>(
  estate: TestEstate,
  type: 'dataFix' | 'dataFixUndo',
  input: Record<string, unknown>,
  taskQueue = estate.site.temporal.taskQueues.runbooks,
): Promise<Started<R>> {
  const id = `${type === 'dataFix' ? 'data-fix' : 'data-fix-undo'}/test-${Date.now()}-${(runs += 1)}`;
  const handle = await estate.client.workflow.start(type, {
    taskQueue,
    workflowId: id,
    args: [{ requestedBy: 'eng', reason: '测试工单', ...input }],
  });
  let ended = false;
  const result = (handle.result() as Promise<R>).finally(() => (ended = true));
  return { id, handle, result, gate: gateUnlessEnded(estate.client, id, () => ended) };
}

/** Runs it to its end, approved by wang when it asks (after `atGate`, when given). */
export async function approvedFix<R extends DataFixResult | DataFixUndoResult>(
  estate: TestEstate,
  type: 'dataFix' | 'dataFixUndo',
  input: Record<string, unknown>,
  atGate?: (gate: WaitingGate) => Promise<void>,
): Promise<{ id: string; result: R; gate?: WaitingGate }> {
  const started = await startFix<R>(estate, type, input);
  const gate = await started.gate;
  if (gate) {
    await atGate?.(gate);
    await decide(estate.client, started.id, signedBy(estate.site, gate, 'wang'));
  }
  return { id: started.id, result: await started.result, ...(gate && { gate }) };
}

/** The rows of `table` whose `by` holds one of `values`, whole (personal data included). */
export const rowsNow = (estate: TestEstate, table: FixTable, by: string, values: string[]): Promise<Row[]> =>
  readFixRows(estate.sandbox.treasury, table, by, values);
