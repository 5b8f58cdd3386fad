/**
 * Input, diagnosis and result of the procurement cloud push retry (政采云推送重试): the
 * confirmations (确认书) the payment system's push job left failed — never reaching the cloud, or
 * refused by it — each with what the cloud holds now (the confirmation itself, its contract and
 * what has been confirmed against it), pushed again through the push job when the cause is gone
 * (keyed by confirmation number: the cloud takes each number once), held for a person when it
 * remains. Pure types and zod schemas: safe in the workflow bundle.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import { subsystemId } from '../subsystem-config.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { reason, userId } from './input-fields.ts';

export const procurementPushRetryInputSchema = z
  .object({
    /** The procurement-push subsystem (site file `subsystems[].id`); default the site's one. */
    subsystem: subsystemId.optional(),
    /** Who asks for the retry (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (e.g. the health finding); shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: diagnose and show what would be pushed again, change nothing. */
    dryRun: z.boolean().default(false),
    /** At most this many failed confirmations in one run (the oldest first). */
    maxItems: z.number().int().min(1).max(1000).default(200),
    /** How long to wait for the push job to deliver each retried confirmation and the cloud to hold it. */
    verifySeconds: z.number().int().min(10).max(3600).default(120),
  })
  .strict();
export type ProcurementPushRetryInput = z.input<typeof procurementPushRetryInputSchema>;

/** The procurement-push subsystem the run is about, as the site declares it. */
export interface ProcurementTarget {
  subsystem: string;
  name: string;
  /** The cloud's base URL (the site's `procurement.cloudUrl`). */
  cloudUrl: string;
  maxAttempts: number;
}

/** Whether the cloud answers at all (its health URL). */
export interface CloudLook {
  answering: boolean;
  detail: string;
}

/** A confirmation as the treasury holds it. */
export interface ConfirmationRow {
  confirmationNo: string;
  contractNo: string;
  voucherNo: string;
  amountFen: number;
  /** The push job's last answer from (or about) the cloud. */
  lastError: string | null;
  attempts: number;
  updatedAt: string;
}

/** What the cloud holds of one confirmation's number and its contract. */
export interface CloudView {
  /** The confirmation under this number on the cloud (absent: the cloud has none). */
  held?: { voucherNo: string; amountFen: number };
  /** The contract on the cloud (absent: the cloud has no such contract). */
  contract?: { amountFen: number; confirmedFen: number };
}

/** A failed confirmation with the cloud's view and, when its cause remains, why it is held. */
export interface FailedConfirmation extends ConfirmationRow {
  /** `unreached`: the cloud never answered it; `refused`: the cloud's rules refused it. */
  failure: 'unreached' | 'refused';
  cloud?: CloudView;
  /** Why pushing it again would fail again (a person must act); undefined: it can be pushed. */
  blocked?: string;
}

export interface PushDiagnosis {
  cloud: CloudLook;
  failed: FailedConfirmation[];
  /** Failed confirmations beyond `maxItems`, left for another run. */
  moreFailed: number;
}

export interface PushDecision {
  retry: FailedConfirmation[];
  held: FailedConfirmation[];
  /** What only a person can mend, in words. */
  escalate: string[];
  why: string;
}

export interface PushCheck {
  ok: boolean;
  /** Retried confirmations pushed and held by the cloud with the same voucher and amount. */
  delivered: number;
  /** Retried confirmations not (yet) delivered, with their treasury status. */
  left: { confirmationNo: string; status: string; lastError: string | null }[];
  checks: number;
  detail: string;
}

export type ProcurementPushRetryOutcome =
  'recovered' | 'nothing-to-retry' | 'escalated' | 'planned' | 'rejected' | 'expired' | 'not-verified';

export interface ProcurementPushRetryResult {
  runbook: 'procurement-push-retry';
  workflowId: string;
  target: ProcurementTarget;
  outcome: ProcurementPushRetryOutcome;
  why: string;
  diagnosis: PushDiagnosis;
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  /** Confirmations set to be pushed again by this run (found no longer failed: not counted). */
  retried: number;
  held: FailedConfirmation[];
  escalated: string[];
  verification?: PushCheck;
  report: InspectionReportFiles;
}
