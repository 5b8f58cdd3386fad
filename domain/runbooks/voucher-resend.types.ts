/**
 * Input, findings and result of failed voucher repair and resend (失败凭证修复与重发). Pure types
 * and zod schemas: safe in the workflow bundle, shared with the CLI registry, activities and tests.
 * Payee data appears here only masked (张*, ****1234); full values stay in the treasury database.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import type { ApprovalProof } from '../approvals/proof.ts';
import type { BankAnswer } from '../bank-questions.ts';
import type { BaseDataKind } from '../base-data.ts';
import type { ApprovedOn } from '../mutation-record.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { bankCode, businessDate, reason, uniqueList, userId, voucherNo } from './input-fields.ts';

export const voucherResendInputSchema = z
  .object({
    /** The agent bank whose failed vouchers to repair and resend. */
    bank: bankCode,
    /** Who asks for the run (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words; shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: find, classify and ask the bank, change nothing. */
    dryRun: z.boolean().default(false),
    /** Only these vouchers (default: every failed voucher of the bank). */
    voucherNos: uniqueList(voucherNo, 1000).optional(),
    /** Only vouchers of business dates from this day on (default: 31 days back; with voucherNos, since last year). */
    since: businessDate.optional(),
    /** A voucher `sent` this long without the bank's answer counts as failed. */
    staleSentMinutes: z.number().int().min(5).max(10_080).default(60),
    /** How long to wait for the bank's answers to one round of status queries. */
    answerWaitSeconds: z.number().int().min(5).max(3600).default(120),
    /** Rounds of status queries before a voucher the bank does not answer about is held. */
    askRounds: z.number().int().min(1).max(5).default(3),
    /** How long to wait for the bank to acknowledge a base-data update. */
    ackWaitSeconds: z.number().int().min(10).max(86_400).default(900),
    /** How long to watch resent vouchers for the bank's acceptance. */
    verifySeconds: z.number().int().min(5).max(86_400).default(600),
    /** Vouchers per batch (one child workflow and a few activities each). */
    batchSize: z.number().int().min(10).max(500).default(200),
    /** Batches worked on at the same time. */
    concurrency: z.number().int().min(1).max(16).default(4),
    /** At most this many vouchers in one run (and at most 500 batches); a later run takes the rest. */
    maxVouchers: z.number().int().min(1).max(20_000).default(20_000),
  })
  .strict();
export type VoucherResendInput = z.input<typeof voucherResendInputSchema>;
export type VoucherResendOptions = z.output<typeof voucherResendInputSchema>;

export type FailedStatus = 'rejected' | 'timed_out' | 'sent';

/** Why a voucher failed, as far as finance's records and the bank's rules tell. */
export type FailureCause =
  /** The bank lacks the base-data version the voucher refers to (E_BASE_DATA_VERSION). */
  | 'base-data'
  /** Fields the bank's rules refuse (E_ACCOUNT_FORMAT, E_FIELD_MISSING, E_AMOUNT…). */
  | 'fields'
  /** Sent after the bank's window had closed (E_OUT_OF_WINDOW / timed_out). */
  | 'window'
  /** Sent, and the bank never answered. */
  | 'unanswered'
  /** Refused for its message serial number: the sequence-resync runbook's work. */
  | 'serial'
  /** A failure code this runbook does not know how to repair. */
  | 'unknown';

export type NormalisationKind = 'whitespace' | 'full-width' | 'length';
export type PayeeField = 'payeeAccountNo' | 'payeeAccountName' | 'payeeBankName';

