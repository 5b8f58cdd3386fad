/**
 * Input, readings and result of sequence number resync (序列号重置). Two scopes: the MQ channel's
 * message sequence numbers (AMQ9526) and the application's message serial numbers (报文序号).
 * Pure types and zod schemas: safe in the workflow bundle, shared with the CLI registry and tests.
 */
import { z } from 'zod';
import type { ApprovalPlan, Bilingual, GateOutcome } from '../approvals/gate-types.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { bankCode, reason, userId } from './input-fields.ts';

export const sequenceResyncScopes = ['channel', 'serials'] as const;
export type SequenceResyncScope = (typeof sequenceResyncScopes)[number];

export const sequenceResyncInputSchema = z
  .object({
    /** The agent bank: its sender channel CZ.TO.<bank> (scope channel) or its serials (scope serials). */
    bank: bankCode,
    /** Who asks (user id); this person cannot approve it. */
    requestedBy: userId,
    /** channel: MQ channel sequence numbers (AMQ9526); serials: application message serial numbers. */
    scope: z.enum(sequenceResyncScopes).default('channel'),
    /** Why, in a few words (e.g. the inspection finding); shown to approvers. */
    reason: reason.optional(),
    /** Stop after the plan: read, compute and show what would be done, change nothing. */
    dryRun: z.boolean().default(false),
    /**
     * scope channel, for a site that may not read the bank's queue manager: the receiving end's
     * LSTSEQNO as the bank's operator read it (DISPLAY CHSTATUS(CZ.TO.<bank>) SAVED). Shown to the
     * approvers as the bank's word; when the bank's end can be read, the two must agree.
     */
    bankLastSeq: z.number().int().min(0).max(999_999_999).optional(),
    /** How long to watch the channel (or the serials) after the change before calling it not verified. */
    verifySeconds: z.number().int().min(5).max(3600).default(120),
    /** scope serials: how long to wait for the bank's answer to a status query. */
    answerSeconds: z.number().int().min(5).max(3600).default(90),
  })
  .strict()
  .refine((i) => i.scope === 'channel' || i.bankLastSeq === undefined, {
    path: ['bankLastSeq'],
    message: 'only for scope "channel"',
  });
export type SequenceResyncInput = z.input<typeof sequenceResyncInputSchema>;

/** One end of the channel as DISPLAY CHSTATUS shows it: the current state, numbers from SAVED. */
export interface SequenceEnd {
  qmgr: string;
  channel: string;
  /** Current status; INACTIVE when the queue manager has no current status for it. */
  status: string;
  /** LSTSEQNO: the last message sequence number committed at this end. */
  lastSeq?: number;
  /** CURSEQNO: the last number sent or received in the current (or in-doubt) batch. */
  currentSeq?: number;
  indoubt?: boolean;
  lastLuwid?: string;
  currentLuwid?: string;
  /**
   * No saved status: the end has never committed a batch ("saved status does not apply until at
   * least one batch of messages has been transmitted", IBM MQ), so its last number counts as 0.
   */
  noSavedStatus?: boolean;
}

export type ReceiverReading =
  | { readable: true; end: SequenceEnd }
  | { readable: false; why: 'no-access' | 'unreachable' | 'no-status'; detail: string };

export interface SequenceState {
  bank: string;
  qmgr: string;
  bankQmgr: string;
  channel: string;
  xmitq: string;
  /** Whether the sender channel is defined on the finance queue manager at all. */
  defined: boolean;
  /** The channel's SEQWRAP: after it the sequence number starts again at 1. */
  seqwrap: number;
  xmitqDepth: number;
  sender: SequenceEnd;
  receiver: ReceiverReading;
}

/** An MQSC step, in the order an operator types them. */
export type ChannelStep = 'stop' | 'resolve' | 'reset' | 'start';

export type ChannelDecision =
  | { kind: 'nothing-to-do'; why: Bilingual }
  | { kind: 'unexpected-state'; why: Bilingual }
  /** Back out the in-doubt batch (its own approval), then read again. */
  | { kind: 'resolve-in-doubt'; steps: ChannelStep[]; why: Bilingual }
  | { kind: 'resync'; steps: ChannelStep[]; seqnum?: number; why: Bilingual };

/** The finance side's application serials with one bank, and what is in flight. */
export interface SerialsState {
  bank: string;
  /** message_serials (bank, 'out').last_serial: the last serial finance gave a message to this bank. */
  financeOut: number;
  /** The last message finance logged as sent to this bank. */
  lastSent?: { serial: number; kind: string; refNo: string | null; at: string };
  /** Vouchers and quota notices sent without an answer yet: a realignment now could reuse a serial. */
  inFlight: number;
  /** Vouchers the bank refused for their serial (E_SERIAL): voucher-resend sends them again. */
  refusedForSerial: { count: number; sample: string[] };
}

/** The bank's own word, from its answer to a status query. */
export interface BankSerialAnswer {
  queryId: string;
  askedAbout: string;
  lastSerialAccepted: number;
  answeredAt: string;
}

export type SerialsDecision =
  | { kind: 'nothing-to-do'; why: Bilingual }
  | { kind: 'unexpected-state'; why: Bilingual }
  | { kind: 'realign'; from: number; to: number; why: Bilingual };

export type SequenceResyncOutcome =
  | 'resynced'
  | 'realigned'
  | 'nothing-to-do'
  | 'unexpected-state'
  | 'planned'
  | 'rejected'
  | 'expired'
  | 'not-verified';

export interface SequenceAction {
  command: string;
  target: string;
  detail: string;
  at: string;
  alreadyDone?: boolean;
}

export interface SequenceResyncResult {
  runbook: 'sequence-resync';
  workflowId: string;
  bank: string;
  scope: SequenceResyncScope;
  outcome: SequenceResyncOutcome;
  why: string;
  /** scope channel: the readings before anything was changed, and the last one. */
  channel?: { first: SequenceState; last: SequenceState };
  /** scope serials: the finance side's serials and the bank's answer, before and after. */
  serials?: {
    before: SerialsState;
    bank?: BankSerialAnswer;
    after?: SerialsState;
    bankAfter?: BankSerialAnswer;
  };
  /** Every plan shown, in order, with the gate step it was shown at. */
  plans: { step: string; plan: ApprovalPlan; planDigest: string }[];
  approvals: GateOutcome[];
  actions: SequenceAction[];
  verification?: { ok: boolean; checks: number; detail: string };
  report: InspectionReportFiles;
}
