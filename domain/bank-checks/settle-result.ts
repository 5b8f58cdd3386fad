/**
 * How a bank check that settles open requests (voids, refunds) ends: its outcomes and the result
 * fields every such runbook returns. Pure types, shared by the workflows and the CLI's summaries.
 */
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import type { InspectionReportFiles } from '../runbooks/daily-inspection.types.ts';
import type { MutationResult } from './types.ts';

/** Outcomes of a check that asks the bank about open requests and settles them (voids, refunds). */
export type SettleCheckOutcome =
  | 'settled'
  | 'partly-settled'
  | 'nothing-to-do'
  | 'report-only'
  | 'planned'
  | 'rejected'
  | 'expired'
  | 'unexpected-state'
  | 'not-verified';

/** The result fields of a settling check; each adds its runbook name and its per-item decisions. */
export interface SettleCheckResultBase {
  workflowId: string;
  bank: string;
  date: string;
  outcome: SettleCheckOutcome;
  why: string;
  open: number;
  overdue: number;
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  results: MutationResult[];
  report: InspectionReportFiles;
}
