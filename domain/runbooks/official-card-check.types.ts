/**
 * Input, looks and result of the official-card repayment check (公务卡还款检查, contract 2.3.5): a
 * day's card repayments at one card-issuing bank or at all of them — each reached the bank and came
 * back paid — and the stuck ones (sent, unanswered for `stuckMinutes`) asked about at the bank and
 * handed to the repair path. Pure types and zod schemas: safe in the workflow bundle. Cardholders
 * and card numbers appear here only masked.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import type { BankAnswer } from '../bank-questions.ts';
import type { MutationResult } from '../bank-checks/types.ts';
import { subsystemId } from '../subsystem-config.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { bankCode, businessDate, reason, userId } from './input-fields.ts';
import { defaultWorkThresholds } from './subsystem-health.types.ts';

export const officialCardCheckInputSchema = z
  .object({
    /** The business day whose repayments to check (default today). */
    date: businessDate.optional(),
    /** One card-issuing bank (default every card bank of the subsystem). */
    bank: bankCode.optional(),
    /** The official-card subsystem (site file `subsystems[].id`); default the site's one. */
    subsystem: subsystemId.optional(),
    /** Who asks for the check (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (e.g. the health finding); shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: look, ask the banks, show what would be done, change nothing. */
    dryRun: z.boolean().default(false),
    /** A repayment's voucher sent and unanswered this long is stuck. */
    stuckMinutes: z.number().int().min(0).max(10_080).default(defaultWorkThresholds.stuckMinutes),
    /** How long to wait for a bank's answers to the status queries. */
    answerWaitSeconds: z.number().int().min(5).max(3600).default(120),
    /** How long to watch the repaired repayments come back paid. */
    verifySeconds: z.number().int().min(5).max(3600).default(120),
  })
  .strict();
export type OfficialCardCheckInput = z.input<typeof officialCardCheckInputSchema>;

/** The subsystem and the card banks the run checks. */
export interface OfficialCardTarget {
  subsystem: string;
  name: string;
  banks: { code: string; name: string }[];
}

export type RepaymentStatus = 'pending' | 'issued' | 'paid' | 'rejected';

/** A repayment whose voucher went to the bank and has not been answered. */
export interface StuckRepayment {
  repayNo: string;
  bank: string;
  voucherNo: string;
  amountFen: number;
  /** Masked. */
  cardholder: string;
  /** Masked, as the payment system keeps it. */
  card: string;
  voucherStatus: string;
  sentAt: string | null;
}

/** The day's repayments per bank by status, and the stuck ones (at most `max`). */
export interface CardLook {
  date: string;
  banks: { bank: string; counts: Record<RepaymentStatus, number>; fen: number }[];
  stuck: StuckRepayment[];
  /** More were stuck than listed (a later run takes them). */
  moreStuck: boolean;
}

/** What the bank's answer means for a stuck repayment. */
export type CardDecision =
  /** The bank proves it paid and names the receipt: record it, the voucher paid. */
  | 'record-receipt'
  /** The bank has no payable record: the voucher repair asks again and resends. */
  | 'resend'
  /** Left for a person or for later, with the reason. */
  | 'hold';

export interface CardVerdict {
  repayment: StuckRepayment;
  answer: Pick<BankAnswer, 'known' | 'status' | 'paidAt' | 'amountFen' | 'receiptNo'> | null;
  decision: CardDecision;
  detail: string;
}

/** A voucher repair the run started for a bank's vouchers the bank has no record of. */
export interface StartedResend {
  bank: string;
  workflowId: string;
  voucherNos: string[];
  status: 'started' | 'already-running';
}

export interface CardVerification {
  ok: boolean;
  /** Repayments paid now of those whose receipts were recorded. */
  paid: string[];
  left: string[];
  detail: string;
}

export type OfficialCardCheckOutcome =
  /** Nothing stuck: every repayment paid or on its way within the time. */
  | 'nothing-stuck'
  /** Every stuck repayment repaired (receipt recorded and paid) or handed to the voucher repair. */
  | 'repaired'
  /** Some stuck repayments are left for a person (listed with the reason). */
  | 'held'
  | 'planned'
  | 'rejected'
  | 'expired'
  /** A record moved between the plan and the change: the rest was left alone. */
  | 'unexpected-state'
  | 'not-verified';

export interface OfficialCardCheckResult {
  runbook: 'official-card-check';
  workflowId: string;
  target: OfficialCardTarget;
  /** The business day checked. */
  date: string;
  outcome: OfficialCardCheckOutcome;
  why: string;
  look: CardLook;
  verdicts: CardVerdict[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  applied: MutationResult[];
  resends: StartedResend[];
  verification?: CardVerification;
  report: InspectionReportFiles;
}
