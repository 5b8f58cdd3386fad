/**
 * The approval gate's vocabulary: the plan an approver reads, the votes, the pending approval a
 * front door queries, the gate's outcome and the policy in force, and why a decision is refused.
 * Pure, shared by the workflows, the activities, the inbox and the CLI; the gate's Temporal
 * messages are in workflows/shared/approval-definitions.ts.
 */
import type { SignerKey } from './decision.ts';
import type { ApprovalProof } from './proof.ts';

export interface Bilingual {
  zh: string;
  en: string;
}

/** One thing the runbook will execute, verbatim, and what it means. */
export interface PlanAction {
  kind: 'mqsc' | 'sql' | 'message' | 'file' | 'host' | 'runbook';
  /** Where it runs: a queue manager, a database, a bank, a host. */
  target: string;
  /** Exactly what will be sent or run. */
  command: string;
  description: Bilingual;
  /** For a bulk action: the plan's list (`lists`) whose items it applies to, one by one. */
  list?: string;
}

/** A list too long to show whole (vouchers): its count, total and digest (domain/approvals/proof.ts, listDigest). */
export interface PlanList {
  name: string;
  count: number;
  totalFen?: number;
  digest: string;
}

export interface PlanVoucher {
  voucherNo: string;
  amountFen: number;
  /** Masked for display, e.g. 张*; the full value never leaves the treasury database. */
  payeeName?: string;
  /** Masked, e.g. ****1234. */
  payeeAccount?: string;
}

/**
 * A row a data change touches (a data fix, an access change): the whole row as it is, and the
 * columns the change sets — personal data masked in both.
 */
export interface PlanRow {
  table: string;
  key: string;
  before: Record<string, string | number | null>;
  after: Record<string, string | number | null>;
}

/** The plan an approval binds to (its canonical JSON digest). */
export interface ApprovalPlan {
  runbook: string;
  title: Bilingual;
  bank?: { code: string; name: string };
  channel?: string;
  /** Why this is needed: the diagnosis in plain words. */
  findings: Bilingual[];
  actions: PlanAction[];
  /** The vouchers, or the first of them when there are many (see `voucherTotals`). */
  vouchers?: PlanVoucher[];
  /** Every voucher the plan is about, however many `vouchers` lists: count, total and the full list's digest. */
  voucherTotals?: VoucherTotals;
  lists?: PlanList[];
  /** Every row the change touches, before and after. */
  rows?: PlanRow[];
  /** The people whose own access the plan changes: none of them may decide on it. */
  concerns?: string[];
}

export interface VoucherTotals {
  count: number;
  amountFen: number;
  /** SHA-256 over the whole list, voucher by voucher. */
  listDigest: string;
}

/** What an approver is shown of a plan's vouchers: the whole count and total, and how many are listed. */
export function planVoucherTotals(plan: ApprovalPlan): {
  count: number;
  amountFen: number;
  listed: number;
  listDigest?: string;
} {
  const vouchers = plan.vouchers ?? [];
  const listed = vouchers.length;
  return plan.voucherTotals
    ? { ...plan.voucherTotals, listed }
    : { count: listed, amountFen: vouchers.reduce((s, v) => s + v.amountFen, 0), listed };
}

export interface ApprovalVote {
  user: string;
  displayName: string;
  /** The gate's role the decision was made in (the first of the person's roles the gate asked for). */
  role: string;
  verdict: 'approve' | 'reject';
  reason?: string;
  at: string;
  via: 'inbox' | 'cli';
  keyId: string;
  nonce: string;
}

export interface PendingApprovalView {
  gateId: string;
  step: string;
  runbook: string;
  workflowId: string;
  requestedBy: string;
  planDigest: string;
  plan: ApprovalPlan;
  /** Roles that may decide now (the deputy roles join once escalated). */
  roles: string[];
  deputyRoles: string[];
  escalated: boolean;
  quorum: number;
  votes: ApprovalVote[];
  openedAt: string;
  remindAt: string;
  escalateAt: string;
  expireAt: string;
  bankCodes: string[];
}

export type GateVerdict = 'approved' | 'rejected' | 'expired';

export interface GateOutcome {
  gateId: string;
  step: string;
  planDigest: string;
  outcome: GateVerdict;
  votes: ApprovalVote[];
  decidedAt: string;
  /** Whether reminders and an escalation went out before the outcome. */
  reminded: boolean;
  escalated: boolean;
  /** When approved: what the run hands every activity that acts on this approval. */
  proof?: ApprovalProof;
  /** When approved: the instant after which the approval no longer holds for a change (proofMaxAge). */
  actBy?: string;
}

/** Who asked for a run, and how the engine knows: a signed start, a signed claim, or only the input's word. */
export interface Requester {
  user: string;
  verified: boolean;
  via: 'start' | 'claim' | 'unverified';
}

export interface ApprovalState {
  runbook: string;
  /** The run answering: a decision is signed for it and sent to it, not to a later run. */
  runId: string;
  /** The requester's user id (the claimant once claimed): four-eyes applies to them. */
  requestedBy: string;
  requester: Requester;
  /** The run waits to be claimed (`claimRun`) before it asks for its approval. */
  awaitingClaim: boolean;
  pending: PendingApprovalView | null;
  closed: GateOutcome[];
  /** A change held back by the change calendar: what it waits for (absent when it waits for none). */
  frozen?: FrozenWait;
}

/** A change runbook waiting for a freeze window to end, or for an emergency override before it. */
export interface FrozenWait {
  /** When the freeze ends: the run asks for its change's approval then. */
  until: string;
  windows: { name: string; reason: string; from: string; to: string }[];
  /** Who may approve the emergency override meanwhile. */
  overrideRoles: string[];
}

export interface DecisionReceipt {
  gateId: string;
  verdict: 'approve' | 'reject';
  votes: number;
  quorum: number;
  /** The gate's state after this decision. */
  gate: 'pending' | 'approved' | 'rejected';
}

/** The policy in force for one gate, read from configuration when the gate opens. */
export interface GatePolicy {
  roles: string[];
  quorum: number;
  deputyRoles: string[];
  remindAfterMs: number;
  escalateAfterMs: number;
  expireAfterMs: number;
  maxDecisionAgeMs: number;
  /** How old an approval may be when a change is made on it (approvals.proofMaxAge). */
  proofMaxAgeMs: number;
  /** Roles that may start runbooks, and so claim a run (approvals.startRoles). */
  startRoles: string[];
  signers: SignerKey[];
  approvers: { id: string; displayName: string; roles: string[] }[];
  /** Deep link to the gate in the inbox, without the workflow id. */
  inboxUrl: string;
}

/** Why a decision was refused; the update's failure carries it as `details[0]`. */
export const refusalReasons = [
  'malformed',
  'no-pending-approval',
  'wrong-workflow',
  'wrong-run',
  'wrong-gate',
  'unknown-key',
  'bad-signature',
  'expired-decision',
  'future-decision',
  'replayed',
  'wrong-plan',
  'unknown-user',
  'self-approval',
  'concerned-party',
  'wrong-role',
  'already-voted',
  'reason-required',
] as const;
export type RefusalReason = (typeof refusalReasons)[number];

export interface ClaimReceipt {
  requester: Requester;
}
