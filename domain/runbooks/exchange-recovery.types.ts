/**
 * Input, diagnosis and result of exchange recovery (预算一体化数据交换恢复): the budget-integration
 * exchange client alive and moving, its uplink and downlink per voucher type, the failed items
 * replayed (each keyed by division, year, voucher type and number) once their cause is mended, the
 * client restarted when dead or hung, and the backlog watched until it drains. Pure types and zod
 * schemas: safe in the workflow bundle.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import type { ExchangeClientStatus, ItemKey } from '../exchange-protocol.ts';
import { subsystemId } from '../subsystem-config.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { reason, userId } from './input-fields.ts';
import type { ProgramLook } from './program-restart.types.ts';

export const exchangeRecoveryInputSchema = z
  .object({
    /** The exchange subsystem (site file `subsystems[].id`); default the site's one budget-exchange subsystem. */
    subsystem: subsystemId.optional(),
    /** Who asks for the recovery (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (e.g. the health finding); shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: diagnose and show what would be done, change nothing. */
    dryRun: z.boolean().default(false),
    /** Replay the failed items whose cause is mended (false: restart and watch only). */
    replay: z.boolean().default(true),
    /** At most this many failed items in one run's replay. */
    maxItems: z.number().int().min(1).max(5000).default(1000),
    /** How long to watch the client move and the backlog drain after the fix. */
    drainSeconds: z.number().int().min(10).max(7200).default(300),
  })
  .strict();
export type ExchangeRecoveryInput = z.input<typeof exchangeRecoveryInputSchema>;

/** The exchange subsystem the run is about, as the site declares it. */
export interface ExchangeTarget {
  subsystem: string;
  name: string;
  division: string;
  voucherTypes: string[];
  /** Its client program (the first the subsystem declares). */
  program: string;
  host: string;
  certificateWarnDays: number;
}

/** An item the client left failed, with why, and whether its cause is mended now. */
export interface FailedItem extends ItemKey {
  direction: 'up' | 'down';
  lastError: string | null;
  attempts: number;
  /** Undefined when the cause is mended (a replay can succeed); otherwise why it would fail again. */
  blocked?: string;
}

/** The client as the run found it. */
export interface ExchangeDiagnosis {
  program: ProgramLook;
  /** Its admin endpoint's answer (absent: nothing answered). */
  status?: ExchangeClientStatus;
  statusError?: string;
  /** Whether its cycle count moved while watched (undefined: not running or not answering). */
  moving?: boolean;
  failed: FailedItem[];
  /** Failed items beyond `maxItems`, left for another run. */
  moreFailed: number;
}

export type ExchangeDecision = {
  /** `start`: the client is dead; `restart`: alive but not moving (or not answering). */
  restart?: 'start' | 'restart';
  replay: FailedItem[];
  held: FailedItem[];
  /** What only a person (or the province) can mend, in words. */
  escalate: string[];
  /** Up items waiting behind a platform that says it is busy: watched, not changed. */
  waitForPlatform: boolean;
  why: string;
};

export interface DrainCheck {
  ok: boolean;
  moving: boolean;
  /** Up items still pending or replaying, per voucher type. */
  upWaiting: Record<string, number>;
  /** Of the items replayed: confirmed or delivered now, and still not. */
  replayedDone: number;
  replayedLeft: ItemKey[];
  checks: number;
  detail: string;
}

export type ExchangeRecoveryOutcome =
  'recovered' | 'healthy' | 'escalated' | 'planned' | 'rejected' | 'expired' | 'not-verified';

export interface ExchangeRecoveryResult {
  runbook: 'exchange-recovery';
  workflowId: string;
  target: ExchangeTarget;
  outcome: ExchangeRecoveryOutcome;
  why: string;
  diagnosis: ExchangeDiagnosis;
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  restarted?: ProgramLook[];
  /** Items set to replay by this run (found already replayed or done: not counted). */
  replayed: number;
  held: FailedItem[];
  escalated: string[];
  verification?: DrainCheck;
  report: InspectionReportFiles;
}
