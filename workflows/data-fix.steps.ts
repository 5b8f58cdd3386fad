/**
 * What a data fix and its undo share: their activities on the db zone, the rows a change is bound
 * to, the one record of the change, and the verification that every row now has the digest the
 * change meant it to have.
 */
import type { createDataFixActivities } from '../activities/data-fix.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import type { BoundRow, PreviewRow } from '../domain/data-fixes/preview.ts';
import { differing } from '../domain/row-changes.ts';
import type { FixTable } from '../domain/data-fixes/fix-tables.ts';
import type { FixApplied, FixFacts, FixVerification } from '../domain/runbooks/data-fix.types.ts';
import { longWriteActivities, readActivities } from './shared/retry-profiles.ts';
import type { Approved, GatedRun } from './shared/runbook-run.ts';

type Acts = ReturnType<typeof createDataFixActivities>;

export function dataFixActivities(dbQueue: string) {
  return {
    read: readActivities<Acts>({ taskQueue: dbQueue }),
    // One transaction each, keyed by the fix's id in its journal: a retry finds it done. It heartbeats
    // while it waits for the rows' locks, so a worker killed in it is noticed in seconds.
    change: longWriteActivities<Acts>({ taskQueue: dbQueue }),
  };
}

/** The part of each row a change is bound to. */
export const bound = (rows: readonly PreviewRow[]): BoundRow[] =>
  rows.map(({ key, beforeDigest, afterDigest }) => ({ key, beforeDigest, afterDigest }));

/** Records the change made on `approval`: each row's digest before and after, and what it set. */
export async function recordChange(
  run: GatedRun<unknown>,
  approval: Approved,
  change: {
    subject: string;
    command: string;
    rows: PreviewRow[];
    applied: Extract<FixApplied, { outcome: 'applied' | 'already' }>;
  },
): Promise<void> {
  await run.record.mutation(approvedOn(approval), {
    subject: change.subject,
    action: change.command,
    target: 'treasury',
    before: change.rows.map((r) => ({ key: r.key, digest: r.beforeDigest })),
    after: {
      imageDigest: change.applied.imageDigest,
      rows: change.rows.map((r) => ({ key: r.key, digest: r.afterDigest, set: r.after })),
    },
    alreadyDone: change.applied.outcome === 'already',
    key: `mutation/${approval.gateId}/apply`,
  });
}

/** Every row as the change meant it: its digest now is its `afterDigest`. */
export async function verifyRows(
  acts: ReturnType<typeof dataFixActivities>,
  table: FixTable,
  rows: readonly PreviewRow[],
): Promise<FixVerification> {
  const now = await acts.read.dataFixRowsNow({ table, keys: rows.map((r) => r.key) });
  const differ = differing(
    now,
    rows.map((r) => ({ key: r.key, digest: r.afterDigest })),
  );
  return { ok: differ.length === 0, differ };
}

/** The facts a fix's or an undo's result and report share, from what the run kept. */
export function fixFacts(
  run: GatedRun<unknown>,
  facts: Omit<FixFacts, 'plan' | 'planDigest' | 'approval'>,
): FixFacts {
  const shown = run.plans.at(-1);
  const approval = run.approvals.at(-1);
  return {
    ...facts,
    ...(shown && { plan: shown.plan, planDigest: shown.planDigest }),
    ...(approval && { approval }),
  };
}
