/**
 * Handing work to the runbook that owns it (the voucher resend for vouchers a bank has no record
 * of, refund tracking for refunds): the run as an engineer's start would make it today — its
 * workflow type, and the id that makes Temporal itself refuse a second start. The caller starts it
 * as an independent run (a child it abandons) and leaves one already running under that id be;
 * that start stays in each caller, written as its running workflows recorded it (an extra await
 * between the start and the next command would reorder them against an approval's handler).
 */
import { runbookEntry } from './catalog.ts';

/** An owning runbook's run as the run which found its work would start it. */
export interface OwningRun {
  runbook: string;
  workflowType: string;
  workflowId: string;
  input: Record<string, unknown>;
}

/** The run of `runbook` with `input` on `today`; `by` names the starting runbook in the defects thrown. */
export function owningRun(
  runbook: string,
  input: Record<string, unknown>,
  by: string,
  today: string,
): OwningRun {
  const entry = runbookEntry(runbook);
  // The bundle always holds it; without it only a corrected deployment helps (a workflow task retry).
  if (!entry) throw new Error(`${runbook} is not in the workflow bundle`);
  const parsed = entry.input.safeParse(input);
  // An input its own schema refuses is a defect to deploy a fix for (a workflow task retry).
  if (!parsed.success) throw new Error(`${runbook}: the input ${by} builds fails its schema`);
  const workflowId = entry.workflowId(parsed.data, {
    today,
    // Likewise a defect: every run handed work names its day.
    workingDayBefore: () => {
      throw new Error(`${runbook}: a run ${by} starts names no day before`);
    },
  });
  return { runbook, workflowType: entry.workflowType, workflowId, input };
}
