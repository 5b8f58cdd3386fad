/**
 * Input, findings and result of the year-end rollover (年终结转, catalog item 11): the fiscal year
 * to close, the banks, when the old year freezes and the new one opens, and what each stage found,
 * sent and was answered. Pure types and zod schemas: safe in the workflow bundle.
 */
import { z } from 'zod';
import type { GateOutcome } from '../approvals/gate-types.ts';
import type { BaseDataKind } from '../base-data.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { bankCode, reason, uniqueList, userId } from './input-fields.ts';

/** An instant with its offset, e.g. 2026-12-31T17:30:00+08:00. */
const instant = z.iso.datetime({ offset: true });

export const yearEndRolloverInputSchema = z
  .object({
    /** The fiscal year to close; the next one is opened. */
    fiscalYear: z.number().int().min(2001).max(2099),
    /** The banks taking part; default every bank of the estate. */
    banks: uniqueList(bankCode, 500).optional(),
    /** When the old year freezes; default the close of business on its last working day (the banks' latest close that day). */
    freezeAt: instant.optional(),
    /** When the new year opens; default the opening of business on its first working day (the banks' earliest opening). */
    openAt: instant.optional(),
    /** While a pre-check is red, how often to look again (a re-check can also be asked for). */
    recheckMinutes: z.number().int().min(1).max(1440).default(60),
    /** A bank that has not answered a year-end notice is sent it again this long after it went out, and as often again. */
    remindAfterMinutes: z.number().int().min(1).max(2880).default(120),
    /** A bank still silent this long after the notice went out is escalated to the people. */
    escalateAfterMinutes: z.number().int().min(1).max(10080).default(480),
    requestedBy: userId,
    reason: reason.optional(),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.freezeAt && input.openAt && Date.parse(input.openAt) <= Date.parse(input.freezeAt))
      ctx.addIssue({
        code: 'custom',
        path: ['openAt'],
        message: `the new year opens (${input.openAt}) before the old one freezes (${input.freezeAt})`,
      });
    if (input.escalateAfterMinutes < input.remindAfterMinutes)
      ctx.addIssue({
        code: 'custom',
        path: ['escalateAfterMinutes'],
        message: 'escalate no earlier than the first reminder (remindAfterMinutes)',
      });
  });
export type YearEndRolloverInput = z.input<typeof yearEndRolloverInputSchema>;
export type YearEndInput = z.output<typeof yearEndRolloverInputSchema>;

/** The pre-checks of every bank, each naming the runbook that fixes it when red. */
export const preCheckKinds = [
  'vouchers-in-flight',
  'receipts-unregistered',
  'statements-differ',
  'refunds-open',
  'voids-open',
  'channels',
] as const;
export type PreCheckKind = (typeof preCheckKinds)[number];

/** One red check of one bank: what is wrong, how many, and the runbook that fixes it. */
export interface PreCheckFinding {
  bank: string;
  check: PreCheckKind;
  count: number;
  /** What was found, in Chinese, e.g. 3 张凭证在途（最早 ZZ2026…）. */
  detail: string;
  runbook: string;
}

/** One bank's finance-side books as the pre-checks read them. */
export interface BankBookCheck {
  bank: string;
  /** Vouchers of the year sent or waiting to be sent and not yet settled by the bank. */
  inFlight: { count: number; first: string[] };
  unregisteredReceipts: { count: number; first: string[] };
  /** Days whose daily report (count and total) differs from finance's payments that day. */
  statementDays: { reported: number; differing: { date: string; bank: string; finance: string }[] };
  openRefunds: { count: number; first: string[] };
  openVoids: { count: number; first: string[] };
}

/** One bank's channels as the pre-checks read them (both directions RUNNING or idle). */
export interface BankChannelCheck {
  bank: string;
  healthy: boolean;
  detail: string;
}

/** A round of pre-checks: when, and what was red. */
export interface PreCheckRound {
  round: number;
  at: string;
  findings: PreCheckFinding[];
}

