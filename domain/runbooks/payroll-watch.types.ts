/**
 * Input, looks and result of the payroll watch (工资统发跟踪): one month's payroll batch followed
 * from its submission until every line is paid or listed with its reason — stalls and failed lines
 * told to people as they happen, the failed lines handed to the voucher repair path. Pure types and
 * zod schemas: safe in the workflow bundle. Payees appear here only masked (张*, ****1234).
 */
import { z } from 'zod';
import { subsystemId } from '../subsystem-config.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { reason, userId } from './input-fields.ts';
import { defaultWorkThresholds } from './subsystem-health.types.ts';
import type { VoucherOutcome } from './voucher-resend.types.ts';

/** A payroll batch number as the payment system gives it: `GZ` + month + bank + sequence (GZ202612ICBC01). */
export const payrollBatchNo = z
  .string()
  .regex(/^GZ\d{6}[A-Z][A-Z0-9]{1,11}\d{2,4}$/, 'a payroll batch number such as GZ202612ICBC01');

/** Looks one watch may take (watchHours × 3600 / checkSeconds). */
export const maxLooks = 5000;

export const payrollWatchInputSchema = z
  .object({
    /** The payroll batch to follow. */
    batchNo: payrollBatchNo,
    /** The payroll subsystem (site file `subsystems[].id`); default the site's one payroll subsystem. */
    subsystem: subsystemId.optional(),
    /** Who asks for the watch (user id); the repair runs it starts name this person, who cannot approve them. */
    requestedBy: userId,
    /** Why, in a few words (e.g. the health finding); passed on to the repair runs. */
    reason: reason.optional(),
    /** Look once and say what would be handed to the repair path; start nothing, watch no longer. */
    dryRun: z.boolean().default(false),
    /** Hand the lines the bank refused to the voucher repair path (false: list them only). */
    repair: z.boolean().default(true),
    /** No line moving for this long while lines are still open is a stall: people are told. */
    stallMinutes: z.number().int().min(1).max(1440).default(defaultWorkThresholds.stallMinutes),
    /** How often the batch is looked at. */
    checkSeconds: z.number().int().min(5).max(3600).default(300),
    /** The watch ends after this long, listing what is still open. */
    watchHours: z.number().int().min(1).max(720).default(72),
  })
  .strict()
  .superRefine((input, ctx) => {
    // Each look is a few events in the run's history: a watch keeps well inside Temporal's limits.
    if ((input.watchHours * 3600) / input.checkSeconds > maxLooks)
      ctx.addIssue({
        code: 'custom',
        path: ['checkSeconds'],
        message: `at least ${Math.ceil((input.watchHours * 3600) / maxLooks)} for a watch of ${input.watchHours} hours (at most ${maxLooks} looks)`,
      });
  });
export type PayrollWatchInput = z.input<typeof payrollWatchInputSchema>;

/** The batch the run follows, as the treasury and the site describe it. */
export interface PayrollTarget {
  subsystem: string;
  name: string;
  batchNo: string;
  month: string;
  bank: string;
  lines: number;
  totalFen: number;
}

export type PayrollLineStatus = 'pending' | 'issued' | 'paid' | 'failed';

/** A failed line as the look shows it: payee masked, its voucher's state at finance. */
export interface FailedLine {
  lineNo: number;
  amountFen: number;
  /** Masked. */
  payee: { name: string; account: string };
  /** Null: the line never became a voucher (no payee bank code). */
  voucherNo: string | null;
  /** Finance's status of the voucher (rejected, pending_send again after a repair…). */
  voucherStatus: string | null;
  reason: string;
}

/** One look at the batch: its lines by status, and the failed ones (at most `maxListed`). */
export interface PayrollLook {
  at: string;
  batchStatus: 'submitted' | 'processing' | 'completed';
  counts: Record<PayrollLineStatus, number>;
  paidFen: number;
  failed: FailedLine[];
  /** Failed lines beyond the list. */
  moreFailed: number;
}

/** A failed line as the run leaves it: why it is not paid, and what the repair path made of it. */
export interface ExplainedLine extends FailedLine {
  /** `no-voucher`: nothing to repair; `repaired`: the repair path is sending it again; `held`: the repair left it; `not-handed`: repair was not asked for. */
  state: 'no-voucher' | 'in-repair' | 'held' | 'not-handed';
  /** The repair run's word on its voucher. */
  repair?: { workflowId: string; outcome?: VoucherOutcome; detail?: string };
}

/** A repair run the watch started (or found running) for some of the batch's vouchers. */
export interface RepairRun {
  runbook: 'voucher-resend';
  workflowId: string;
  voucherNos: string[];
  status: 'started' | 'already-running';
  /** Its outcome once it ended (absent: still running, or not followed). */
  outcome?: string;
  vouchers?: { voucherNo: string; outcome: VoucherOutcome; detail?: string }[];
  failed?: string;
}

/** A stall the watch saw: since when nothing moved, how many lines were open, and whether it ended. */
export interface Stall {
  since: string;
  toldAt: string;
  openLines: number;
  endedAt?: string;
}

export type PayrollWatchOutcome =
  /** Every line paid. */
  | 'all-paid'
  /** Every line paid or listed with its reason. */
  | 'lines-explained'
  /** The watch ran out of time with lines still open. */
  | 'not-finished'
  /** Dry run: looked once, nothing started. */
  | 'planned';

export interface PayrollWatchResult {
  runbook: 'payroll-watch';
  workflowId: string;
  target: PayrollTarget;
  outcome: PayrollWatchOutcome;
  why: string;
  first: PayrollLook;
  last: PayrollLook;
  looks: number;
  stalls: Stall[];
  repairs: RepairRun[];
  /** The failed lines with their reasons. */
  explained: ExplainedLine[];
  /** Dry run: the vouchers a watch would hand to the voucher repair path. */
  toRepair?: string[];
  report: InspectionReportFiles;
}
