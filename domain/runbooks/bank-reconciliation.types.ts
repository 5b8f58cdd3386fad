/**
 * Input and result of bank reconciliation (银行对账与重新对账). Pure types and zod schemas: safe
 * in the workflow bundle, shared with the CLI registry, the activities and the tests.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import { bankCheckInputBase } from '../bank-checks/input-fields.ts';
import type { MutationResult, VoucherSnapshot } from '../bank-checks/types.ts';
import { daysBetween } from '../calendar/dates.ts';
import type { StatementTotals, Totals } from '../reconciliation/batches.ts';
import type { DifferenceType, FixRunbook } from '../reconciliation/classify.ts';
import type { Difference } from '../reconciliation/compare.ts';
import type { StatementProblem } from '../reconciliation/statement-error.ts';
import { statementKinds, type StatementKind } from '../reconciliation/statement.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { businessDate } from './input-fields.ts';

/** The longest range one run reconciles: a month of statements. */
export const maxRangeDays = 31;

export const bankReconciliationInputSchema = z
  .object({
    ...bankCheckInputBase,
    /** Which statement: payment detail (default), payment, or the authorized quota (额度对账). */
    kind: z.enum(statementKinds).default('payment-detail'),
    /** The business day (or a range's first day); default the statement due: today once the bank has closed on a working day, else the working day before. */
    date: businessDate.optional(),
    /** A range's last day: each working day from `date` to `to`, at most 31 days. */
    to: businessDate.optional(),
    /** 重新对账: discard the standing result, ask the bank for the statement again, compare and reply again. */
    again: z.boolean().default(false),
    /** How long to wait for a statement (or its missing packages) after asking the bank for it. */
    waitSeconds: z.number().int().min(5).max(172_800).default(1800),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.to === undefined) return;
    if (input.date === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['date'],
        message: 'a range needs its first day as well as `to`',
      });
      return;
    }
    const days = daysBetween(input.date, input.to) + 1;
    if (days < 1)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `${input.to} is before ${input.date}` });
    else if (days > maxRangeDays)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the range is ${days} days; at most ${maxRangeDays} in one run`,
      });
  });
export type BankReconciliationInput = z.input<typeof bankReconciliationInputSchema>;

/** How the bank writes its statements, and the days a run reconciles. */
export interface StatementSetup {
  format: 'xml' | 'fixed' | 'delimited';
  encoding: 'UTF-8' | 'GBK';
  kinds: StatementKind[];
  /** Each day of the range with whether banks work on it. */
  days: { date: string; workingDay: boolean }[];
}

/** What has arrived of one day's statement. */
export interface StatementArrival {
  files: number;
  missingPackages: number[];
  /** The newest file's modification time (ISO), when any arrived. */
  arrivedAt?: string;
  complete: boolean;
}

/** What was wrong with the statement itself: named, not turned into differences. */
export interface StatementFault {
  problem: StatementProblem;
  source: string;
  lineNo?: number;
  message: string;
}

/** One comparison's result, as its activity returns it. */
export interface ComparedDay {
  totals: Record<'finance' | 'bank', Totals>;
  counts: Record<DifferenceType, number>;
  differences: number;
  /** The first differences (the CSV has them all). */
  sample: Difference[];
  statement?: StatementTotals;
  statementTotalsAgree: boolean;
  sorted: boolean;
  /** The downloadable difference file (CSV, UTF-8 with BOM) and the machine file of the same differences. */
  differenceFile: string;
  differenceLog: string;
  /** Where a retried attempt took up the work (the lines both sides had been read to), when one did. */
  resumedAt?: { phase: string; financeLines: number; bankLines: number };
}

/** The standing result a re-reconciliation discards. */
export interface StandingResult {
  result: 'agreed' | 'differs' | 'unreadable';
  diffNum: number;
  statementNo: string | null;
  bank: Totals;
  finance: Totals;
  problem: string | null;
  workflowId: string;
  reconciledAt: string;
}

/** What changed since the discarded result: differences settled, differences new, totals moved. */
export interface SinceLast {
  previous: StandingResult;
  settled: string[];
  appeared: string[];
  /** More than the listed ones (each list holds at most 100). */
  settledMore: number;
  appearedMore: number;
}

export type DayOutcome = 'agreed' | 'differs' | 'unreadable' | 'statement-missing' | 'not-a-working-day';

export interface DayReconciliation {
  date: string;
  outcome: DayOutcome;
  why: string;
  /** What finance asked the bank for (the whole statement, or missing packages). */
  requested: { packages?: number[]; id: string }[];
  compared?: ComparedDay;
  fault?: StatementFault;
  /** The reply's file name in the bank's exchange folder (XCheckResult, XDiffNum); none in a dry run. */
  reply?: string;
  sinceLast?: SinceLast;
}

/** A day's differences by the runbook that settles them: how many, and the first vouchers. */
export type DifferenceClasses = Partial<Record<FixRunbook, { count: number; voucherNos: string[] }>>;

/** A receipt the bank's line proves: the statement shows the voucher paid, the receipt waits unregistered. */
export interface ProvenReceipt {
  receiptNo: string;
  voucherNo: string;
  amountFen: number;
  paidDate: string;
  voucher: VoucherSnapshot;
}

/** A runbook to start for a class of differences, with the input it gets. */
export interface RunbookToStart {
  runbook: FixRunbook;
  workflowType: string;
  workflowId: string;
  input: Record<string, unknown>;
  /** How many differences it is for. */
  differences: number;
}

export type BankReconciliationOutcome =
  | 'agreed'
  | 'differs'
  | 'fixes-applied'
  | 'incomplete'
  | 'planned'
  | 'rejected'
  | 'expired'
  | 'unexpected-state'
  | 'not-verified';

export interface BankReconciliationResult {
  runbook: 'bank-reconciliation';
  workflowId: string;
  bank: string;
  kind: StatementKind;
  again: boolean;
  outcome: BankReconciliationOutcome;
  why: string;
  days: DayReconciliation[];
  /** The differences of every day with a masked payee, where finance has the voucher (the report's table). */
  vouchers: VoucherSnapshot[];
  receipts: ProvenReceipt[];
  started: (RunbookToStart & { status: 'started' | 'already-running' })[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  results: MutationResult[];
  report: InspectionReportFiles;
}
