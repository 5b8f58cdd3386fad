/**
 * Input, findings and result of refund tracking (退款跟踪) in both directions: refunds finance
 * asked for whose notice never came, and refunds the bank started whose notice finance could not
 * match. Pure types and zod schemas: safe in the workflow bundle.
 */
import { z } from 'zod';
import { answerWaitSeconds, bankCheckInputBase } from '../bank-checks/input-fields.ts';
import type { SettleCheckOutcome, SettleCheckResultBase } from '../bank-checks/settle-result.ts';
import type { FinanceMutation, VoucherSnapshot } from '../bank-checks/types.ts';
import type { BankAnswer } from '../bank-questions.ts';
import { businessDate } from './input-fields.ts';

export const refundTrackingInputSchema = z
  .object({
    ...bankCheckInputBase,
    /** Refunds requested or notified up to this day are considered; default today. */
    date: businessDate.optional(),
    /** A refund still open this long after it was sent (or notified, unmatched) is overdue. */
    overdueHours: z.number().int().min(0).max(720).default(24),
    answerWaitSeconds,
    /** After re-sending a refund request, how long to wait for the bank's notice. */
    verifySeconds: z.number().int().min(0).max(3600).default(60),
  })
  .strict();
export type RefundTrackingInput = z.input<typeof refundTrackingInputSchema>;

/** A refund still open on the finance side. */
export interface OpenRefund {
  refundNo: string;
  initiatedBy: 'finance' | 'bank';
  status: 'pending_send' | 'sent' | 'unmatched';
  amountFen: number;
  reason: string | null;
  requestedAt: string;
  sentAt: string | null;
  notifiedAt: string | null;
  refundDate: string | null;
  matchError: string | null;
  voucherNo: string | null;
  voucher: VoucherSnapshot | null;
}

export type RefundReportReason =
  | 'bank-no-answer'
  | 'unknown-to-bank'
  | 'no-voucher'
  | 'voucher-status'
  | 'amount-differs'
  | 'voucher-differs'
  | 'duplicate'
  | 'not-sent';

export type RefundDecision =
  | {
      kind: 'act';
      item: OpenRefund;
      mutation: FinanceMutation;
      /** The voucher it settles, as finance has it (none for a refused request of an unknown voucher). */
      voucher: VoucherSnapshot | null;
      why: string;
      answer: BankAnswer;
    }
  | { kind: 'report'; item: OpenRefund; reason: RefundReportReason; why: string; answer?: BankAnswer };

export type RefundTrackingOutcome = SettleCheckOutcome;

export interface RefundTrackingResult extends SettleCheckResultBase {
  runbook: 'refund-tracking';
  decisions: {
    refundNo: string;
    kind: 'act' | 'report';
    action?: FinanceMutation['kind'];
    reason?: string;
    why: string;
  }[];
}
