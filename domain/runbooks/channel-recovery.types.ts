/**
 * Input, diagnosis and result of channel recovery (通道恢复). Pure types and zod schemas: safe
 * in the workflow bundle, shared with the CLI registry and the tests.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import type { ChannelActionResult } from '../channel-action.ts';
import type { InspectionReportFiles, ChannelEnd, FrontEndCheck } from './daily-inspection.types.ts';
import { bankCode, reason, userId } from './input-fields.ts';

export const channelRecoveryInputSchema = z
  .object({
    /** The agent bank whose channel from the finance queue manager (CZ.TO.<bank>) to recover. */
    bank: bankCode,
    /** Who asks for the recovery (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (e.g. the inspection finding); shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: diagnose and show what would be done, change nothing. */
    dryRun: z.boolean().default(false),
    /** How long to watch the channel after the fix before calling it not verified. */
    verifySeconds: z.number().int().min(5).max(3600).default(120),
  })
  .strict();
export type ChannelRecoveryInput = z.input<typeof channelRecoveryInputSchema>;

export interface RecoveryDiagnosis {
  bank: string;
  bankName: string;
  qmgr: string;
  channel: string;
  sender: ChannelEnd;
  /** The bank's receiving end, when the site may look at the bank's queue manager. */
  bankReceiver?: ChannelEnd;
  /** The bank's sending end (bank → finance), likewise. */
  bankSender?: ChannelEnd;
  xmitqDepth: number;
  /** PING CHANNEL, made only when the sender is not running. */
  ping?: FrontEndCheck;
  tcp: FrontEndCheck;
}

/** `stop`/`start`: finance's sender; `-return`: the bank's sender (bank → finance), on the bank's queue manager. */
export type RecoveryStep = 'stop' | 'start' | 'stop-return' | 'start-return';

export type RecoveryDecision =
  | { kind: 'healthy'; why: string }
  | { kind: 'bank-side'; why: string }
  | { kind: 'other-runbook'; runbook: 'sequence-resync'; why: string }
  | { kind: 'act'; steps: RecoveryStep[]; why: string };

export type ChannelRecoveryOutcome =
  | 'recovered'
  | 'already-running'
  | 'escalated'
  | 'needs-sequence-resync'
  | 'planned'
  | 'rejected'
  | 'expired'
  | 'not-verified';

export interface ChannelRecoveryResult {
  runbook: 'channel-recovery';
  workflowId: string;
  bank: string;
  channel: string;
  outcome: ChannelRecoveryOutcome;
  why: string;
  diagnosis: RecoveryDiagnosis;
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  actions: (ChannelActionResult & { at: string })[];
  verification?: { status: string; xmitqDepth: number; bankSender?: string; checks: number };
  report: InspectionReportFiles;
}
