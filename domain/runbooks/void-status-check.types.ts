/**
 * Input, findings and result of the void status check (作废状态检查). Pure types and zod
 * schemas: safe in the workflow bundle, shared with the CLI registry and the tests.
 */
import { z } from 'zod';
import { answerWaitSeconds, bankCheckInputBase } from '../bank-checks/input-fields.ts';
import type { SettleCheckOutcome, SettleCheckResultBase } from '../bank-checks/settle-result.ts';
import type { FinanceMutation, VoucherSnapshot } from '../bank-checks/types.ts';
import type { BankAnswer } from '../bank-questions.ts';
import { businessDate } from './input-fields.ts';

export const voidStatusCheckInputSchema = z
  .object({
    ...bankCheckInputBase,
    /** Void requests made up to this day are considered; default today. Names the workflow id. */
    date: businessDate.optional(),
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

export type VoidStatusCheckOutcome = SettleCheckOutcome;

export interface VoidStatusCheckResult extends SettleCheckResultBase {
  runbook: 'void-status-check';
  decisions: {
    voucherNo: string;
    kind: 'act' | 'report';
    action?: FinanceMutation['kind'];
    reason?: string;
    why: string;
  }[];
}
