/**
 * Input, findings and result of receipt registration repair (回单登记修复). Pure types and zod
 * schemas: safe in the workflow bundle, shared with the CLI registry and the tests.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import { answerWaitSeconds, bankCheckInputBase } from '../bank-checks/input-fields.ts';
import type { MutationResult, VoucherSnapshot } from '../bank-checks/types.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { businessDate } from './input-fields.ts';

export const receiptRepairInputSchema = z
  .object({
    ...bankCheckInputBase,
    /** Receipts paid up to this day are considered; default today. Names the run's workflow id. */
    date: businessDate.optional(),
    /** A receipt dated more than this many days after its voucher's business day does not match. */
    maxPayDays: z.number().int().min(0).max(366).default(30),
    /** At most this many unregistered receipts per run (the oldest first). */
    limit: z.number().int().min(1).max(500).default(200),
    answerWaitSeconds,
  })
  .strict();
export type ReceiptRepairInput = z.input<typeof receiptRepairInputSchema>;

/** An unregistered receipt with the finance-side vouchers it might belong to. */
export interface UnregisteredReceipt {
  receiptNo: string;
  voucherNo: string;
  amountFen: number;
  paidDate: string;
  receivedAt: string;
  registerError: string | null;
  /** The voucher with the receipt's number at this bank, if there is one. */
  voucher?: VoucherSnapshot;
  /** When no voucher has its number: unpaid vouchers of the same amount dated on or before it. */
  candidates: VoucherSnapshot[];
}

export type MismatchReason =
  | 'no-voucher'
  | 'number-differs'
  | 'several-candidates'
  | 'amount-differs'
  | 'date-differs'
  | 'voucher-status'
  | 'already-registered'
  | 'bank-not-paid'
  | 'bank-amount-differs'
  | 'bank-no-answer';

export type ReceiptMatch =
  | { kind: 'clean'; receipt: UnregisteredReceipt; voucher: VoucherSnapshot }
  | { kind: 'unmatched'; receipt: UnregisteredReceipt; reason: MismatchReason; detail: string };

export type ReceiptRepairOutcome =
  | 'registered'
  | 'partly-registered'
  | 'nothing-to-do'
  | 'nothing-registrable'
  | 'planned'
  | 'rejected'
  | 'expired'
  | 'unexpected-state'
  | 'not-verified';

export interface ReceiptRepairResult {
  runbook: 'receipt-registration-repair';
  workflowId: string;
  bank: string;
  date: string;
  outcome: ReceiptRepairOutcome;
  why: string;
  found: number;
  registered: { receiptNo: string; voucherNo: string; amountFen: number; alreadyDone: boolean }[];
  unmatched: {
    receiptNo: string;
    voucherNo: string;
    amountFen: number;
    reason: MismatchReason;
    detail: string;
  }[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  results: MutationResult[];
  report: InspectionReportFiles;
}