/** The year's state in the treasury database, and the banks' open quotas to cancel. */
export interface FiscalYearState {
  year: number;
  state: 'open' | 'frozen' | 'closing' | 'closed' | 'absent';
  nextState: 'open' | 'frozen' | 'closing' | 'closed' | 'absent';
}

/** A quota line of a year-end notice: what is left of a quota (cancellation) or restored into the new year. */
export interface QuotaLine {
  quotaId: string;
  budgetUnitCode: string;
  subjectCode: string;
  amountFen: number;
}

/** A year-end notice to one bank, as finance files it. */
export interface NoticePlan {
  noticeId: string;
  kind: 'cancellation' | 'restoration';
  bank: string;
  fiscalYear: number;
  lines: QuotaLine[];
  lineCount: number;
  totalFen: number;
  /** For a restoration: the cancelled quota each new one restores, by the new quota's id. */
  restores?: Record<string, string>;
}

/** A voucher of the old year unpaid at close, and what the site's policy does with it. */
export interface CarryOverItem {
  voucherNo: string;
  bank: string;
  amountFen: number;
  status: string;
  policy: CarryOverPolicy;
}
export type CarryOverPolicy = 'carry' | 'return';

/** The new year's setup for one bank: its serials as they stand (restarted at 0) and the base data pushed. */
export interface NewYearBank {
  bank: string;
  lastSerialOut: number;
  lastSerialIn: number;
  /** The base-data kinds whose new-year version is pushed, with that version. */
  baseData: { kind: BaseDataKind; version: number }[];
}

/** How a bank answered a year-end notice, as the per-bank wait saw it in the end. */
export interface NoticeOutcome {
  bank: string;
  noticeId: string;
  kind: NoticePlan['kind'];
  outcome: 'confirmed' | 'totals-differ' | 'refused';
  expected: { lineCount: number; totalFen: number };
  bankTotals?: { lineCount: number; totalFen: number };
  reason?: string;
  /** How often it was sent again, and whether it was escalated to the people. */
  reminders: number;
  escalated: boolean;
  answeredAt?: string;
  /** Base-data pushes the bank acknowledged (restoration only). */
  baseDataAcked?: number;
}

/** The input of the per-bank wait for a year-end notice's answer (child workflow). */
export interface BankNoticeWait {
  fiscalYear: number;
  bank: string;
  bankName: string;
  notice: Pick<NoticePlan, 'noticeId' | 'kind' | 'lineCount' | 'totalFen'>;
  /** Base-data pushes whose acknowledgement the bank owes too (restoration). */
  pushIds: string[];
  remindAfterMinutes: number;
  escalateAfterMinutes: number;
  runLink: string;
  /** The db zone's task queue, where the notices are. */
  taskQueue: string;
}

/** What the answer-wait activity sees of a notice (and the pushes that go with it). */
export interface NoticeAnswer {
  status: 'pending_send' | 'sent' | 'confirmed' | 'refused' | 'missing';
  bankLineCount: number | null;
  bankTotalFen: number | null;
  reason: string | null;
  answeredAt: string | null;
  pushesAcked: number;
  pushesRejected: string[];
}

export type YearEndOutcome = 'rolled-over' | 'planned' | 'rejected' | 'expired';

/** When the rollover freezes and opens, as given or found in the calendar. */
export interface YearEndTimes {
  freezeAt: string;
  openAt: string;
  /** Where each came from: the input, or the calendar (the day, and the banks' hours that day). */
  freezeFrom: string;
  openFrom: string;
}

export interface YearEndRolloverResult {
  runbook: 'year-end-rollover';
  workflowId: string;
  fiscalYear: number;
  banks: string[];
  outcome: YearEndOutcome;
  times: YearEndTimes;
  preChecks: PreCheckRound[];
  cancellations: NoticeOutcome[];
  carryOver: CarryOverItem[];
  newYear: NewYearBank[];
  restorations: NoticeOutcome[];
  approvals: GateOutcome[];
  report: InspectionReportFiles;
}
