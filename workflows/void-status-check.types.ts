/**
 * Input, findings and result of the void status check (作废状态检查). Pure types and zod
 * schemas: safe in the workflow bundle, shared with the CLI registry and the tests.
 */
import { z } from 'zod';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { answerWaitSeconds, bankCheckInputBase, isoDate } from './shared/bank-check-input.ts';
import type { ApprovalPlan, GateOutcome } from './shared/approval-messages.ts';
import type {
  BankAnswer,
  FinanceMutation,
  MutationResult,
  VoucherSnapshot,
} from './shared/bank-check-types.ts';

export const voidStatusCheckInputSchema = z
  .object({
    ...bankCheckInputBase,
    /** Void requests made up to this day are considered; default today. Names the workflow id. */
    date: isoDate.optional(),
    /** A void request unanswered this long after it was sent is overdue. */
    overdueMinutes: z.number().int().min(0).max(43_200).default(60),
    answerWaitSeconds,
    /** After re-sending a void request, how long to wait for the bank's answer. */
    verifySeconds: z.number().int().min(0).max(3600).default(60),
  })
  .strict();
export type VoidStatusCheckInput = z.input<typeof voidStatusCheckInputSchema>;

/** A void request still open on the finance side. */
export interface OpenVoid {
  voucherNo: string;
  status: 'pending_send' | 'sent';
  reason: string;
  requestedAt: string;
  sentAt: string | null;
  voucher: VoucherSnapshot | null;
}

export type VoidReportReason = 'bank-no-answer' | 'unknown-to-bank' | 'conflict' | 'not-sent';

export type VoidDecision =
  | { kind: 'act'; item: OpenVoid; mutation: FinanceMutation; why: string; answer: BankAnswer }
  | { kind: 'report'; item: OpenVoid; reason: VoidReportReason; why: string; answer?: BankAnswer };

export type VoidStatusCheckOutcome =
  | 'settled'
  | 'partly-settled'
  | 'nothing-to-do'
  | 'report-only'
  | 'planned'
  | 'rejected'
  | 'expired'
  | 'unexpected-state'
  | 'not-verified';

export interface VoidStatusCheckResult {
  runbook: 'void-status-check';
  workflowId: string;
  bank: string;
  date: string;
  outcome: VoidStatusCheckOutcome;
  why: string;
  open: number;
  overdue: number;
  decisions: {
    voucherNo: string;
    kind: 'act' | 'report';
    action?: FinanceMutation['kind'];
    reason?: string;
    why: string;
  }[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  results: MutationResult[];
  report: InspectionReportFiles;
}