/** An automatic normalisation of one payee field, values masked; the digest binds the approval. */
export interface ProposedFix {
  payeeId: string;
  field: PayeeField;
  kinds: NormalisationKind[];
  before: string;
  after: string;
  /** SHA-256 (first 16 hex) of the current value: the fix applies only to that value. */
  beforeDigest: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export type FieldCheck =
  { ok: true } | { ok: false; fixable: boolean; fixes: ProposedFix[]; problems: FieldProblem[] };

/** One failed voucher as the treasury database and the bank's rules describe it. */
export interface FailedVoucher {
  voucherNo: string;
  amountFen: number;
  status: FailedStatus;
  businessDate: string;
  /** The row's updated_at: a change after the plan means the runbook leaves the voucher alone. */
  updatedAt: string;
  sentAt: string | null;
  failureCode: string | null;
  payeeId: string;
  /** Masked. */
  payee: { name: string; account: string };
  /** Base data the voucher refers to at a version above what the bank has acknowledged. */
  staleBaseData: { kind: BaseDataKind; needed: number; acked: number }[];
  fields: FieldCheck;
  /** The bank's voucher field rule set the fields were checked with (site `voucherRules` or the default). */
  ruleSet: string;
  /** Finance has asked the bank to void it (作废): never resend. */
  voiding: boolean;
}

export type HoldReason =
  | 'no-answer'
  | 'serial'
  | 'unknown-failure'
  | 'bank-state'
  | 'changed'
  | 'base-data-not-acked'
  | 'manual-fix'
  | 'voiding'
  | 'approval-aged';

export type Disposition =
  /** The bank has no payable record: repair what `causes` name, then resend. */
  | { kind: 'resend'; causes: FailureCause[] }
  /** The bank already has it (accepted or paid): only finance's status is wrong. */
  | { kind: 'align'; bankStatus: 'accepted' | 'paid' }
  /** Left alone, with the reason, for a person or another runbook. */
  | { kind: 'hold'; reason: HoldReason; detail: string };

export interface DiagnosedVoucher extends FailedVoucher {
  causes: FailureCause[];
  /** What the bank said when asked about the voucher; null when it never answered. */
  answer: BankAnswer | null;
  disposition: Disposition;
}

/** What the execution step needs of one voucher: its identity and the state the plan saw. */
export interface PlannedVoucher {
  voucherNo: string;
  amountFen: number;
  status: FailedStatus;
  updatedAt: string;
}

export type VoucherOutcome =
  /** Resent; the bank accepted (or paid) it. */
  | 'accepted'
  /** The bank already had it; finance's status was brought in line. */
  | 'aligned'
  /** Resent; the bank refused it again. */
  | 'rejected-again'
  /** Resent; no confirmation within the verification time. */
  | 'unverified'
  /** Not resent: held (see reason). */
  | 'held';

export interface VoucherResult {
  voucherNo: string;
  amountFen: number;
  outcome: VoucherOutcome;
  detail?: string;
  /** When the resend was queued (workflow time). */
  resentAt?: string;
}

/** Input of one batch's diagnosis (child workflow `voucherDiagnoseBatch`, read-only). */
export interface DiagnoseBatchInput {
  bank: string;
  /** The run's key: the batch's audit records are keyed by it (with the batch and the round). */
  runKey: string;
  batch: number;
  /** The parent's planning round: 1, then one more for each plan shown again. */
  round: number;
  /** Inclusive voucher-number range, or explicit vouchers. */
  range?: { first: string; last: string };
  voucherNos?: string[];
  since: string;
  staleSentBefore: string;
  answerWaitSeconds: number;
  askRounds: number;
  /** How many resend vouchers to show the parent for the plan. */
  sampleSize: number;
  /** The db zone's task queue, as the parent found it (children of runs begun before ask the estate). */
  dbQueue?: string;
}

/** Where one batch's part sits in one of the plan's lists (the proof shows it to the activity). */
export interface ListPlace {
  /** Every batch's part digest, in batch order: the plan's list digest is their digest. */
  parts: string[];
  index: number;
}

/** Input of one batch's execution (child workflow `voucherResendBatch`), started only after approval. */
export interface ResendBatchInput extends DiagnoseBatchInput {
  verifySeconds: number;
  /** Return every voucher's result (small runs), not only those left for people. */
  detail: boolean;
  proof: ApprovalProof | undefined;
  /** The approval the batch acts on, as its changes record it (domain/mutation-record.ts). */
  approvedOn: ApprovedOn;
  /** After this instant the approval no longer holds for a resend (GateOutcome.actBy). */
  actBy: string;
  /** The row states the plan was built from: a batch that looks different now is not executed. */
  expected: { resendDigest: string; alignDigest: string };
  lists: { resend: ListPlace; align: ListPlace };
  /** Base data the bank did not acknowledge: vouchers needing it are held. */
  blockedKinds: BaseDataKind[];
}

/** What a batch's diagnosis returns to its parent: counts, samples, digests (its list stays with it). */
export interface BatchSummary {
  batch: number;
  count: number;
  fen: number;
  causes: Partial<Record<FailureCause, number>>;
  resend: {
    count: number;
    fen: number;
    sample: PlanVoucherSample[];
    causes: Partial<Record<FailureCause, number>>;
    /** planDigest of the voucher numbers: this batch's part of the plan's `resend` list. */
    part: string;
  };
  align: { count: number; fen: number; sample: string[]; part: string };
  holds: Partial<Record<HoldReason, number>>;
  /** SHA-256 of the batch's resend list (PlannedVoucher[]): the row states execution expects. */
  resendDigest: string;
  /** The same of its align list. */
  alignDigest: string;
  /** Base data the batch's resend vouchers need and the bank lacks. */
  staleKinds: BaseDataKind[];
  /** The field rule sets the batch's vouchers were checked with (one, unless the site file changed meanwhile). */
  ruleSets: string[];
  fixes: ProposedFix[];
  /** Vouchers whose fields only a person can correct (at most 50). */
  manual: DiagnosedVoucher[];
}

export interface PlanVoucherSample {
  voucherNo: string;
  amountFen: number;
  /** Masked. */
  payeeName: string;
  payeeAccount: string;
}

export interface BatchResult {
  batch: number;
  counts: Partial<Record<VoucherOutcome, number>>;
  fen: Partial<Record<VoucherOutcome, number>>;
  /** Every voucher when `detail`, else those left for people (at most 200). */
  results: VoucherResult[];
  /** When the bank's window was (or had been) open and the resend went out. */
  windowOpenedAt?: string;
  /** When that window was the bank's extended hours (延时服务): why. */
  windowExtended?: string;
  /**
   * Set when the batch changed nothing because the plan no longer holds: its vouchers look
   * different now, or the approval aged before the bank's window opened (`opensAt`). The parent
   * plans and asks again.
   */
  replan?: { why: 'changed' | 'approval-aged'; opensAt?: string };
}

export type VoucherResendOutcome =
  'nothing-to-do' | 'planned' | 'rejected' | 'expired' | 'completed' | 'completed-with-holds' | 'held';

export interface VoucherResendResult {
  runbook: 'voucher-resend';
  workflowId: string;
  bank: string;
  outcome: VoucherResendOutcome;
  found: number;
  foundFen: number;
  counts: Partial<Record<VoucherOutcome, number>>;
  /** Per voucher (the first 2,000; counts cover all). */
  vouchers: VoucherResult[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approvals: GateOutcome[];
  baseDataPushed: { kind: BaseDataKind; version: number; acked: boolean }[];
  fixesApplied: number;
  report?: InspectionReportFiles;
}
